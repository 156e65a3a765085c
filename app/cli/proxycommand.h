#pragma once

#include <QStringList>

class QCoreApplication;

/// `sse-monitor-cli proxy --upstream URL [--listen ADDRESS:PORT] [-o FILE] [--llm] [-q]`:
/// a reverse proxy in front of URL that prints the events of every `text/event-stream`
/// response as JSON Lines (one "connection" per exchange, `POST /v1/chat/completions #3`) and
/// one `exchange` record per exchange. \a arguments is QCoreApplication::arguments(), with
/// "proxy" as the first argument. Runs until interrupted.
int runProxy(QCoreApplication &app, QStringList arguments);

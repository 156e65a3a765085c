#pragma once

#include <QStringList>

class QCoreApplication;

/// `sse-monitor-cli replay FILE [--listen ADDRESS:PORT] [--speed X | --fast] [--loop]`:
/// serves a recording (JSON Lines log or raw SSE capture) as an SSE endpoint until killed.
/// \a arguments is QCoreApplication::arguments(), with "replay" as the first argument.
/// Prints the stream URL on stdout, one line, as soon as it listens.
int runReplay(QCoreApplication &app, QStringList arguments);

#pragma once

#include <QStringList>

class QCoreApplication;

/// `sse-monitor-cli probe --listen-metrics ADDRESS:PORT [--profiles-file F] [--profile NAME ...]
/// [URL ...]`: keeps every stream connected and serves their health as Prometheus metrics on
/// /metrics (and /healthz with --listen-health). Prints nothing but errors, except the URL of
/// a listener whose port was 0 (chosen by the system). Runs until it is killed.
/// \a arguments is QCoreApplication::arguments(), with "probe" as the first argument.
/// Exit codes: 2 usage error, 5 cannot listen.
int runProbe(QCoreApplication &app, QStringList arguments);

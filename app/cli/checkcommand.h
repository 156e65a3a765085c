#pragma once

#include <QStringList>

class QCoreApplication;

/// `sse-monitor-cli check URL [--duration S] [-H ...] [--no-resume-check] [--json] [--demo]`:
/// observes the stream for a while and prints a diagnostics report.
/// \a arguments is QCoreApplication::arguments(), with "check" as the first argument.
/// Exit codes: 0 no failures, 1 failures, 2 usage error.
int runCheck(QCoreApplication &app, QStringList arguments);

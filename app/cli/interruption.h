#pragma once

#include <functional>

class QObject;

/// Ctrl+C (SIGINT) and SIGTERM run \a handler in the event loop of \a context's thread, not in
/// the signal handler, so that it can flush output and exit cleanly (a byte through a pipe
/// wakes a QSocketNotifier). Call once per process; \a context must outlive the run.
void callOnInterrupt(QObject *context, std::function<void()> handler);

#pragma once

// Runs the built sse-monitor-cli (SSE_MONITOR_CLI) to its end while this thread's event loop
// keeps running, so that a TestServer in this thread answers it. Header only, for the CLI
// tests.

#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QStringList>

namespace CliRun {

struct Result
{
    int exitCode = -1; ///< -1 when it crashed or was killed
    QByteArray out;
    QByteArray err;
    qint64 elapsedMs = 0;

    /// Everything needed to understand a failure, for QVERIFY2 messages.
    QByteArray describe() const
    {
        return "exit " + QByteArray::number(exitCode) + " after " + QByteArray::number(elapsedMs)
            + " ms\nstderr: " + err.left(2000) + "\nstdout: " + out.right(3000);
    }
};

/// The environment without proxy variables: loopback must not go to a proxy.
inline QProcessEnvironment withoutProxies()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"})
        environment.remove(QString::fromLatin1(name));
    return environment;
}

/// False when it did not start or did not end within \a timeoutMs (then it is killed).
inline bool run(const QStringList &arguments, Result *result, int timeoutMs = 20000)
{
    QProcess process;
    process.setProcessEnvironment(withoutProxies());
    QSignalSpy finished(&process, &QProcess::finished);
    QElapsedTimer clock;
    clock.start();
    process.start(qEnvironmentVariable("SSE_MONITOR_CLI"), arguments);
    if (!process.waitForStarted(5000))
        return false;
    if (!finished.wait(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        return false;
    }
    result->elapsedMs = clock.elapsed();
    result->exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result->out = process.readAllStandardOutput();
    result->err = process.readAllStandardError();
    return true;
}

} // namespace CliRun

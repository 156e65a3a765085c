#pragma once

#include <QByteArray>
#include <QString>

/// Buffered writer to a file descriptor: output is collected in memory and
/// written when the buffer is large or when flush() is called (the CLI flushes
/// at least every 100 ms and at exit).
class OutputSink
{
public:
    OutputSink() = default;
    ~OutputSink();
    OutputSink(const OutputSink &) = delete;
    OutputSink &operator=(const OutputSink &) = delete;

    bool openStandardOutput();
    /// Opens \a path for appending (created if missing).
    bool openFile(const QString &path);
    bool isOpen() const { return m_fd >= 0; }

    QByteArray &buffer() { return m_buffer; }
    /// Writes the buffer out when it passes the threshold; false on a write error.
    bool maybeFlush()
    {
        return m_buffer.size() < FlushThreshold || flush();
    }
    bool flush();
    QString errorString() const { return m_error; }

    static constexpr qsizetype FlushThreshold = 1 << 20;

private:
    QByteArray m_buffer;
    QString m_error;
    int m_fd = -1;
    bool m_ownsFd = false;
};

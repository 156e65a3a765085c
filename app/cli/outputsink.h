#pragma once

#include <QByteArray>
#include <QString>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

/// Buffered writer to a file descriptor: output is collected in memory and handed to the
/// descriptor when the buffer is large or when submit() / flush() is called (the CLI submits
/// at least every 100 ms and flushes at exit).
///
/// A file gets a writer thread: full buffers are queued (at most MaximumQueued, then the
/// producer waits) and written while the caller formats the next records, so the kernel's
/// copy into the page cache does not stall parsing. Standard output is written in place.
/// After a write error nothing more is written; errorString() says why.
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
    /// Hands the buffer on when it passes the threshold; false once a write failed.
    bool maybeFlush() { return m_buffer.size() < FlushThreshold ? !failed() : submit(); }
    /// Hands the buffer on without waiting for a file's writer thread.
    bool submit();
    /// Hands the buffer on and waits until everything is written.
    bool flush();
    QString errorString() const;

    static constexpr qsizetype FlushThreshold = 1 << 20;
    static constexpr int MaximumQueued = 4;

private:
    bool failed() const;
    bool writeAll(const QByteArray &bytes); // on the writer thread for files
    void run();

    QByteArray m_buffer;
    int m_fd = -1;
    bool m_ownsFd = false;

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;  // work queued, or stopping
    std::condition_variable m_done;  // a buffer was written (room in the queue, or idle)
    std::deque<QByteArray> m_queue;
    QByteArray m_spare;              // a written buffer kept for reuse
    std::thread m_writer;
    QString m_error;
    bool m_writing = false;
    bool m_stopping = false;
};

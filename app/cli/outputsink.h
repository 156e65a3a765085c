#pragma once

#include <QByteArray>
#include <QString>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

/// Buffered writer to a file descriptor: output is collected in memory and handed to the
/// descriptor when the buffer is large or when submit() / flush() is called (the CLI submits
/// at least every 100 ms and flushes at exit).
///
/// A file gets a writer thread: full buffers are queued (at most MaximumQueued, then the
/// producer waits) and written while the caller formats the next records, so the kernel's
/// copy into the page cache does not stall parsing. Standard output is written in place.
/// After a write error nothing more is written; errorString() says why.
///
/// A FIFO is opened without blocking (on the writer thread, retried until a reader opens it)
/// and written without blocking, so the caller's event loop and timers keep running. With a
/// deadline set, waiting for a FIFO's reader (a full queue, flush()) ends at the deadline:
/// the output is given up with an error instead of holding the process.
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
    bool isOpen() const { return m_open; }
    /// After \a deadline, waiting for a FIFO's reader gives up (see the class comment).
    void setDeadline(std::chrono::steady_clock::time_point deadline) { m_deadline = deadline; }

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
    bool waitForFifoWritable();             // writer thread, non-blocking FIFO only
    bool openFifo();                        // writer thread: retries until a reader is there
    void run();
    // Waits on m_done for \a done; for a FIFO past the deadline, gives the output up instead.
    template<typename Predicate>
    void waitForWriter(std::unique_lock<std::mutex> &lock, Predicate done);

    QByteArray m_buffer;
    QByteArray m_path;
    int m_fd = -1;
    bool m_open = false;
    bool m_ownsFd = false;
    bool m_fifo = false;
    std::optional<std::chrono::steady_clock::time_point> m_deadline; // caller's thread only

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

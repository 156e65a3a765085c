#include "outputsink.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

// How often the writer thread looks again for a FIFO's reader, or at a stop request.
constexpr int FifoPollMs = 20;

} // namespace

OutputSink::~OutputSink()
{
    flush();
    if (m_writer.joinable()) {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_wake.notify_one();
        m_writer.join();
    }
    if (m_ownsFd && m_fd >= 0)
        ::close(m_fd);
}

bool OutputSink::openStandardOutput()
{
    m_fd = STDOUT_FILENO;
#ifdef F_SETPIPE_SZ
    // A pipe holds 64 KiB by default: a 1 MiB write would wake the reader and put this
    // process to sleep sixteen times. Ask for room for a whole buffer (Linux allows an
    // unprivileged process up to /proc/sys/fs/pipe-max-size, 1 MiB by default); when
    // refused, the pipe keeps its size and everything works as before, only slower.
    struct stat status = {};
    if (::fstat(m_fd, &status) == 0 && S_ISFIFO(status.st_mode))
        ::fcntl(m_fd, F_SETPIPE_SZ, int(FlushThreshold));
#endif
    m_open = true;
    m_ownsFd = false;
    return true;
}

bool OutputSink::openFile(const QString &path)
{
    m_path = path.toLocal8Bit();
    struct stat status = {};
    m_fifo = ::stat(m_path.constData(), &status) == 0 && S_ISFIFO(status.st_mode);
    if (!m_fifo) {
        m_fd = ::open(m_path.constData(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (m_fd < 0) {
            m_error = QString::fromLocal8Bit(std::strerror(errno));
            return false;
        }
    } else {
        // A blocking open would wait here for a reader, with the event loop not yet running.
        m_fd = ::open(m_path.constData(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (m_fd < 0 && errno != ENXIO) { // ENXIO: no reader yet, the writer thread waits
            m_error = QString::fromLocal8Bit(std::strerror(errno));
            return false;
        }
    }
    m_open = true;
    m_ownsFd = true;
    m_writer = std::thread([this] { run(); });
    return true;
}

bool OutputSink::openFifo()
{
    std::unique_lock lock(m_mutex);
    while (m_fd < 0) {
        if (m_stopping || !m_error.isEmpty())
            return false;
        lock.unlock();
        const int fd = ::open(m_path.constData(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        const int error = errno;
        lock.lock();
        if (fd >= 0) {
            m_fd = fd;
        } else if (error != ENXIO) {
            m_error = QString::fromLocal8Bit(std::strerror(error));
            return false;
        } else {
            m_wake.wait_for(lock, std::chrono::milliseconds(FifoPollMs));
        }
    }
    return true;
}

template<typename Predicate>
void OutputSink::waitForWriter(std::unique_lock<std::mutex> &lock, Predicate done)
{
    if (!m_fifo || !m_deadline) {
        m_done.wait(lock, done);
        return;
    }
    if (m_done.wait_until(lock, *m_deadline, done))
        return;
    // Past the deadline with output still waiting for the FIFO's reader: give it up.
    if (m_error.isEmpty()) {
        m_error = m_fd < 0 ? QStringLiteral("no reader opened the FIFO %1")
                                 .arg(QString::fromLocal8Bit(m_path))
                           : QStringLiteral("the reader of the FIFO %1 did not take the output "
                                            "before the end of the run")
                                 .arg(QString::fromLocal8Bit(m_path));
    }
    m_queue.clear();
    m_wake.notify_all();
}

QString OutputSink::errorString() const
{
    std::lock_guard lock(m_mutex);
    return m_error;
}

bool OutputSink::failed() const
{
    std::lock_guard lock(m_mutex);
    return !m_error.isEmpty();
}

bool OutputSink::waitForFifoWritable()
{
    pollfd entry{m_fd, POLLOUT, 0};
    for (;;) {
        {
            std::lock_guard lock(m_mutex);
            if (!m_error.isEmpty())
                return false; // given up by the caller's thread
        }
        const int ready = ::poll(&entry, 1, FifoPollMs);
        if (ready > 0 || (ready < 0 && errno != EINTR))
            return true; // writable, or an error the next write() reports
    }
}

bool OutputSink::writeAll(const QByteArray &bytes)
{
    const char *p = bytes.constData();
    qsizetype left = bytes.size();
    while (left > 0) {
        const ssize_t written = ::write(m_fd, p, size_t(left));
        if (written < 0) {
            if (errno == EINTR)
                continue;
            if (m_fifo && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                if (!waitForFifoWritable())
                    return false;
                continue;
            }
            const QString error = QString::fromLocal8Bit(std::strerror(errno));
            std::lock_guard lock(m_mutex);
            if (m_error.isEmpty())
                m_error = error;
            return false;
        }
        p += written;
        left -= written;
    }
    return true;
}

void OutputSink::run()
{
    if (m_fifo && m_fd < 0)
        openFifo(); // on failure m_error is set (or the sink stops): buffers are dropped
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
        if (m_queue.empty())
            return; // stopping, nothing left
        QByteArray bytes = std::move(m_queue.front());
        m_queue.pop_front();
        m_writing = true;
        const bool skip = !m_error.isEmpty(); // after an error nothing more is written
        lock.unlock();
        if (!skip)
            writeAll(bytes);
        bytes.resize(0);
        lock.lock();
        m_spare = std::move(bytes);
        m_writing = false;
        m_done.notify_all();
    }
}

bool OutputSink::submit()
{
    if (!m_open) {
        m_buffer.resize(0);
        return m_error.isEmpty();
    }
    if (!m_writer.joinable()) {
        // Standard output: written in place; whole records stay in the buffer on failure.
        if (m_buffer.isEmpty() || !m_error.isEmpty())
            return m_error.isEmpty();
        const bool ok = writeAll(m_buffer);
        m_buffer.resize(0); // keeps the allocation (clear() would free it)
        return ok;
    }
    std::unique_lock lock(m_mutex);
    if (!m_buffer.isEmpty() && m_error.isEmpty()) {
        waitForWriter(lock, [this] {
            return qsizetype(m_queue.size()) < MaximumQueued || !m_error.isEmpty();
        });
        if (!m_error.isEmpty()) {
            m_buffer.resize(0);
            return false;
        }
        m_queue.push_back(std::move(m_buffer));
        m_buffer = std::move(m_spare); // a written buffer's allocation, when there is one
        m_buffer.resize(0);
        m_wake.notify_one();
    } else {
        m_buffer.resize(0);
    }
    return m_error.isEmpty();
}

bool OutputSink::flush()
{
    const bool submitted = submit();
    if (!m_writer.joinable())
        return submitted;
    std::unique_lock lock(m_mutex);
    waitForWriter(lock, [this] { return (m_queue.empty() && !m_writing) || !m_error.isEmpty(); });
    return m_error.isEmpty();
}

#include "outputsink.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

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
    m_ownsFd = false;
    return true;
}

bool OutputSink::openFile(const QString &path)
{
    const QByteArray name = path.toLocal8Bit();
    m_fd = ::open(name.constData(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (m_fd < 0) {
        m_error = QString::fromLocal8Bit(std::strerror(errno));
        return false;
    }
    m_ownsFd = true;
    m_writer = std::thread([this] { run(); });
    return true;
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

bool OutputSink::writeAll(const QByteArray &bytes)
{
    const char *p = bytes.constData();
    qsizetype left = bytes.size();
    while (left > 0) {
        const ssize_t written = ::write(m_fd, p, size_t(left));
        if (written < 0) {
            if (errno == EINTR)
                continue;
            const QString error = QString::fromLocal8Bit(std::strerror(errno));
            std::lock_guard lock(m_mutex);
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
    if (m_fd < 0) {
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
        m_done.wait(lock, [this] {
            return qsizetype(m_queue.size()) < MaximumQueued || !m_error.isEmpty();
        });
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
    m_done.wait(lock, [this] { return m_queue.empty() && !m_writing; });
    return m_error.isEmpty();
}

#include "outputsink.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

OutputSink::~OutputSink()
{
    flush();
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
    return true;
}

bool OutputSink::flush()
{
    if (m_fd < 0 || m_buffer.isEmpty()) {
        m_buffer.clear();
        return m_fd >= 0 || m_error.isEmpty();
    }
    const char *p = m_buffer.constData();
    qsizetype left = m_buffer.size();
    while (left > 0) {
        const ssize_t written = ::write(m_fd, p, size_t(left));
        if (written < 0) {
            if (errno == EINTR)
                continue;
            m_error = QString::fromLocal8Bit(std::strerror(errno));
            // Keep only whole records we could not write out; drop nothing silently.
            m_buffer.remove(0, m_buffer.size() - left);
            return false;
        }
        p += written;
        left -= written;
    }
    m_buffer.resize(0); // keeps the allocation (clear() would free it)
    return true;
}

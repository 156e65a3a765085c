#include "networkpool.h"

#include <QNetworkAccessManager>
#include <QUrl>

namespace Sse {

std::shared_ptr<NetworkPool> NetworkPool::forCurrentThread()
{
    thread_local std::weak_ptr<NetworkPool> current;
    std::shared_ptr<NetworkPool> pool = current.lock();
    if (!pool) {
        pool = std::make_shared<NetworkPool>();
        current = pool;
    }
    return pool;
}

NetworkPool::NetworkPool() = default;
NetworkPool::~NetworkPool() = default;

QString NetworkPool::hostKey(const QUrl &url)
{
    return url.scheme() + QLatin1Char('/') + url.host() + QLatin1Char(':')
        + QString::number(url.port(url.scheme() == QLatin1String("https") ? 443 : 80));
}

QNetworkAccessManager *NetworkPool::acquire(const QUrl &url)
{
    const QString key = hostKey(url);
    for (Slot &slot : m_managers) {
        int &streams = slot.streamsByHost[key];
        if (streams < StreamsPerHost) {
            ++streams;
            return slot.manager.get();
        }
    }
    Slot slot;
    slot.manager = std::make_unique<QNetworkAccessManager>();
    // Redirects are followed by Qt's default policy (never https -> http).
    slot.manager->setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
    slot.streamsByHost.insert(key, 1);
    m_managers.push_back(std::move(slot));
    return m_managers.back().manager.get();
}

void NetworkPool::release(QNetworkAccessManager *manager, const QUrl &url)
{
    const QString key = hostKey(url);
    for (Slot &slot : m_managers) {
        if (slot.manager.get() != manager)
            continue;
        auto it = slot.streamsByHost.find(key);
        if (it != slot.streamsByHost.end() && --it.value() <= 0)
            slot.streamsByHost.erase(it);
        return;
    }
}

} // namespace Sse

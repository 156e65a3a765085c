#pragma once

#include <QHash>
#include <QList>
#include <QString>

#include <memory>

class QNetworkAccessManager;
class QUrl;

namespace Sse {

/// Hands out QNetworkAccessManagers so that no manager carries more than
/// StreamsPerHost long-lived streams to one host. Qt 6.4 queues the 7th request
/// to a host on one manager forever (6 connections per host, not configurable
/// before 6.5), so a pool of managers is the only way to run many streams.
///
/// One pool per thread, shared by the clients of that thread and destroyed with
/// the last of them (QNAM is reentrant, not thread-safe).
class NetworkPool
{
public:
    static constexpr int StreamsPerHost = 5;

    static std::shared_ptr<NetworkPool> forCurrentThread();

    NetworkPool();
    ~NetworkPool();
    NetworkPool(const NetworkPool &) = delete;
    NetworkPool &operator=(const NetworkPool &) = delete;

    QNetworkAccessManager *acquire(const QUrl &url);
    void release(QNetworkAccessManager *manager, const QUrl &url);

    int managerCount() const { return int(m_managers.size()); }

private:
    struct Slot
    {
        std::unique_ptr<QNetworkAccessManager> manager;
        QHash<QString, int> streamsByHost;
    };
    static QString hostKey(const QUrl &url);

    std::vector<Slot> m_managers;
};

} // namespace Sse

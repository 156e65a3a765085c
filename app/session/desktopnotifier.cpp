#include "session/desktopnotifier.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QVariantMap>

namespace {

const QString Service = QStringLiteral("org.freedesktop.Notifications");

} // namespace

bool DesktopNotifier::isAvailable()
{
    const QDBusConnection bus = QDBusConnection::sessionBus();
    return bus.isConnected() && bus.interface()
        && bus.interface()->isServiceRegistered(Service).value();
}

void DesktopNotifier::notify(const QString &title, const QString &body)
{
    QDBusMessage call =
        QDBusMessage::createMethodCall(Service, QStringLiteral("/org/freedesktop/Notifications"),
                                       Service, QStringLiteral("Notify"));
    // Notify(app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout)
    call << QStringLiteral("SSE Monitor") << uint(0) << QStringLiteral("sse-monitor") << title
         << body << QStringList() << QVariantMap() << int(-1);
    if (QDBusConnection::sessionBus().send(call))
        ++m_sent;
}

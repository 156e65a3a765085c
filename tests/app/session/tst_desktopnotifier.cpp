// An alert of the real window reaches a real D-Bus session bus as
// org.freedesktop.Notifications.Notify: a private dbus-daemon, and a notification server of
// this test registered on it.

#include "session/alertcenter.h"
#include "session/desktopnotifier.h"
#include "session/workspace.h"
#include "testserver.h"
#include "views/mainwindow.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>

namespace {

// The receiving end: what a desktop's notification daemon would show.
class NotificationServer : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")

public:
    QStringList received;

public Q_SLOTS:
    uint Notify(const QString &appName, uint replacesId, const QString &appIcon,
                const QString &summary, const QString &body, const QStringList &actions,
                const QVariantMap &hints, int expireTimeout)
    {
        Q_UNUSED(replacesId)
        Q_UNUSED(actions)
        Q_UNUSED(hints)
        Q_UNUSED(expireTimeout)
        received.append(appName + QStringLiteral(" | ") + appIcon + QStringLiteral(" | ") + summary
                        + QStringLiteral(" | ") + body);
        return uint(received.size());
    }
};

} // namespace

class TestDesktopNotifier : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void alertReachesTheBus();

private:
    QProcess m_bus;
    NotificationServer m_server;
};

void TestDesktopNotifier::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SSE Monitor Tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_desktopnotifier"));
    QSettings().clear();
    const QString daemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
    if (daemon.isEmpty()) {
        if (qEnvironmentVariable("CI") == QLatin1String("true"))
            QFAIL("dbus-daemon is missing: scripts/deps.sh installs it (package dbus-daemon)");
        QSKIP("dbus-daemon is not installed (scripts/deps.sh installs it)");
    }
    m_bus.start(daemon,
                {QStringLiteral("--session"), QStringLiteral("--nofork"),
                 QStringLiteral("--print-address")});
    QVERIFY2(m_bus.waitForStarted(5000), qPrintable(m_bus.errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(m_bus.canReadLine() || m_bus.state() != QProcess::Running, 10000);
    const QByteArray address = m_bus.readLine().trimmed();
    QVERIFY2(!address.isEmpty(), m_bus.readAllStandardError().constData());
    // Before anything asks for the session bus: it is this private one.
    qputenv("DBUS_SESSION_BUS_ADDRESS", address);
    QDBusConnection bus = QDBusConnection::sessionBus();
    QVERIFY2(bus.isConnected(), qPrintable(bus.lastError().message()));
    QVERIFY(!DesktopNotifier::isAvailable());
    QVERIFY(bus.registerObject(QStringLiteral("/org/freedesktop/Notifications"), &m_server,
                               QDBusConnection::ExportAllSlots));
    QVERIFY(bus.registerService(QStringLiteral("org.freedesktop.Notifications")));
    QVERIFY(DesktopNotifier::isAvailable());
}

void TestDesktopNotifier::cleanupTestCase()
{
    if (m_bus.state() != QProcess::NotRunning) {
        m_bus.terminate();
        m_bus.waitForFinished(5000);
    }
}

void TestDesktopNotifier::alertReachesTheBus()
{
    TestServer http;
    http.route("/missing", [](TestServer::Exchange *exchange) {
        exchange->respond(404, {{"Content-Type", "text/html"}}, "<p>gone</p>");
    });
    MainWindow window; // picks the desktop notifier: a server is on the bus
    window.show();
    Sse::ClientOptions options;
    options.url = http.url("/missing");
    const quint16 id = window.addConnection(QStringLiteral("missing"), options);
    AlertRule failed;
    failed.kind = AlertRule::Kind::Failed;
    window.workspace()->setAlertRules(id, {failed});
    QTRY_COMPARE(m_server.received.size(), 1);
    QCOMPARE(m_server.received.first(),
             QStringLiteral("SSE Monitor | sse-monitor | missing: connection failed | "
                            "HTTP 404 Not Found"));
}

QTEST_MAIN(TestDesktopNotifier)
#include "tst_desktopnotifier.moc"

// The connection details of the real window say which protocol a stream came over:
// HTTP/2 through a real nginx (ALPN), HTTP/1.1 with the connection's "HTTP/1.1 only" switch.

#include "nginxserver.h"
#include "testserver.h"

#include "recording/recorder.h"
#include "session/workspace.h"
#include "views/connectiondetailtabs.h"
#include "views/connectiondialog.h"
#include "views/connectionspane.h"
#include "views/mainwindow.h"
#include "models/connectionlistmodel.h"

#include <QCheckBox>
#include <QFile>
#include <QPlainTextEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

class TestHttp2Gui : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SSE Monitor Tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_http2gui"));
        QVERIFY(m_backend.isListening());
        m_backend.route("/stream", [](TestServer::Exchange *exchange) {
            exchange->sseHead(TestServer::Framing::Chunked);
            exchange->send(TestServer::formatEvent("{\"over\":\"nginx\"}", "hello", "1"));
        });
        if (NginxServer::executable().isEmpty())
            QFAIL("nginx not found: install nginx-light (scripts/deps.sh installs it)");
        const QString error = m_nginx.start(m_backend.port(), QStringLiteral(TLS_DATA_DIR), NginxServer::Settings());
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
    void init() { QSettings().clear(); }

    void detailsShowProtocol_data()
    {
        QTest::addColumn<bool>("http1Only");
        QTest::addColumn<QString>("expected");
        QTest::newRow("negotiated h2") << false << QStringLiteral("Protocol: HTTP/2");
        QTest::newRow("HTTP/1.1 only") << true << QStringLiteral("Protocol: HTTP/1.1");
    }
    void detailsShowProtocol()
    {
        QFETCH(bool, http1Only);
        QFETCH(QString, expected);
        QTemporaryDir directory;
        QVERIFY(directory.isValid());
        const QString recording = directory.filePath(QStringLiteral("rec.jsonl"));
        MainWindow window;
        window.resize(1280, 820);
        window.show();
        QVERIFY(window.workspace()->startRecording(recording));
        Sse::ClientOptions options;
        options.url = m_nginx.tlsUrl();
        QFile ca(QStringLiteral(TLS_DATA_DIR "/ca.pem"));
        QVERIFY(ca.open(QIODevice::ReadOnly));
        options.caCertificatesPem = ca.readAll();
        options.http1Only = http1Only;
        const quint16 id = window.addConnection(QStringLiteral("via nginx"), options);
        QTRY_VERIFY_WITH_TIMEOUT(window.workspace()->connections()->entry(id)
                                     && window.workspace()->connections()->entry(id)->state
                                         == Sse::Client::State::Open,
                                 10000);
        window.connectionsPane()->selectConnection(id);
        window.detailTabs()->showResponse();
        auto *response = window.detailTabs()->findChild<QPlainTextEdit *>(QStringLiteral("response"));
        QVERIFY(response);
        QTRY_VERIFY2_WITH_TIMEOUT(response->toPlainText().contains(expected),
                                  qPrintable(response->toPlainText()), 5000);
        QCOMPARE(window.workspace()->connections()->entry(id)->http2, !http1Only);
        const QPixmap pixmap = window.grab();
        QVERIFY(!pixmap.isNull());
        const QByteArray screenshots = qgetenv("SSE_MONITOR_SCREENSHOT_DIR");
        if (!screenshots.isEmpty())
            QVERIFY(pixmap.save(QString::fromLocal8Bit(screenshots)
                                + (http1Only ? QStringLiteral("/screenshot-http1.png")
                                             : QStringLiteral("/screenshot-http2.png"))));

        // The recording's open state record says the same.
        QTRY_COMPARE(window.workspace()->recorder()->eventsWritten(), 1);
        QSignalSpy stopped(window.workspace()->recorder(), &Recorder::stopped);
        window.workspace()->stopRecording();
        QVERIFY(stopped.wait(5000));
        QFile file(recording);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray recorded = file.readAll();
        const QByteArray protocol = http1Only ? "HTTP/1.1" : "HTTP/2";
        QVERIFY2(recorded.contains(QByteArray("\"state\":\"open\",\"status\":200,\"protocol\":\"" + protocol + '"')),
                 recorded.constData());
    }

    // The switch in the dialog (Limits & TLS) reads and writes ClientOptions::http1Only.
    void dialogSwitch()
    {
        ConnectionDialog dialog;
        Sse::ClientOptions options;
        options.url = m_nginx.tlsUrl();
        options.http1Only = true;
        dialog.setConnection(QStringLiteral("via nginx"), options);
        auto *check = dialog.findChild<QCheckBox *>(QStringLiteral("http1OnlyCheck"));
        QVERIFY(check);
        QVERIFY(check->isChecked());
        QVERIFY(dialog.options().http1Only);
        check->setChecked(false);
        QVERIFY(!dialog.options().http1Only);
        check->setChecked(true);
        auto *tabs = dialog.findChild<QTabWidget *>();
        QVERIFY(tabs);
        for (int i = 0; i < tabs->count(); ++i) {
            if (tabs->widget(i)->isAncestorOf(check))
                tabs->setCurrentIndex(i);
        }
        dialog.resize(720, 640);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY(check->isVisible());
        const QPixmap pixmap = dialog.grab();
        QVERIFY(!pixmap.isNull());
        const QByteArray directory = qgetenv("SSE_MONITOR_SCREENSHOT_DIR");
        if (!directory.isEmpty())
            QVERIFY(pixmap.save(QString::fromLocal8Bit(directory)
                                + QStringLiteral("/screenshot-http1only-dialog.png")));
    }

private:
    TestServer m_backend;
    NginxServer m_nginx;
};

QTEST_MAIN(TestHttp2Gui)
#include "tst_http2gui.moc"

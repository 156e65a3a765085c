// File > Mock Server (issue 17): the real dialog, offscreen, with sselib's client connected
// to the endpoint it serves; events typed into the form reach every client.

#include "views/mockserverdialog.h"

#include "sselib/sseclient.h"

#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkProxyFactory>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTableWidget>
#include <QTest>
#include <QTranslator>

class tst_MockServerDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QNetworkProxyFactory::setUseSystemConfiguration(false); }
    void init()
    {
        QTest::failOnWarning(QRegularExpression(
            QStringLiteral("^(?!This plugin does not support propagateSizeHints).*")));
    }

    void startsAndStops();
    void sendsTypedEventsToEveryClient();
    void faultsApplyToNewClients();
    void servesARecording_data();
    void servesARecording();
    void unusableRecordings_data();
    void unusableRecordings();
    void chineseScreenshot();
};

namespace {

struct Listener
{
    explicit Listener(const QString &url)
    {
        Sse::ClientOptions options;
        options.url = QUrl(url);
        options.reconnectPolicy = Sse::ReconnectPolicy::Never;
        client.setOptions(options);
        QObject::connect(&client, &Sse::Client::eventsReceived, &client,
                         [this](const Sse::EventBatch &batch) { batch.appendTo(events); });
        client.open();
    }
    Sse::Client client;
    Sse::EventList events;
};

QPushButton *buttonNamed(const QWidget &dialog, const QString &text)
{
    const QList<QPushButton *> buttons = dialog.findChildren<QPushButton *>();
    for (QPushButton *button : buttons) {
        if (button->text() == text)
            return button;
    }
    return nullptr;
}

// A recording of \a count events ("r1", "r2", ...; ids 1, 2, ...) 10 ms apart, as the GUI
// and sse-monitor-cli write them.
QByteArray recordingOf(int count)
{
    QByteArray lines = R"({"kind":"header","format":"sse-monitor-log","version":2,)"
                       R"("connection":"rec","url":"http://127.0.0.1:1/s"})"
                       "\n";
    for (int n = 1; n <= count; ++n) {
        const QByteArray number = QByteArray::number(n);
        lines += R"({"kind":"event","seq":)" + number
            + R"(,"time":"2026-12-01T10:00:00.)" + QByteArray::number(100 + n * 10)
            + R"(Z","connection":"rec","type":"quote","data":"r)" + number + R"(","id":")"
            + number + "\"}\n";
    }
    return lines;
}

} // namespace

void tst_MockServerDialog::startsAndStops()
{
    MockServerDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy serving(&dialog, &MockServerDialog::servingChanged);
    QVERIFY(!dialog.isServing());
    QPushButton *startStop = buttonNamed(dialog, QStringLiteral("Start"));
    QVERIFY(startStop);
    QTest::mouseClick(startStop, Qt::LeftButton);
    QCOMPARE(serving.size(), 1);
    QVERIFY(dialog.isServing());
    QVERIFY(dialog.streamUrl().startsWith(QStringLiteral("http://127.0.0.1:")));
    QCOMPARE(startStop->text(), QStringLiteral("Stop"));
    QVERIFY(!dialog.findChild<QSpinBox *>()->isEnabled()); // the port is fixed while serving

    Listener listener(dialog.streamUrl());
    QTRY_COMPARE(listener.client.state(), Sse::Client::State::Open);
    QTest::mouseClick(startStop, Qt::LeftButton);
    QVERIFY(!dialog.isServing());
    // Stopping closes the clients' streams.
    QTRY_VERIFY(listener.client.state() != Sse::Client::State::Open);

    // Closing the dialog stops a running server too.
    QVERIFY(dialog.start());
    dialog.reject();
    QVERIFY(!dialog.isServing());
    QCOMPARE(serving.size(), 4);
}

void tst_MockServerDialog::sendsTypedEventsToEveryClient()
{
    MockServerDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(dialog.start());
    Listener first(dialog.streamUrl());
    Listener second(dialog.streamUrl());
    auto *clients = dialog.findChild<QTableWidget *>();
    QVERIFY(clients);
    QTRY_COMPARE(clients->rowCount(), 2);
    QVERIFY(clients->item(0, 0)->text().startsWith(QStringLiteral("127.0.0.1:")));

    const QList<QLineEdit *> lines = dialog.findChildren<QLineEdit *>();
    QLineEdit *type = nullptr;
    QLineEdit *id = nullptr;
    for (QLineEdit *line : lines) {
        if (line->placeholderText() == QStringLiteral("message"))
            type = line;
        else if (line->placeholderText() == QStringLiteral("none"))
            id = line;
    }
    QVERIFY(type && id);
    QTest::keyClicks(type, QStringLiteral("price"));
    QTest::keyClicks(id, QStringLiteral("p-7"));
    auto *data = dialog.findChild<QPlainTextEdit *>();
    data->setPlainText(QStringLiteral("{\"symbol\": \"ACME\",\n \"price\": 101.5}"));
    QPushButton *send = buttonNamed(dialog, QStringLiteral("Send to All Clients"));
    QVERIFY(send && send->isEnabled());
    QTest::mouseClick(send, Qt::LeftButton);
    QTRY_COMPARE(first.events.size(), 1);
    QTRY_COMPARE(second.events.size(), 1);
    for (const Listener *listener : {&first, &second}) {
        QCOMPARE(listener->events.first().type, QByteArray("price"));
        QCOMPARE(listener->events.first().lastEventId, QByteArray("p-7"));
        QCOMPARE(listener->events.first().data,
                 QByteArray("{\"symbol\": \"ACME\",\n \"price\": 101.5}"));
    }
    QTRY_COMPARE(clients->item(1, 2)->text(), QStringLiteral("1"));

    // A second event, with the default type.
    type->clear();
    data->setPlainText(QStringLiteral("tick"));
    QCOMPARE(dialog.sendEvent(), 2);
    QTRY_COMPARE(first.events.size(), 2);
    QCOMPARE(first.events.last().type, QByteArray("message"));
    QCOMPARE(first.events.last().lastEventId, QByteArray("p-7")); // the id stays in force

    // Looked at: the dialog with its two clients.
    const QString shot = QDir::current().filePath(QStringLiteral("mockserverdialog.png"));
    QVERIFY(dialog.grab().save(shot));
    qInfo("screenshot: %s", qPrintable(shot));

    second.client.close();
    QTRY_COMPARE(clients->rowCount(), 1);
}

// "Drop after events: 2" and a retry: line: a client gets the retry time and two pushed
// events, then its connection ends; one that connected before the change is not dropped.
void tst_MockServerDialog::faultsApplyToNewClients()
{
    MockServerDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(dialog.start());
    Listener before(dialog.streamUrl());
    auto *clients = dialog.findChild<QTableWidget *>();
    QTRY_COMPARE(clients->rowCount(), 1);

    QSpinBox *dropAfter = nullptr;
    QSpinBox *retry = nullptr;
    for (QSpinBox *box : dialog.findChildren<QSpinBox *>()) {
        if (box->accessibleName() == QStringLiteral("Drop each connection after this many events"))
            dropAfter = box;
        else if (box->accessibleName() == QStringLiteral("retry: line at the start of each stream"))
            retry = box;
    }
    QVERIFY(dropAfter && retry);
    dropAfter->setValue(2);
    retry->setValue(250);
    Listener after(dialog.streamUrl());
    QTRY_COMPARE(clients->rowCount(), 2);
    QTRY_COMPARE(after.client.reconnectionTimeMs(), 250);

    dialog.findChild<QPlainTextEdit *>()->setPlainText(QStringLiteral("one"));
    QCOMPARE(dialog.sendEvent(), 2);
    dialog.findChild<QPlainTextEdit *>()->setPlainText(QStringLiteral("two"));
    QCOMPARE(dialog.sendEvent(), 2);
    QTRY_VERIFY(after.client.state() == Sse::Client::State::Closed);
    QCOMPARE(after.events.size(), 2);
    QTRY_COMPARE(before.events.size(), 2);
    QCOMPARE(before.client.state(), Sse::Client::State::Open);
    QTRY_COMPARE(clients->rowCount(), 1);
    QCOMPARE(dialog.sendEvent(), 1);
    QTRY_COMPARE(before.events.size(), 3);
}

void tst_MockServerDialog::servesARecording_data()
{
    QTest::addColumn<int>("dropAfter"); // 0: never
    QTest::addColumn<int>("recorded");  // what the client gets of the recording
    QTest::addColumn<bool>("held");     // the stream stays open for pushed events
    QTest::newRow("whole, then held open") << 0 << 5 << true;
    QTest::newRow("dropped after 3") << 3 << 3 << false;
}

// A recording chosen in the dialog: a client gets its events, in order and with their ids, at
// the chosen speed; the stream then stays open and a hand-sent event follows; the fault
// options apply to it as to the empty stream.
void tst_MockServerDialog::servesARecording()
{
    QFETCH(int, dropAfter);
    QFETCH(int, recorded);
    QFETCH(bool, held);
    QTemporaryDir directory;
    const QString path = directory.filePath(QStringLiteral("quotes.jsonl"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(recordingOf(5));
    }
    MockServerDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy loaded(&dialog, &MockServerDialog::recordingLoaded);
    dialog.loadRecording(path);
    QVERIFY(loaded.wait(5000));
    QCOMPARE(loaded.first().first().value<qsizetype>(), qsizetype(5));
    QCOMPARE(dialog.source(), MockServerDialog::Source::Recording);
    QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("recordingStatus"))
                ->text()
                .startsWith(QStringLiteral("quotes.jsonl: 5 event")));
    for (QSpinBox *box : dialog.findChildren<QSpinBox *>()) {
        if (box->accessibleName() == QStringLiteral("Drop each connection after this many events"))
            box->setValue(dropAfter);
    }
    QVERIFY(dialog.start());

    Listener listener(dialog.streamUrl());
    QTRY_COMPARE(listener.events.size(), recorded);
    for (int n = 1; n <= recorded; ++n) {
        QCOMPARE(listener.events.at(n - 1).type, QByteArray("quote"));
        QCOMPARE(listener.events.at(n - 1).data, "r" + QByteArray::number(n));
        QCOMPARE(listener.events.at(n - 1).lastEventId, QByteArray::number(n));
    }
    if (!held) {
        QTRY_COMPARE(listener.client.state(), Sse::Client::State::Closed);
        return;
    }
    QCOMPARE(listener.client.state(), Sse::Client::State::Open);
    dialog.findChild<QPlainTextEdit *>()->setPlainText(QStringLiteral("by hand"));
    QCOMPARE(dialog.sendEvent(), 1);
    QTRY_COMPARE(listener.events.size(), recorded + 1);
    QCOMPARE(listener.events.last().data, QByteArray("by hand"));

    // Back to the empty stream: the next client gets nothing recorded.
    dialog.setSource(MockServerDialog::Source::Empty);
    Listener next(dialog.streamUrl());
    QTRY_COMPARE(next.client.state(), Sse::Client::State::Open);
    QCOMPARE(dialog.sendEvent(), 2);
    QTRY_COMPARE(next.events.size(), 1);
    QCOMPARE(next.events.first().data, QByteArray("by hand"));
    const QString shot = QDir::current().filePath(QStringLiteral("mockserverdialog-recording.png"));
    QVERIFY(dialog.grab().save(shot));
    qInfo("screenshot: %s", qPrintable(shot));
}

void tst_MockServerDialog::unusableRecordings_data()
{
    QTest::addColumn<QByteArray>("content"); // empty: the file does not exist
    QTest::addColumn<QString>("error");
    QTest::newRow("missing") << QByteArray() << QString();
    QTest::newRow("no events")
        << QByteArray(R"({"kind":"header","format":"sse-monitor-log","version":2,"connection":"c"})"
                      "\n")
        << QStringLiteral("no events in it");
}

// A recording that cannot be served says why and changes nothing.
void tst_MockServerDialog::unusableRecordings()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, error);
    QTemporaryDir directory;
    const QString path = directory.filePath(QStringLiteral("r.jsonl"));
    if (!content.isEmpty()) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
    }
    MockServerDialog dialog;
    QSignalSpy failed(&dialog, &MockServerDialog::recordingFailed);
    dialog.loadRecording(path);
    QVERIFY(failed.wait(5000));
    if (!error.isEmpty())
        QCOMPARE(failed.first().first().toString(), error);
    QCOMPARE(dialog.source(), MockServerDialog::Source::Empty);
    QCOMPARE(dialog.recordedEventCount(), qsizetype(0));
    QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("recordingStatus"))
                ->text()
                .startsWith(QStringLiteral("Cannot serve r.jsonl")));
}

// The dialog in Chinese, grabbed to look at: the translated labels fit.
void tst_MockServerDialog::chineseScreenshot()
{
    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral(":/i18n/sse-monitor_zh_CN.qm")));
    QCoreApplication::installTranslator(&translator);
    MockServerDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(dialog.start());
    QCOMPARE(dialog.windowTitle(), QStringLiteral("模拟服务器"));
    const QString shot = QDir::current().filePath(QStringLiteral("mockserverdialog-zh_CN.png"));
    QVERIFY(dialog.grab().save(shot));
    qInfo("screenshot: %s", qPrintable(shot));
    QCoreApplication::removeTranslator(&translator);
}

QTEST_MAIN(tst_MockServerDialog)
#include "tst_mockserverdialog.moc"

// Marks, notes, the time reference, time display formats and Compare in the real MainWindow
// (offscreen), against a loopback SSE server and recordings on disk (issue 15).

#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "recording/exportjob.h"
#include "recording/logimporter.h"
#include "recording/recorder.h"
#include "session/workspace.h"
#include "testserver.h"
#include "views/apptheme.h"
#include "views/connectiondetailtabs.h"
#include "views/eventdetailview.h"
#include "views/eventdiffdialog.h"
#include "views/eventlogpane.h"
#include "views/exporteventsdialog.h"
#include "views/filterbar.h"
#include "views/mainwindow.h"
#include "views/uilanguage.h"

#include "charts/chartpanel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

using namespace Qt::StringLiterals;

class TestMarks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void marksWithCtrlM();
    void goesToNextAndPreviousMark();
    void displayFilterSelectsMarked();
    void timeReferenceWithCtrlT();
    void timeDisplayFormats_data();
    void timeDisplayFormats();
    void noteShownOnRowAndInDetail();
    void evictionTakesMarksAlong();
    void budgetRefusesWithoutLosingMarks();
    void marksAndNotesSurviveRecordAndOpen();
    void olderRecordingsAndStrayAnnotations();
    void compareShowsChangedPath();
    void bulkFigures();
    void screenshot();

private:
    // A window connected to /trades with its 30 events in the log, active for shortcuts.
    void openWindow(MainWindow *window);
    void selectRows(MainWindow *window, const QList<int> &rows);
    QString writeRecording(const QTemporaryDir &dir, const QByteArray &extra = {});
    TestServer m_server;
};

namespace {

// 30 events: type trade (even n) or quote, price 100 + n.
QByteArray tradeEvents()
{
    QByteArray wire;
    for (int n = 0; n < 30; ++n) {
        wire += "event: " + QByteArray(n % 2 ? "quote" : "trade") + "\nid: " + QByteArray::number(n)
            + "\ndata: {\"price\": " + QByteArray::number(100 + n)
            + ", \"symbol\": \"ACME\", \"seq\": " + QByteArray::number(n) + "}\n\n";
    }
    return wire;
}

// Times of the events of writeRecording(): 0, +1.5 s, +1.75 s, +4 s.
constexpr qint64 BaseTime = 1'764'648'000'000; // 2025-12-02T04:00:00Z
const qint64 Offsets[] = {0, 1500, 1750, 4000};

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString timeCell(MainWindow &window, int row)
{
    const EventLogModel *log = window.workspace()->logModel();
    return log->index(row, EventLogModel::TimeColumn).data().toString();
}

QString countText(MainWindow &window)
{
    return window.findChild<QLabel *>(u"countLabel"_s)->text();
}

QAction *action(MainWindow &window, const QString &name)
{
    return window.findChild<QAction *>(name);
}

} // namespace

void TestMarks::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"SSE Monitor Tests"_s);
    QCoreApplication::setApplicationName(u"tst_marks"_s);
    QVERIFY(m_server.isListening());
    m_server.route("/trades", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(tradeEvents());
    });
    // For the screenshot: 14 events 70 ms apart, the later ones with a field more.
    m_server.route("/paced", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        for (int n = 0; n < 14; ++n) {
            const QByteArray extra = n >= 6 ? ", \"halted\": true" : "";
            exchange->sendLater(n * 70,
                                "event: " + QByteArray(n % 3 ? "trade" : "quote")
                                    + "\nid: " + QByteArray::number(n)
                                    + "\ndata: {\"price\": " + QByteArray::number(100 + n * n % 17)
                                    + ", \"symbol\": \"ACME\", \"book\": {\"bid\": "
                                    + QByteArray::number(n) + "}" + extra + "}\n\n");
        }
    });
}

void TestMarks::init()
{
    QSettings().clear();
}

void TestMarks::openWindow(MainWindow *window)
{
    window->resize(1200, 700);
    window->show();
    QApplication::setActiveWindow(window);
    QVERIFY(QTest::qWaitForWindowActive(window));
    Sse::ClientOptions options;
    options.url = m_server.url("/trades");
    window->addConnection(u"Trades"_s, options);
    QTRY_COMPARE(window->workspace()->logModel()->rowCount(), 30);
}

void TestMarks::selectRows(MainWindow *window, const QList<int> &rows)
{
    QTableView *view = window->eventLogPane()->eventView();
    view->setFocus();
    view->clearSelection();
    for (int row : rows) {
        const QModelIndex index = view->model()->index(row, EventLogModel::DataColumn);
        view->selectionModel()->setCurrentIndex(
            index, QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
}

QString TestMarks::writeRecording(const QTemporaryDir &dir, const QByteArray &extra)
{
    QByteArray text = "{\"kind\":\"header\",\"format\":\"sse-monitor-log\",\"version\":2,"
                      "\"connection\":\"timed\",\"url\":\"http://127.0.0.1:1/t\"}\n";
    for (int n = 0; n < 4; ++n) {
        text += "{\"kind\":\"event\",\"seq\":" + QByteArray::number(n + 1) + ",\"time\":\""
            + isoTime(BaseTime + Offsets[n]).toLatin1()
            + "\",\"type\":\"tick\",\"data\":\"{\\\"n\\\":" + QByteArray::number(n)
            + "}\",\"id\":\"" + QByteArray::number(n) + "\",\"connection\":\"timed\"}\n";
    }
    text += extra;
    const QString path = dir.filePath(u"timed.jsonl"_s);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size())
        return QString();
    return path;
}

void TestMarks::marksWithCtrlM()
{
    MainWindow window;
    openWindow(&window);
    EventLogModel *log = window.workspace()->logModel();
    QAbstractItemModelTester tester(log, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTableView *view = window.eventLogPane()->eventView();
    QSignalSpy changed(log, &EventLogModel::annotationsChanged);

    selectRows(&window, {3});
    QTest::keyClick(view, Qt::Key_M, Qt::ControlModifier);
    QCOMPARE(changed.size(), 1);
    QVERIFY(log->index(3, 0).data(EventLogModel::UserMarkRole).toBool());
    QVERIFY(!log->index(4, 0).data(EventLogModel::UserMarkRole).toBool());
    // The marker: a colour in the first column, not the row's background (left to colouring
    // rules).
    QCOMPARE(log->index(3, EventLogModel::TimeColumn).data(Qt::DecorationRole).typeId(),
             QMetaType::QColor);
    QVERIFY(!log->index(4, EventLogModel::TimeColumn).data(Qt::DecorationRole).isValid());
    QVERIFY(!log->index(3, EventLogModel::DataColumn).data(Qt::BackgroundRole).isValid());
    QTRY_VERIFY2(countText(window).contains(u"1 marked"_s), qPrintable(countText(window)));

    // Several rows: marks those not marked; once all are, Ctrl+M unmarks them all.
    selectRows(&window, {3, 5, 9});
    QTest::keyClick(view, Qt::Key_M, Qt::ControlModifier);
    QCOMPARE(log->annotations().markedCount(), 3);
    QTRY_VERIFY2(countText(window).contains(u"3 marked"_s), qPrintable(countText(window)));
    QTest::keyClick(view, Qt::Key_M, Qt::ControlModifier);
    QCOMPARE(log->annotations().markedCount(), 0);
    QVERIFY(!log->index(3, 0).data(EventLogModel::UserMarkRole).toBool());
    QTRY_VERIFY(!countText(window).contains(u"marked"_s));

    // The Edit menu and the context menu carry the same action.
    QAction *mark = action(window, u"markAction"_s);
    QVERIFY(mark);
    QCOMPARE(mark->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_M));
    bool inEditMenu = false;
    for (QMenu *menu : window.findChildren<QMenu *>()) {
        if (menu->title() == u"&Edit"_s)
            inEditMenu = menu->actions().contains(mark);
    }
    QVERIFY(inEditMenu);
}

// `marked` in the log's filter bar shows the marked events; a change of marks re-filters. The
// chart's bar tests events as they arrive, which cannot be marked, so it rejects `marked`.
void TestMarks::displayFilterSelectsMarked()
{
    MainWindow window;
    openWindow(&window);
    EventLogModel *log = window.workspace()->logModel();
    QAbstractItemModelTester tester(log, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTableView *view = window.eventLogPane()->eventView();
    selectRows(&window, {3, 8});
    QTest::keyClick(view, Qt::Key_M, Qt::ControlModifier);
    QCOMPARE(log->annotations().markedCount(), 2);

    FilterBar *bar = window.eventLogPane()->findChild<FilterBar *>();
    QVERIFY(bar);
    bar->setText(u"marked"_s);
    QVERIFY2(bar->statusLabel()->text().isEmpty(), qPrintable(bar->statusLabel()->text()));
    QTRY_COMPARE(log->rowCount(), 2);
    QTRY_VERIFY(!log->isRescanning());
    QCOMPARE(log->index(0, EventLogModel::IdColumn).data().toString(), u"3"_s);
    QCOMPARE(log->index(1, EventLogModel::IdColumn).data().toString(), u"8"_s);

    bar->setText(u"marked && data.price > 105"_s);
    QTRY_COMPARE(log->rowCount(), 1);
    bar->setText(u"!marked"_s);
    QTRY_COMPARE(log->rowCount(), 28);
    QTRY_VERIFY(!log->isRescanning());
    // Marking one of the shown events takes it out of `!marked`.
    selectRows(&window, {0});
    QTest::keyClick(view, Qt::Key_M, Qt::ControlModifier);
    QCOMPARE(log->annotations().markedCount(), 3);
    QTRY_COMPARE(log->rowCount(), 27);
    bar->setText(u"marked == true"_s);
    QTRY_COMPARE(log->rowCount(), 3);

    const QString directory = qEnvironmentVariable("SSE_MONITOR_SCREENSHOT_DIR", QDir::tempPath());
    QVERIFY(window.grab().save(directory + u"/marks-filter.png"_s));

    ChartPanel *chart = window.findChild<ChartPanel *>();
    QVERIFY(chart);
    FilterBar *chartBar = chart->findChild<FilterBar *>();
    QVERIFY(chartBar);
    chartBar->setText(u"marked"_s);
    QTRY_VERIFY2(chartBar->edit()->toolTip().contains(u"'marked' is not available here"_s),
                 qPrintable(chartBar->edit()->toolTip()));
    QVERIFY(chartBar->appliedExpression().isEmpty());
}

void TestMarks::goesToNextAndPreviousMark()
{
    MainWindow window;
    openWindow(&window);
    EventLogModel *log = window.workspace()->logModel();
    QTableView *view = window.eventLogPane()->eventView();
    QVERIFY(window.workspace()->setEventsMarked({log->sequenceAt(5), log->sequenceAt(20)}, true));
    selectRows(&window, {0});

    QTest::keyClick(view, Qt::Key_N, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(view->currentIndex().row(), 5);
    QTest::keyClick(view, Qt::Key_N, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(view->currentIndex().row(), 20);
    QTest::keyClick(view, Qt::Key_N, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(view->currentIndex().row(), 20); // no further mark: stays
    QTest::keyClick(view, Qt::Key_B, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(view->currentIndex().row(), 5);
    QTest::keyClick(view, Qt::Key_B, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(view->currentIndex().row(), 5);
    QCOMPARE(window.eventLogPane()->selectedSequences(), QList<qint64> {log->sequenceAt(5)});

    // The keys are the window's, from the search field too, and no other action has them.
    window.eventLogPane()->searchEdit()->setFocus();
    QTest::keyClick(window.eventLogPane()->searchEdit(), Qt::Key_N,
                    Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(view->currentIndex().row(), 20);
    const QList<QKeySequence> keys {
        QKeySequence(Qt::CTRL | Qt::Key_M), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N),
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B), QKeySequence(Qt::CTRL | Qt::Key_T)};
    for (const QKeySequence &key : keys) {
        int owners = 0;
        for (QAction *candidate : window.findChildren<QAction *>())
            owners += candidate->shortcuts().contains(key) ? 1 : 0;
        QVERIFY2(owners == 1, qPrintable(key.toString()));
    }
    selectRows(&window, {5});

    // A mark the display filter hides is passed over.
    QVERIFY(window.workspace()->setEventsMarked({log->sequenceAt(12)}, true)); // even: trade
    const qint64 twenty = log->sequenceAt(20); // trade too
    window.eventLogPane()->searchEdit()->setText(u"quote"_s);
    QTest::keyClick(window.eventLogPane()->searchEdit(), Qt::Key_Return);
    QTRY_COMPARE(log->rowCount(), 15);
    QVERIFY(window.workspace()->setEventsMarked({log->sequenceAt(10)}, true)); // a quote
    selectRows(&window, {0});
    QTest::keyClick(view, Qt::Key_N, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(view->currentIndex().row(), 2); // event 5, the quote marked first
    QTest::keyClick(view, Qt::Key_N, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(view->currentIndex().row(), 10);
    QVERIFY(log->rowOfSequence(twenty) < 0);
}

void TestMarks::timeReferenceWithCtrlT()
{
    MainWindow window;
    openWindow(&window);
    EventLogModel *log = window.workspace()->logModel();
    QTableView *view = window.eventLogPane()->eventView();
    const QString before = timeCell(window, 4);
    QVERIFY(before.contains(u':')); // time of day
    selectRows(&window, {4});
    QTest::keyClick(view, Qt::Key_T, Qt::ControlModifier);
    QCOMPARE(log->timeReference(), log->sequenceAt(4));
    QCOMPARE(timeCell(window, 4), u"*REF*"_s);
    QCOMPARE(timeCell(window, 5), log->index(5, 0).data().toString());
    QVERIFY(timeCell(window, 5).contains(u':'));
    QTest::keyClick(view, Qt::Key_T, Qt::ControlModifier);
    QCOMPARE(log->timeReference(), -1);
    QCOMPARE(timeCell(window, 4), before);
}

void TestMarks::timeDisplayFormats_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<int>("reference"); // row, -1 for none
    QTest::addColumn<QStringList>("cells");

    QStringList timeOfDay;
    QStringList dateAndTime;
    for (qint64 offset : Offsets) {
        const QDateTime time = QDateTime::fromMSecsSinceEpoch(BaseTime + offset);
        timeOfDay.append(time.toString(u"hh:mm:ss.zzz"_s));
        dateAndTime.append(time.toString(u"yyyy-MM-dd hh:mm:ss.zzz"_s));
    }
    QTest::newRow("time of day") << u"time-of-day"_s << -1 << timeOfDay;
    QTest::newRow("date and time") << u"date-and-time"_s << -1 << dateAndTime;
    QTest::newRow("since first") << u"since-first"_s << -1
                                 << QStringList {u"0.000"_s, u"1.500"_s, u"1.750"_s, u"4.000"_s};
    QTest::newRow("since previous") << u"since-previous"_s << -1
                                    << QStringList {u"0.000"_s, u"1.500"_s, u"0.250"_s, u"2.250"_s};
    QTest::newRow("since reference")
        << u"since-reference"_s << 1
        << QStringList {u"-1.500"_s, u"*REF*"_s, u"0.250"_s, u"2.500"_s};
    QTest::newRow("since reference, none set")
        << u"since-reference"_s << -1
        << QStringList {u"0.000"_s, u"1.500"_s, u"1.750"_s, u"4.000"_s};
    QTest::newRow("reference in another format")
        << u"since-previous"_s << 2 << QStringList {u"0.000"_s, u"1.500"_s, u"*REF*"_s, u"2.250"_s};
}

void TestMarks::timeDisplayFormats()
{
    QFETCH(QString, format);
    QFETCH(int, reference);
    QFETCH(QStringList, cells);

    QTemporaryDir dir;
    const QString path = writeRecording(dir);
    QVERIFY(!path.isEmpty());
    MainWindow window;
    window.show();
    QVERIFY(window.workspace()->openRecording(path));
    EventLogModel *log = window.workspace()->logModel();
    QTRY_COMPARE(log->rowCount(), 4);

    QAction *choice = action(window, u"timeFormat-"_s + format);
    QVERIFY(choice);
    QVERIFY(window.eventLogPane()->timeFormatMenu()->actions().contains(choice));
    choice->trigger();
    QVERIFY(choice->isChecked());
    if (reference >= 0)
        log->setTimeReference(log->sequenceAt(reference));
    QStringList shown;
    for (int row = 0; row < 4; ++row)
        shown.append(timeCell(window, row));
    QCOMPARE(shown, cells);
    // Remembered: a new window starts with the format chosen last.
    QCOMPARE(QSettings().value(u"log/timeFormat"_s).toString(), format);
    MainWindow next;
    QVERIFY(action(next, u"timeFormat-"_s + format)->isChecked());
    QCOMPARE(next.workspace()->logModel()->timeFormat(), log->timeFormat());
}

void TestMarks::noteShownOnRowAndInDetail()
{
    MainWindow window;
    openWindow(&window);
    EventLogModel *log = window.workspace()->logModel();
    selectRows(&window, {6});
    QAction *note = action(window, u"noteAction"_s);
    QVERIFY(note && note->isEnabled());
    // The note dialog: typed into and accepted as a user would.
    QTimer::singleShot(0, this, [] {
        auto *dialog = qobject_cast<QInputDialog *>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        auto *edit = dialog->findChild<QPlainTextEdit *>();
        if (edit) {
            QTest::keyClicks(edit, u"price spike"_s);
            edit->insertPlainText(u" · 看这里"_s); // key events carry Latin-1 only
        }
        dialog->accept();
    });
    note->trigger();
    const qint64 sequence = log->sequenceAt(6);
    QCOMPARE(log->annotations().note(sequence), u"price spike · 看这里"_s);
    QVERIFY(
        log->index(6, EventLogModel::DataColumn).data().toString().startsWith(QChar(u'\u270e')));
    QVERIFY(
        !log->index(7, EventLogModel::DataColumn).data().toString().startsWith(QChar(u'\u270e')));
    QCOMPARE(log->index(6, EventLogModel::TimeColumn).data(Qt::ToolTipRole).toString(),
             u"Note: price spike · 看这里"_s);
    QCOMPARE(log->index(6, 0).data(EventLogModel::NoteRole).toString(), u"price spike · 看这里"_s);
    QCOMPARE(note->text(), u"Edit &Note…"_s);

    EventDetailView *detail = window.findChild<EventDetailView *>();
    auto *label = detail->findChild<QLabel *>(u"eventNote"_s);
    QVERIFY(label);
    QTRY_VERIFY(label->isVisible());
    QCOMPARE(label->text(), u"Note: price spike · 看这里"_s);
    selectRows(&window, {7});
    QTRY_VERIFY(!label->isVisible());
    // Removed by an empty note.
    QVERIFY(window.workspace()->setEventNote(sequence, QString()));
    QVERIFY(!log->annotations().hasNote(sequence));
    QVERIFY(
        !log->index(6, EventLogModel::DataColumn).data().toString().startsWith(QChar(u'\u270e')));
    // Too long: refused, nothing changes.
    QVERIFY(!window.workspace()->setEventNote(
        sequence, QString(EventAnnotations::MaximumNoteLength + 1, u'x')));
    QVERIFY(!log->annotations().hasNote(sequence));
}

void TestMarks::evictionTakesMarksAlong()
{
    EventLogModel log;
    log.setCapacity(16); // chunks of one event: eviction is exact
    QSignalSpy changed(&log, &EventLogModel::annotationsChanged);
    Sse::EventList events;
    for (int n = 0; n < 16; ++n)
        events.append(Sse::Event {"tick", QByteArray::number(n), QByteArray::number(n), -1, n});
    log.ingest(1, events);
    log.flush();
    QVERIFY(log.setMarked(2, true));
    QVERIFY(log.setNote(3, u"kept?"_s));
    QVERIFY(log.setMarked(10, true));
    log.setTimeReference(2);
    QCOMPARE(log.annotations().markedCount(), 2);
    changed.clear();

    // Four more: events 0..3 go, and their mark, note and the reference with them.
    log.ingest(1, events.mid(0, 4));
    log.flush();
    QCOMPARE(log.store().firstSequence(), 4);
    QCOMPARE(log.annotations().markedCount(), 1);
    QCOMPARE(log.annotations().noteCount(), 0);
    QVERIFY(!log.annotations().isMarked(2));
    QVERIFY(log.annotations().isMarked(10));
    QCOMPARE(log.annotations().entries().size(), size_t(1));
    QCOMPARE(log.annotations().heldBytes(), EventAnnotations::EntryOverheadBytes);
    QCOMPARE(log.timeReference(), -1);
    QVERIFY(!changed.isEmpty());
    // An evicted event cannot be marked.
    QVERIFY(!log.setMarked(1, true));
    log.clear();
    QCOMPARE(log.annotations().markedCount(), 0);
}

void TestMarks::budgetRefusesWithoutLosingMarks()
{
    EventAnnotations annotations;
    annotations.setByteBudget(EventAnnotations::EntryOverheadBytes * 3);
    QVERIFY(annotations.setMarked(1, true));
    QVERIFY(annotations.setMarked(2, true));
    QVERIFY(annotations.setMarked(3, true));
    QCOMPARE(annotations.heldBytes(), EventAnnotations::EntryOverheadBytes * 3);
    QVERIFY(!annotations.setMarked(4, true)); // full: refused
    QVERIFY(!annotations.setNote(1, u"no room"_s));
    QCOMPARE(annotations.markedCount(), 3);
    QVERIFY(annotations.isMarked(1) && annotations.isMarked(3) && !annotations.isMarked(4));
    QVERIFY(annotations.setMarked(2, false)); // unmarking always works and frees room
    QVERIFY(annotations.setMarked(4, true));
    QCOMPARE(annotations.nextMarked(1), 3);
    QCOMPARE(annotations.previousMarked(4), 3);
    QCOMPARE(annotations.previousMarked(1), -1);
    QCOMPARE(annotations.nextMarked(4), -1);
}

void TestMarks::marksAndNotesSurviveRecordAndOpen()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"marked.jsonl"_s);
    {
        MainWindow window;
        // Recording first, then the connection: the marks come later in the file than the
        // events they are on.
        QVERIFY(window.workspace()->startRecording(path, Workspace::RawCapture::Off));
        openWindow(&window);
        EventLogModel *log = window.workspace()->logModel();
        QTRY_COMPARE(window.workspace()->recorder()->eventsWritten(), 30);
        selectRows(&window, {3});
        QTest::keyClick(window.eventLogPane()->eventView(), Qt::Key_M, Qt::ControlModifier);
        QVERIFY(
            window.workspace()->setEventsMarked({log->sequenceAt(7), log->sequenceAt(8)}, true));
        QVERIFY(window.workspace()->setEventNote(log->sequenceAt(7), u"look \"here\"\n2nd line"_s));
        QVERIFY(window.workspace()->setEventsMarked({log->sequenceAt(8)}, false)); // last wins
        QVERIFY(window.workspace()->setEventNote(log->sequenceAt(12), u"note only"_s));
        QSignalSpy stopped(window.workspace()->recorder(), &Recorder::stopped);
        window.workspace()->stopRecording();
        QVERIFY(stopped.wait(5000));
    }
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray content = file.readAll();
    // Ctrl+M on 3, marks on 7 and 8, the note on 7, 8 unmarked, the note on 12.
    QCOMPARE(content.count("\"kind\":\"annotation\""), 6);
    QVERIFY(content.contains("\"marked\":true"));

    MainWindow reader;
    reader.show();
    QSignalSpy messages(reader.workspace(), &Workspace::message);
    LogImporter *importer = reader.workspace()->openRecording(path);
    QVERIFY(importer);
    QSignalSpy finished(importer, &LogImporter::finished);
    QVERIFY(finished.wait(10000));
    EventLogModel *log = reader.workspace()->logModel();
    QTRY_COMPARE(log->rowCount(), 30);
    auto idAt = [log](int row) {
        return log->index(row, EventLogModel::IdColumn).data().toString();
    };
    QCOMPARE(idAt(3), u"3"_s);
    QList<int> marked;
    for (int row = 0; row < log->rowCount(); ++row) {
        if (log->index(row, 0).data(EventLogModel::UserMarkRole).toBool())
            marked.append(row);
    }
    QCOMPARE(marked, (QList<int> {3, 7}));
    QCOMPARE(log->annotations().note(log->sequenceAt(7)), u"look \"here\"\n2nd line"_s);
    QCOMPARE(log->annotations().note(log->sequenceAt(12)), u"note only"_s);
    QCOMPARE(log->annotations().noteCount(), 2);
    QTRY_VERIFY2(countText(reader).contains(u"2 marked"_s), qPrintable(countText(reader)));
    // Export offers the marked events on their own.
    QCOMPARE(ExportJob::markedSequences(*log), (QList<qint64>{log->sequenceAt(3), log->sequenceAt(7)}));
    ExportEventsDialog exportDialog(30, 30, 0);
    QComboBox *scopes = nullptr;
    for (QComboBox *combo : exportDialog.findChildren<QComboBox *>()) {
        if (combo->findText(u"All events (30)"_s) >= 0)
            scopes = combo;
    }
    QVERIFY(scopes && scopes->findText(u"Marked events (2)"_s) < 0);
    exportDialog.setMarkedCount(2);
    QVERIFY(scopes->findText(u"Marked events (2)"_s) >= 0);
    scopes->setCurrentIndex(scopes->findText(u"Marked events (2)"_s));
    QCOMPARE(exportDialog.scope(), ExportEventsDialog::Scope::Marked);

    // Exported again as JSON Lines (Save of an opened recording), the marks and notes go along.
    const QString exported = dir.filePath(u"exported.jsonl"_s);
    ExportJob *job = reader.workspace()->exportEvents(ExportFormat::JsonLines, exported,
                                                      ExportJob::visibleSequences(*log));
    QVERIFY(job);
    QSignalSpy written(job, &ExportJob::finished);
    QVERIFY(written.wait(10000));
    QVERIFY(written.first().at(0).toBool());
    MainWindow again;
    again.show();
    LogImporter *second = again.workspace()->openRecording(exported);
    QVERIFY(second);
    QSignalSpy secondFinished(second, &LogImporter::finished);
    QVERIFY(secondFinished.wait(10000));
    EventLogModel *copy = again.workspace()->logModel();
    QTRY_COMPARE(copy->rowCount(), 30);
    QVERIFY(copy->annotations().isMarked(copy->sequenceAt(3)));
    QVERIFY(copy->annotations().isMarked(copy->sequenceAt(7)));
    QCOMPARE(copy->annotations().markedCount(), 2);
    QCOMPARE(copy->annotations().note(copy->sequenceAt(7)), u"look \"here\"\n2nd line"_s);
    QCOMPARE(copy->annotations().note(copy->sequenceAt(12)), u"note only"_s);
}

void TestMarks::olderRecordingsAndStrayAnnotations()
{
    // A file with no annotation records opens as before; records naming no event, another
    // type, a broken one, or the same event twice (the last wins) are handled.
    QTemporaryDir dir;
    const QByteArray extra = "{\"kind\":\"annotation\",\"time\":\""
        + isoTime(BaseTime + 9000).toLatin1() + "\",\"connection\":\"timed\",\"event_time\":\""
        + isoTime(BaseTime + 1500).toLatin1()
        + "\",\"event_index\":0,\"type\":\"tick\",\"marked\":true,\"note\":\"first\"}\n"
          "{\"kind\":\"annotation\",\"connection\":\"timed\",\"event_time\":\""
        + isoTime(BaseTime + 1500).toLatin1()
        + "\",\"event_index\":0,\"type\":\"tick\",\"marked\":true,\"note\":\"second\"}\n"
          "{\"kind\":\"annotation\",\"connection\":\"timed\",\"event_time\":\""
        + isoTime(BaseTime + 4000).toLatin1()
        + "\",\"event_index\":0,\"type\":\"other\",\"marked\":true,\"note\":\"\"}\n"
          "{\"kind\":\"annotation\",\"connection\":\"timed\",\"event_time\":\""
        + isoTime(BaseTime + 4000).toLatin1()
        + "\",\"event_index\":3,\"type\":\"tick\",\"marked\":true,\"note\":\"\"}\n"
          "{\"kind\":\"annotation\",\"connection\":\"timed\",\"event_index\":\"x\"}\n"
          "{\"kind\":\"annotation\",\"connection\":\"timed\",\"event_time\":\""
        + isoTime(BaseTime).toLatin1()
        + "\",\"event_index\":0,\"type\":\"tick\",\"marked\":false,\"note\":\""
        + QByteArray(5000, 'n') + "\"}\n";
    const QString path = writeRecording(dir, extra);
    MainWindow window;
    window.show();
    LogImporter *importer = window.workspace()->openRecording(path);
    QVERIFY(importer);
    QSignalSpy finished(importer, &LogImporter::finished);
    QVERIFY(finished.wait(10000));
    const LogImporter::Statistics stats = finished.first().first().value<LogImporter::Statistics>();
    QCOMPARE(stats.events, 4);
    QCOMPARE(stats.skippedLines, 0);
    EventLogModel *log = window.workspace()->logModel();
    QTRY_COMPARE(log->rowCount(), 4);
    QCOMPARE(log->annotations().markedCount(), 1);
    QVERIFY(log->annotations().isMarked(log->sequenceAt(1)));
    QCOMPARE(log->annotations().note(log->sequenceAt(1)), u"second"_s);
    // A note longer than a note can be is cut, not refused.
    QCOMPARE(log->annotations().note(log->sequenceAt(0)),
             QString(EventAnnotations::MaximumNoteLength, u'n'));

    const QString plain = writeRecording(dir);
    MainWindow older;
    older.show();
    QVERIFY(older.workspace()->openRecording(plain));
    QTRY_COMPARE(older.workspace()->logModel()->rowCount(), 4);
    QCOMPARE(older.workspace()->logModel()->annotations().markedCount(), 0);
}

void TestMarks::compareShowsChangedPath()
{
    MainWindow window;
    openWindow(&window);
    selectRows(&window, {2, 4});
    QAction *compare = action(window, u"compareAction"_s);
    QVERIFY(compare && compare->isEnabled());
    compare->trigger();
    auto *dialog = window.findChild<EventDiffDialog *>();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QTreeWidget *changes = dialog->changesView();
    QCOMPARE(changes->topLevelItemCount(), 2);
    QCOMPARE(changes->topLevelItem(0)->text(EventDiffDialog::PathColumn), u"data.price"_s);
    QCOMPARE(changes->topLevelItem(0)->text(EventDiffDialog::ChangeColumn), u"Changed"_s);
    QCOMPARE(changes->topLevelItem(0)->text(EventDiffDialog::OldColumn), u"102"_s);
    QCOMPARE(changes->topLevelItem(0)->text(EventDiffDialog::NewColumn), u"104"_s);
    QCOMPARE(changes->topLevelItem(1)->text(EventDiffDialog::PathColumn), u"data.seq"_s);
    dialog->close();
    QTRY_VERIFY(!window.findChild<EventDiffDialog *>());
    selectRows(&window, {2});
    QVERIFY(!compare->isEnabled());

    // The detail view: compare with the previous event of the same type (row 5 is a quote:
    // the previous quote is row 3).
    selectRows(&window, {5});
    auto *previous = window.findChild<QPushButton *>(u"comparePreviousButton"_s);
    QVERIFY(previous);
    QTRY_VERIFY(previous->isEnabled());
    QTest::mouseClick(previous, Qt::LeftButton);
    dialog = window.findChild<EventDiffDialog *>();
    QVERIFY(dialog);
    QCOMPARE(dialog->changesView()->topLevelItem(0)->text(EventDiffDialog::OldColumn), u"103"_s);
    QCOMPARE(dialog->changesView()->topLevelItem(0)->text(EventDiffDialog::NewColumn), u"105"_s);
    dialog->close();
    // The first trade has no earlier trade.
    selectRows(&window, {0});
    QTRY_VERIFY(!previous->isEnabled());
}

void TestMarks::bulkFigures()
{
    // Not a benchmark: the figures quoted in the final report, with their correctness checked.
    EventLogModel log;
    Sse::EventList events;
    events.reserve(1000);
    for (int n = 0; n < 1000; ++n)
        events.append(Sse::Event {"tick", "{\"n\":" + QByteArray::number(n) + "}", {}, -1, n});
    for (int batch = 0; batch < 200; ++batch)
        log.ingest(1, events);
    log.flush();
    QCOMPARE(log.rowCount(), 200000);
    QList<qint64> all;
    all.reserve(log.rowCount());
    for (int row = 0; row < log.rowCount(); ++row)
        all.append(log.sequenceAt(row));
    QSignalSpy changed(&log, &EventLogModel::annotationsChanged);
    QElapsedTimer clock;
    clock.start();
    qsizetype refused = 0;
    const QList<qint64> marked = log.setMarked(all, true, &refused);
    const qint64 markMs = clock.elapsed();
    QCOMPARE(changed.size(), 1);
    // 64 bytes a mark: 4 MiB hold 65,536 of them; the rest are refused, none dropped.
    QCOMPARE(marked.size(),
             EventAnnotations::DefaultByteBudget / EventAnnotations::EntryOverheadBytes);
    QCOMPARE(refused, all.size() - marked.size());
    QCOMPARE(log.annotations().heldBytes(), EventAnnotations::DefaultByteBudget);
    clock.restart();
    qint64 steps = 0;
    for (qint64 at = log.annotations().nextMarked(-1); at >= 0;
         at = log.annotations().nextMarked(at))
        ++steps;
    const qint64 walkMs = clock.elapsed();
    QCOMPARE(steps, qint64(marked.size()));

    QByteArray a = "{\"items\":[";
    QByteArray b = a;
    for (int i = 0; i < 20000; ++i) {
        a += QByteArray(i ? "," : "") + "{\"id\":" + QByteArray::number(i) + ",\"v\":1}";
        b += QByteArray(i ? "," : "") + "{\"id\":" + QByteArray::number(i)
            + ",\"v\":" + QByteArray::number(i % 2) + "}";
    }
    a += "]}";
    b += "]}";
    clock.restart();
    const JsonDiff::Result result = JsonDiff::compare(a, b);
    const qint64 diffMs = clock.elapsed();
    QVERIFY(result.truncated);
    QCOMPARE(result.changes.size(), JsonDiff::DefaultMaximumChanges);
    qInfo("marking 200,000 events: %lld ms (%lld kept, %lld refused); walking %lld marks: %lld ms;"
          " diff of two %lld-byte documents: %lld ms",
          markMs, qint64(marked.size()), qint64(refused), steps, walkMs, qint64(a.size()), diffMs);
}

void TestMarks::screenshot()
{
    // Pictures for the docs read as the app does, with its English catalogue.
    if (!qEnvironmentVariableIsEmpty("SSE_MONITOR_SCREENSHOT_DIR"))
        QVERIFY(UiLanguage::install(QStringLiteral("en")));
    MainWindow window;
    // Tall enough for the log to show the marks, the note and the reference together (the
    // detail tabs take at least 464 px: the LLM page's timing chart).
    window.resize(1200, 820);
    window.show();
    Sse::ClientOptions options;
    options.url = m_server.url("/paced");
    window.addConnection(u"Paced"_s, options);
    EventLogModel *log = window.workspace()->logModel();
    QTRY_COMPARE(log->rowCount(), 14);
    QVERIFY(window.workspace()->setEventsMarked(
        {log->sequenceAt(2), log->sequenceAt(5), log->sequenceAt(6)}, true));
    QVERIFY(window.workspace()->setEventNote(log->sequenceAt(6), u"halted from here on"_s));
    action(window, u"timeFormat-since-reference"_s)->trigger();
    log->setTimeReference(log->sequenceAt(4));
    window.eventLogPane()->followAction()->setChecked(false);
    selectRows(&window, {6});
    window.eventLogPane()->eventView()->scrollToTop();
    QCOMPARE(timeCell(window, 4), u"*REF*"_s);
    QVERIFY(timeCell(window, 5).startsWith(u"0."_s));
    QVERIFY(timeCell(window, 3).startsWith(u"-0."_s));
    const QString directory = qEnvironmentVariable("SSE_MONITOR_SCREENSHOT_DIR", QDir::tempPath());
    QVERIFY(window.grab().save(directory + u"/marks-log.png"_s));
    // The mark stays visible on a dark palette.
    AppTheme::apply(AppTheme::Theme::Dark);
    QTRY_VERIFY(window.eventLogPane()->eventView()->palette().color(QPalette::Base).lightness()
                < 100);
    QVERIFY(window.grab().save(directory + u"/marks-log-dark.png"_s));
    AppTheme::apply(AppTheme::Theme::System);
    selectRows(&window, {5, 6});
    action(window, u"compareAction"_s)->trigger();
    auto *dialog = window.findChild<EventDiffDialog *>();
    QVERIFY(dialog);
    QVERIFY(dialog->grab().save(directory + u"/marks-compare.png"_s));
}

QTEST_MAIN(TestMarks)
#include "tst_marks.moc"

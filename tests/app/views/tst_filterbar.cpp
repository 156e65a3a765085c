// The display filter row of the real MainWindow (offscreen) against a loopback SSE server:
// applying, colours, errors without reflow, completion, history and saved filters.

#include "models/eventlogmodel.h"
#include "session/workspace.h"
#include "testserver.h"
#include "views/eventlogpane.h"
#include "views/filterbar.h"
#include "views/mainwindow.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QToolButton>

using namespace Qt::StringLiterals;

class TestFilterBar : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void appliesAndCombinesWithSearch_data();
    void appliesAndCombinesWithSearch();
    void invalidTurnsRedWithoutReflow();
    void completesPathsSeen();
    void keepsHistoryAndSavedFilters();

private:
    // A window connected to /trades with its 30 events in the log.
    void openWindow(MainWindow *window);
    TestServer m_server;
};

namespace {

// 30 events: type trade (even n) or quote, price 100 + n, symbol ACME (n % 3 == 0) or INIT.
QByteArray tradeEvents()
{
    QByteArray wire;
    for (int n = 0; n < 30; ++n) {
        wire += "event: " + QByteArray(n % 2 ? "quote" : "trade") + "\nid: "
                + QByteArray::number(n) + "\ndata: {\"price\": " + QByteArray::number(100 + n)
                + ", \"symbol\": \"" + (n % 3 ? "INIT" : "ACME")
                + "\", \"book\": {\"bid\": 1, \"ask me\": 2}}\n\n";
    }
    return wire;
}

QString countText(MainWindow &window)
{
    return window.findChild<QLabel *>(u"countLabel"_s)->text();
}

} // namespace

void TestFilterBar::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"SSE Monitor Tests"_s);
    QCoreApplication::setApplicationName(u"tst_filterbar"_s);
    QVERIFY(m_server.isListening());
    m_server.route("/trades", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(tradeEvents());
    });
}

void TestFilterBar::init()
{
    QSettings().clear();
}

void TestFilterBar::openWindow(MainWindow *window)
{
    window->resize(1100, 600);
    window->show();
    Sse::ClientOptions options;
    options.url = m_server.url("/trades");
    window->addConnection(u"Trades"_s, options);
    QTRY_COMPARE(window->workspace()->logModel()->rowCount(), 30);
}

void TestFilterBar::appliesAndCombinesWithSearch_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("search");
    QTest::addColumn<int>("shown");

    QTest::newRow("path") << u"data.price >= 120"_s << QString() << 10;
    QTest::newRow("type and path") << u"type == \"trade\" && data.price >= 120"_s << QString()
                                   << 5;
    QTest::newRow("and the search text") << u"data.price >= 120"_s << u"ACME"_s << 3;
    QTest::newRow("quoted name") << u"data.book[\"ask me\"] == 2 && id < 3"_s << QString() << 3;
    QTest::newRow("connection") << u"connection == \"Trades\""_s << QString() << 30;
}

void TestFilterBar::appliesAndCombinesWithSearch()
{
    QFETCH(QString, expression);
    QFETCH(QString, search);
    QFETCH(int, shown);

    MainWindow window;
    openWindow(&window);
    FilterBar *bar = window.eventLogPane()->displayFilterBar();
    if (!search.isEmpty()) {
        window.eventLogPane()->searchEdit()->setText(search);
        QTest::keyClick(window.eventLogPane()->searchEdit(), Qt::Key_Return);
    }
    bar->edit()->setFocus();
    QTest::keyClicks(bar->edit(), expression);
    QTest::keyClick(bar->edit(), Qt::Key_Return);
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), shown);
    QTRY_VERIFY2(countText(window).contains(u"%1 of 30"_s.arg(shown)),
                 qPrintable(countText(window)));
    QVERIFY(bar->edit()->styleSheet().contains(u"#dcf5dc"_s)); // green
    QCOMPARE(bar->statusLabel()->text(), QString());
}

void TestFilterBar::invalidTurnsRedWithoutReflow()
{
    MainWindow window;
    openWindow(&window);
    FilterBar *bar = window.eventLogPane()->displayFilterBar();
    bar->setText(u"data.price >= 120"_s);
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 10);
    QVERIFY(window.grab().save(u"/tmp/tst_filterbar-valid.png"_s));
    const QRect editBefore = bar->edit()->geometry();
    const QRect statusBefore = bar->statusLabel()->geometry();
    const QRect buttonBefore = bar->filtersButton()->geometry();
    const QRect tableBefore = window.eventLogPane()->eventView()->geometry();

    bar->edit()->setFocus();
    bar->edit()->selectAll();
    QTest::keyClicks(bar->edit(), u"type == \"trade\" && data.price >"_s);
    QTRY_VERIFY(bar->edit()->styleSheet().contains(u"#f9dcdc"_s)); // red
    const QString error = u"column 32: expected a value after '>'"_s;
    QCOMPARE(bar->statusLabel()->toolTip(), error);
    QVERIFY2(bar->statusLabel()->text().startsWith(u"column 32"_s),
             qPrintable(bar->statusLabel()->text()));
    QCOMPARE(bar->edit()->toolTip(), error);
    QTest::keyClick(bar->edit(), Qt::Key_Return);
    // Nothing moved, and the valid filter before it stays in force.
    QCOMPARE(bar->edit()->geometry(), editBefore);
    QCOMPARE(bar->statusLabel()->geometry(), statusBefore);
    QCOMPARE(bar->filtersButton()->geometry(), buttonBefore);
    QCOMPARE(window.eventLogPane()->eventView()->geometry(), tableBefore);
    QCOMPARE(bar->appliedExpression().text(), u"data.price >= 120"_s);
    QCOMPARE(window.workspace()->logModel()->rowCount(), 10);
    QVERIFY(window.grab().save(u"/tmp/tst_filterbar-invalid.png"_s));

    // Clearing it shows everything again and drops the colour.
    bar->edit()->clear();
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 30);
    QCOMPARE(bar->edit()->styleSheet(), QString());
}

void TestFilterBar::completesPathsSeen()
{
    MainWindow window;
    openWindow(&window);
    FilterBar *bar = window.eventLogPane()->displayFilterBar();
    const QStringList candidates = bar->completionCandidates();
    for (const QString &expected : {u"type"_s, u"connection"_s, u"data.price"_s,
                                    u"data.symbol"_s, u"data.book.bid"_s,
                                    u"data.book[\"ask me\"]"_s}) {
        QVERIFY2(candidates.contains(expected), qPrintable(expected));
    }

    bar->edit()->setFocus();
    QTest::keyClicks(bar->edit(), u"data.pr"_s);
    auto *completer = bar->findChild<QCompleter *>();
    QVERIFY(completer);
    QTRY_VERIFY(completer->popup()->isVisible());
    QCOMPARE(completer->currentCompletion(), u"data.price"_s);
    QVERIFY(completer->popup()->window()->grab().save(u"/tmp/tst_filterbar-completion.png"_s));
    QTest::keyClick(completer->popup(), Qt::Key_Return);
    QCOMPARE(bar->edit()->text(), u"data.price"_s);
    QTest::keyClicks(bar->edit(), u" > 125"_s);
    QTest::keyClick(bar->edit(), Qt::Key_Return);
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 4);
}

void TestFilterBar::keepsHistoryAndSavedFilters()
{
    {
        MainWindow window;
        openWindow(&window);
        FilterBar *bar = window.eventLogPane()->displayFilterBar();
        bar->setText(u"data.price > 110"_s);
        bar->setText(u"type == \"quote\""_s);
        bar->setText(u"data.price > 110"_s);
        QCOMPARE(bar->recentFilters(),
                 (QStringList{u"data.price > 110"_s, u"type == \"quote\""_s}));
        bar->saveFilter(u"Expensive ACME"_s, u"data.symbol == \"ACME\" && data.price > 120"_s);
    }
    MainWindow window;
    openWindow(&window);
    FilterBar *bar = window.eventLogPane()->displayFilterBar();
    QCOMPARE(bar->recentFilters().size(), 2);
    QCOMPARE(bar->savedFilters().size(), 1);
    // The menu offers the saved filter; choosing it applies it.
    QMenu *menu = bar->filtersButton()->menu();
    emit menu->aboutToShow();
    QAction *saved = nullptr;
    for (QAction *action : menu->actions()) {
        if (action->text() == u"Expensive ACME"_s)
            saved = action;
    }
    QVERIFY(saved);
    saved->trigger();
    QCOMPARE(bar->edit()->text(), u"data.symbol == \"ACME\" && data.price > 120"_s);
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 3);
    bar->removeSavedFilter(u"Expensive ACME"_s);
    QCOMPARE(bar->savedFilters().size(), 0);
}

QTEST_MAIN(TestFilterBar)
#include "tst_filterbar.moc"

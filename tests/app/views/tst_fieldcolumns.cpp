// JSON-path columns and colouring rules: the path resolver and its compact values, the model's
// cached columns, sort and rule colours without a window, then the real MainWindow (offscreen)
// against a loopback SSE server: "Apply as Column" from the detail tree, sorting by the column,
// the column kept for a new window, the rules dialog and the CSV export's rule column.

#include "models/colouringrules.h"
#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "models/fieldcolumn.h"
#include "recording/exportformatter.h"
#include "recording/exportjob.h"
#include "session/workspace.h"
#include "testserver.h"
#include "views/apptheme.h"
#include "views/colouringrulesdialog.h"
#include "views/connectiondetailtabs.h"
#include "views/eventdetailview.h"
#include "views/eventlogpane.h"
#include "views/exporteventsdialog.h"
#include "views/fieldcolumnsdialog.h"
#include "views/mainwindow.h"
#include "views/tableeditor.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

using namespace Qt::StringLiterals;

class TestFieldColumns : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    // Without a window.
    void compactValues_data();
    void compactValues();
    void columnsOnlyForTheirType();
    void sortsNumericallyAndMergesArrivals();
    void sortedRowsFollowEviction();
    void rulesColourFirstMatch_data();
    void rulesColourFirstMatch();
    void rulesPersist();
    void formatterWritesRuleNames();
    // The real window.
    void applyAsColumnFromTree();
    void columnEditorRejectsBadPath();
    void rulesDialogShowsErrorsAndToggles();
    void exportsRuleNames();
    void screenshot();

private:
    void openWindow(MainWindow *window);
    TestServer m_server;
};

namespace {

// 12 events of type "usage" with output_tokens (n * 7) % 12 * 10 (so 5 < 40 < 100: text order
// would differ), every third one an "error", the last one a "ping".
QByteArray usageEvents()
{
    QByteArray wire;
    for (int n = 0; n < 12; ++n) {
        const QByteArray type = n == 11 ? "ping" : (n % 3 == 2 ? "error" : "usage");
        const int tokens = n == 4 ? 5 : (n * 7) % 12 * 10;
        wire += "event: " + type + "\nid: " + QByteArray::number(n) + "\ndata: {\"model\": \"m-"
            + QByteArray::number(n % 2) + "\", \"usage\": {\"output_tokens\": "
            + QByteArray::number(tokens) + "}, \"choices\": [1, 2, 3]}\n\n";
    }
    return wire;
}

Sse::EventList eventsWithTokens(const QList<int> &tokens, const QByteArray &type = "usage")
{
    Sse::EventList events;
    for (int value : tokens) {
        Sse::Event event;
        event.type = type;
        event.data = "{\"usage\": {\"output_tokens\": " + QByteArray::number(value) + "}}";
        events.append(event);
    }
    return events;
}

QList<int> columnNumbers(const QAbstractItemModel &model, int column)
{
    QList<int> values;
    for (int row = 0; row < model.rowCount(); ++row)
        values.append(model.index(row, column).data().toInt());
    return values;
}

int rowOfId(const QAbstractItemModel &model, const QString &id)
{
    for (int row = 0; row < model.rowCount(); ++row) {
        if (model.index(row, EventLogModel::IdColumn).data().toString() == id)
            return row;
    }
    return -1;
}

QTreeWidgetItem *findTreeItem(QTreeWidget *tree, const QString &key)
{
    const QList<QTreeWidgetItem *> found =
        tree->findItems(key, Qt::MatchExactly | Qt::MatchRecursive, 0);
    return found.isEmpty() ? nullptr : found.first();
}

// Chooses \a text in the next popup menu (a context menu's exec()).
void chooseInNextMenu(const QString &text)
{
    QTimer::singleShot(0, qApp, [text] {
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        if (!menu)
            return;
        for (QAction *action : menu->actions()) {
            if (action->text().remove(u'&') == text) {
                menu->setActiveAction(action);
                QTest::keyClick(menu, Qt::Key_Return);
                return;
            }
        }
        menu->close();
    });
}

} // namespace

void TestFieldColumns::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"SSE Monitor Tests"_s);
    QCoreApplication::setApplicationName(u"tst_fieldcolumns"_s);
    QVERIFY(m_server.isListening());
    m_server.route("/usage", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(usageEvents());
    });
}

void TestFieldColumns::init()
{
    QSettings().clear();
}

void TestFieldColumns::compactValues_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("shown");

    const QByteArray doc = R"({"usage": {"output_tokens": 512, "ratio": -1.5e3},
        "choices": [{"delta": {"content": "SSE!"}}, 2, 3], "a b": {"c": true}, "n": null,
        "esc\u0041ped": "x\ny", "long": "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnop",
        "empty": {}})";
    QTest::newRow("number") << doc << u"data.usage.output_tokens"_s << u"512"_s;
    QTest::newRow("number as sent") << doc << u"usage.ratio"_s << u"-1.5e3"_s;
    QTest::newRow("array step") << doc << u"data.choices[0].delta.content"_s << u"SSE!"_s;
    QTest::newRow("array") << doc << u"data.choices"_s << u"[3]"_s;
    QTest::newRow("object") << doc << u"data.usage"_s << u"{\u2026}"_s;
    QTest::newRow("empty object") << doc << u"data.empty"_s << u"{\u2026}"_s;
    QTest::newRow("quoted name") << doc << uR"(data["a b"].c)"_s << u"true"_s;
    QTest::newRow("null") << doc << u"data.n"_s << u"null"_s;
    QTest::newRow("escaped key, line break") << doc << u"data.escAped"_s << u"x\u23cey"_s;
    QTest::newRow("long string elided")
        << doc << u"data.long"_s
        << u"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefgh\u2026"_s;
    QTest::newRow("index past the end") << doc << u"data.choices[7]"_s << QString();
    QTest::newRow("missing") << doc << u"data.usage.input_tokens"_s << QString();
    QTest::newRow("not JSON") << QByteArray("usage 512") << u"data.usage"_s << QString();
    // The value is taken where it is found; what follows it is not checked.
    QTest::newRow("broken after the value") << QByteArray(R"({"usage": {"output_tokens": 5)")
                                            << u"data.usage.output_tokens"_s << u"5"_s;
    QTest::newRow("broken before the value") << QByteArray(R"({"usage": {"output_tokens" 5}})")
                                             << u"data.usage.output_tokens"_s << QString();
    QTest::newRow("invalid path") << doc << u"data..usage"_s << QString();
    QTest::newRow("whole data") << QByteArray(" 42 ") << u"data"_s << u"42"_s;
}

void TestFieldColumns::compactValues()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, path);
    QFETCH(QString, shown);
    const Sse::JsonPath parsed = Sse::JsonPath::parse(path);
    QCOMPARE(Sse::JsonPath::compactText(parsed.resolve(data)), shown);
}

void TestFieldColumns::columnsOnlyForTheirType()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.ingest(1, eventsWithTokens({3, 4}, "usage"));
    model.ingest(1, eventsWithTokens({9}, "other"));
    model.flush();
    model.setFieldColumns({{u"all"_s, u"data.usage.output_tokens"_s, {}},
                           {u"usage only"_s, u"usage.output_tokens"_s, "usage"}});
    QCOMPARE(model.columnCount(), EventLogModel::ColumnCount + 2);
    QCOMPARE(model.headerData(EventLogModel::ColumnCount + 1, Qt::Horizontal).toString(),
             u"usage only"_s);
    QCOMPARE(columnNumbers(model, EventLogModel::ColumnCount), QList<int>({3, 4, 9}));
    QCOMPARE(model.index(2, EventLogModel::ColumnCount + 1).data().toString(), QString());
    QCOMPARE(model.index(1, EventLogModel::ColumnCount + 1).data().toString(), u"4"_s);
    // Removing the columns leaves the built-in ones.
    model.setFieldColumns({});
    QCOMPARE(model.columnCount(), int(EventLogModel::ColumnCount));
}

void TestFieldColumns::sortsNumericallyAndMergesArrivals()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.ingest(1, eventsWithTokens({40, 5, 100, 7, 5}));
    model.ingest(1, Sse::EventList {Sse::Event {}}); // no value: sorts last either way
    model.flush();
    model.setFieldColumns({{u"tokens"_s, u"data.usage.output_tokens"_s, {}}});
    const int column = EventLogModel::ColumnCount;

    QSignalSpy sorted(&model, &EventLogModel::sortFinished);
    model.sort(column, Qt::AscendingOrder);
    QVERIFY(sorted.wait());
    QCOMPARE(columnNumbers(model, column), QList<int>({5, 5, 7, 40, 100, 0}));
    // Equal keys keep arrival order.
    QVERIFY(model.sequenceAt(0) < model.sequenceAt(1));
    QCOMPARE(model.rowOfSequence(model.sequenceAt(3)), 3);

    model.ingest(1, eventsWithTokens({50, 1}));
    model.flush();
    QCOMPARE(columnNumbers(model, column), QList<int>({1, 5, 5, 7, 40, 50, 100, 0}));

    model.sort(column, Qt::DescendingOrder);
    QVERIFY(sorted.wait());
    QCOMPARE(columnNumbers(model, column), QList<int>({100, 50, 40, 7, 5, 5, 1, 0}));

    // Another column: arrival order again.
    model.sort(EventLogModel::TimeColumn);
    QCOMPARE(columnNumbers(model, column), QList<int>({40, 5, 100, 7, 5, 0, 50, 1}));
}

void TestFieldColumns::sortedRowsFollowEviction()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCapacity(4);
    model.ingest(1, eventsWithTokens({4, 3, 2, 1}));
    model.flush();
    model.setFieldColumns({{u"tokens"_s, u"data.usage.output_tokens"_s, {}}});
    const int column = EventLogModel::ColumnCount;
    QSignalSpy sorted(&model, &EventLogModel::sortFinished);
    // Slices of one event: arrivals during the slices are merged when the sort finishes.
    model.sort(column);
    model.ingest(1, eventsWithTokens({0}));
    QVERIFY(sorted.wait());
    model.flush();
    QCOMPARE(columnNumbers(model, column), QList<int>({0, 1, 2, 3}));
    model.ingest(1, eventsWithTokens({9, 8}));
    model.flush();
    // 3 and 2 were the oldest: evicted; 9 and 8 merge in.
    QCOMPARE(columnNumbers(model, column), QList<int>({0, 1, 8, 9}));
    QCOMPARE(model.rowCount(), 4);
}

void TestFieldColumns::rulesColourFirstMatch_data()
{
    QTest::addColumn<ColouringRuleList>("rules");
    QTest::addColumn<QList<int>>("matched"); // rule per event: type error, usage, ping

    const ColouringRule errors {u"errors"_s, u"type == \"error\""_s, Qt::red, {}, true};
    const ColouringRule big {u"big"_s, u"data.usage.output_tokens > 10"_s, Qt::blue, {}, true};
    ColouringRule off = errors;
    off.enabled = false;
    const ColouringRule invalid {u"bad"_s, u"type ==="_s, Qt::green, {}, true};
    const ColouringRule dim {u"dim"_s, u"type in {\"ping\"}"_s, {}, Qt::gray, true};

    QTest::newRow("errors first") << ColouringRuleList {errors, big, dim} << QList<int> {0, 1, 2};
    QTest::newRow("order matters") << ColouringRuleList {big, errors, dim} << QList<int> {0, 0, 2};
    QTest::newRow("toggled off") << ColouringRuleList {off, big} << QList<int> {1, 1, -1};
    QTest::newRow("invalid never matches")
        << ColouringRuleList {invalid, dim} << QList<int> {-1, -1, 1};
    QTest::newRow("none") << ColouringRuleList {} << QList<int> {-1, -1, -1};
}

void TestFieldColumns::rulesColourFirstMatch()
{
    QFETCH(ColouringRuleList, rules);
    QFETCH(QList<int>, matched);

    EventLogModel model;
    ColouringRules colouring;
    model.setColouringRules(&colouring);
    model.ingest(1, eventsWithTokens({20}, "error"));
    model.ingest(1, eventsWithTokens({30}, "usage"));
    model.ingest(1, eventsWithTokens({1}, "ping"));
    model.flush();
    colouring.setRules(rules);
    for (int row = 0; row < 3; ++row) {
        const QModelIndex index = model.index(row, EventLogModel::DataColumn);
        QCOMPARE(index.data(EventLogModel::RuleRole).toInt(), matched.at(row));
        const QVariant background = index.data(Qt::BackgroundRole);
        const QVariant foreground = index.data(Qt::ForegroundRole);
        if (matched.at(row) < 0) {
            QVERIFY(!background.isValid());
            QVERIFY(!foreground.isValid());
            continue;
        }
        const ColouringRule &rule = rules.at(matched.at(row));
        QCOMPARE(background.isValid(), rule.background.isValid());
        QCOMPARE(foreground.isValid(), rule.foreground.isValid());
        if (rule.background.isValid()) {
            // A tint of the rule's colour over the base: nearer to it than the base is.
            const QColor shown = background.value<QColor>();
            const QColor base = QGuiApplication::palette().color(QPalette::Base);
            const auto distance = [](const QColor &a, const QColor &b) {
                return qAbs(a.red() - b.red()) + qAbs(a.green() - b.green())
                    + qAbs(a.blue() - b.blue());
            };
            QVERIFY(distance(shown, rule.background) < distance(base, rule.background));
        }
    }
    // Evaluated once per event: the cache holds the three rows.
    QCOMPARE(colouring.cachedCount(), 3);
}

void TestFieldColumns::rulesPersist()
{
    {
        ColouringRules rules;
        rules.load();
        QCOMPARE(rules.rules(), ColouringRules::defaultRules());
        ColouringRuleList changed = rules.rules();
        changed[0].enabled = false;
        changed.append({u"mine"_s, u"id == \"7\""_s, QColor(0x12, 0x34, 0x56), Qt::white, true});
        rules.setRules(changed);
        rules.save();
    }
    ColouringRules again;
    again.load();
    QCOMPARE(again.count(), ColouringRules::defaultRules().size() + 1);
    QCOMPARE(again.ruleAt(0).enabled, false);
    QCOMPARE(again.rules().last().background, QColor(0x12, 0x34, 0x56));
    QCOMPARE(again.rules().last().foreground, QColor(Qt::white));
    QVERIFY(!again.rules().first().foreground.isValid());
}

void TestFieldColumns::formatterWritesRuleNames()
{
    ExportOptions options;
    options.connectionNames.insert(1, u"Feed"_s);
    options.ruleColumn = true;
    options.rules = {{u"errors"_s, Sse::FilterExpression::parse(u"type == \"error\""_s)},
                     {u"feed, big"_s,
                      Sse::FilterExpression::parse(
                          u"connection == \"Feed\" && data.usage.output_tokens > 10"_s)}};
    ExportFormatter formatter(ExportFormat::Csv, options);
    QByteArray out;
    formatter.appendPrologue(out);
    const QList<QByteArray> types = {"error", "usage", "usage"};
    const QList<int> tokens = {1, 50, 5};
    for (int i = 0; i < 3; ++i) {
        ExportEvent event;
        event.sequence = i;
        event.connection = 1;
        event.event = eventsWithTokens({tokens.at(i)}, types.at(i)).first();
        formatter.append(out, event);
    }
    const QList<QByteArray> lines = out.split('\n');
    QCOMPARE(lines.at(0), QByteArray("time,connection,type,id,data,rule\r"));
    QVERIFY2(lines.at(1).endsWith(",errors\r"), lines.at(1).constData());
    QVERIFY2(lines.at(2).endsWith(",\"feed, big\"\r"), lines.at(2).constData()); // quoted: a comma
    QVERIFY2(lines.at(3).endsWith("}\",\r"), lines.at(3).constData()); // no rule
}

void TestFieldColumns::openWindow(MainWindow *window)
{
    window->resize(1200, 640);
    window->show();
    Sse::ClientOptions options;
    options.url = m_server.url("/usage");
    window->addConnection(u"Usage"_s, options);
    QTRY_COMPARE(window->workspace()->logModel()->rowCount(), 12);
}

void TestFieldColumns::applyAsColumnFromTree()
{
    const int column = EventLogModel::ColumnCount;
    {
        MainWindow window;
        openWindow(&window);
        QTableView *view = window.eventLogPane()->eventView();
        view->setCurrentIndex(view->model()->index(1, EventLogModel::DataColumn));
        EventDetailView *detail = window.findChild<EventDetailView *>();
        QVERIFY(detail);
        QTRY_VERIFY(detail->hasEvent());
        QTreeWidget *tree = detail->tree();
        detail->findChild<QTabWidget *>()->setCurrentWidget(tree->parentWidget());
        QTreeWidgetItem *item = nullptr;
        QTRY_VERIFY((item = findTreeItem(tree, u"output_tokens"_s)));
        QCOMPARE(detail->treePath(item), u"data.usage.output_tokens"_s);
        QCOMPARE(detail->treePath(findTreeItem(tree, u"[2]"_s)), u"data.choices[2]"_s);

        tree->scrollToItem(item);
        const QPoint at = tree->visualItemRect(item).center();
        chooseInNextMenu(u"Apply as Column"_s);
        QContextMenuEvent menuEvent(QContextMenuEvent::Mouse, at,
                                    tree->viewport()->mapToGlobal(at));
        QCoreApplication::sendEvent(tree->viewport(), &menuEvent);

        QAbstractItemModel *model = view->model();
        QTRY_COMPARE(model->columnCount(), column + 1);
        QCOMPARE(model->headerData(column, Qt::Horizontal).toString(), u"output_tokens"_s);
        QCOMPARE(model->index(rowOfId(*model, u"4"_s), column).data().toString(), u"5"_s);
        QCOMPARE(model->index(rowOfId(*model, u"1"_s), column).data().toString(), u"70"_s);

        // A click on the header sorts by the number; a second one turns the order round.
        QHeaderView *header = view->horizontalHeader();
        QSignalSpy sorted(window.workspace()->logModel(), &EventLogModel::sortFinished);
        QTest::mouseClick(
            header->viewport(), Qt::LeftButton, {},
            QPoint(header->sectionViewportPosition(column) + 10, header->height() / 2));
        QVERIFY(sorted.wait());
        QCOMPARE(view->currentIndex().siblingAtColumn(EventLogModel::IdColumn).data().toString(),
                 u"1"_s);
        QList<int> expected = columnNumbers(*model, column);
        std::sort(expected.begin(), expected.end());
        QCOMPARE(columnNumbers(*model, column), expected);
        QCOMPARE(expected.first(), 0);
        QVERIFY(expected.contains(5) && expected.contains(100));
        QCOMPARE(header->sortIndicatorSection(), column);
        QTest::mouseClick(
            header->viewport(), Qt::LeftButton, {},
            QPoint(header->sectionViewportPosition(column) + 10, header->height() / 2));
        QVERIFY(sorted.wait());
        std::reverse(expected.begin(), expected.end());
        QCOMPARE(columnNumbers(*model, column), expected);
        // The current row is still the same event after the sort.
        QCOMPARE(view->currentIndex().siblingAtColumn(EventLogModel::IdColumn).data().toString(),
                 u"1"_s);
        window.close();
    }
    // A new window has the column.
    MainWindow again;
    openWindow(&again);
    QAbstractItemModel *model = again.eventLogPane()->eventView()->model();
    QCOMPARE(model->columnCount(), column + 1);
    QCOMPARE(model->headerData(column, Qt::Horizontal).toString(), u"output_tokens"_s);
    QCOMPARE(model->index(rowOfId(*model, u"4"_s), column).data().toString(), u"5"_s);
}

void TestFieldColumns::columnEditorRejectsBadPath()
{
    FieldColumnsDialog dialog({{u"tokens"_s, u"data.usage.output_tokens"_s, "usage"}});
    QTableWidget *table = dialog.editor()->table();
    QCOMPARE(table->rowCount(), 1);
    QPushButton *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(ok->isEnabled());
    dialog.addColumn({u"model"_s, u"data.model"_s, {}});
    table->item(1, 1)->setText(u"data.[x"_s);
    QVERIFY(!ok->isEnabled());
    QVERIFY(dialog.findChild<QLabel *>(u"columnError"_s)->text().contains(u"Row 2"_s));
    table->item(1, 1)->setText(u"data.model"_s);
    QVERIFY(ok->isEnabled());
    // Order: the second row moves up.
    table->setCurrentCell(1, 0);
    dialog.findChild<QPushButton *>(u"upButton"_s)->click();
    const FieldColumnList columns = dialog.columns();
    QCOMPARE(columns.size(), 2);
    QCOMPARE(columns.at(0).path, u"data.model"_s);
    QCOMPARE(columns.at(1).type, QByteArray("usage"));
}

void TestFieldColumns::rulesDialogShowsErrorsAndToggles()
{
    MainWindow window;
    openWindow(&window);
    QTableView *view = window.eventLogPane()->eventView();
    QAbstractItemModel *model = view->model();
    const int errorRow = rowOfId(*model, u"2"_s); // type error
    const int usageRow = rowOfId(*model, u"1"_s);
    // The default rules colour errors and leave usage events alone.
    QVERIFY(model->index(errorRow, 0).data(Qt::BackgroundRole).isValid());
    QVERIFY(!model->index(usageRow, 0).data(Qt::BackgroundRole).isValid());
    QVERIFY(model->index(rowOfId(*model, u"11"_s), 0).data(Qt::ForegroundRole).isValid());

    ColouringRules *rules = window.workspace()->colouringRules();
    ColouringRulesDialog dialog(rules->rules(), &window);
    QTableWidget *table = dialog.editor()->table();
    QCOMPARE(dialog.errorText(), QString());
    dialog.findChild<QPushButton *>(u"addButton"_s)->click();
    const int added = table->rowCount() - 1;
    table->item(added, ColouringRulesDialog::ExpressionColumn)->setText(u"data.usage >"_s);
    QVERIFY2(dialog.errorText().contains(u"Rule %1"_s.arg(added + 1)),
             qPrintable(dialog.errorText()));
    QCOMPARE(table->item(added, ColouringRulesDialog::ExpressionColumn)->foreground().color(),
             QColor(0xd9, 0x35, 0x35));
    table->item(added, ColouringRulesDialog::ExpressionColumn)
        ->setText(u"data.usage.output_tokens >= 70"_s);
    QCOMPARE(dialog.errorText(), QString());
    // Untick the error rule.
    table->item(0, ColouringRulesDialog::NameColumn)->setCheckState(Qt::Unchecked);
    rules->setRules(dialog.rules());
    QVERIFY(!model->index(errorRow, 0).data(Qt::BackgroundRole).isValid());
    // Event 1 has 70 tokens: the new rule (blue) colours it.
    QCOMPARE(model->index(usageRow, 0).data(EventLogModel::RuleRole).toInt(), added);
    QVERIFY(model->index(usageRow, 0).data(Qt::BackgroundRole).isValid());
    window.close();
    // Saved for the next window.
    MainWindow again;
    QCOMPARE(again.workspace()->colouringRules()->count(), added + 1);
    QVERIFY(!again.workspace()->colouringRules()->ruleAt(0).enabled);
}

void TestFieldColumns::exportsRuleNames()
{
    ExportEventsDialog dialog(12, 12, 0);
    auto *check = dialog.findChild<QCheckBox *>(u"ruleColumnCheck"_s);
    QVERIFY(check);
    check->setChecked(true);
    QVERIFY(!dialog.ruleColumn()); // JSON Lines: no columns
    auto *formats = dialog.findChildren<QComboBox *>().at(1);
    formats->setCurrentIndex(formats->findData(int(ExportFormat::Csv)));
    QVERIFY(dialog.ruleColumn());

    MainWindow window;
    openWindow(&window);
    Workspace *workspace = window.workspace();
    QTemporaryDir directory;
    const QString path = directory.filePath(u"events.csv"_s);
    ExportJob *job = workspace->exportEvents(
        ExportFormat::Csv, path, ExportJob::allSequences(workspace->logModel()->store()),
        {"usage.output_tokens"}, Workspace::RuleColumn::With);
    QVERIFY(job);
    QSignalSpy finished(job, &ExportJob::finished);
    QVERIFY(finished.wait(30000));
    QVERIFY(finished.first().at(0).toBool());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QVERIFY(lines.first().startsWith("time,connection,type,id,data,usage.output_tokens,rule"));
    const QString errors = ColouringRules::defaultRules().at(0).name;
    const QString heartbeats = ColouringRules::defaultRules().at(2).name;
    // Row 1 + n is event n: 2 is an error, 1 matches nothing, 11 is a ping.
    QVERIFY2(lines.at(3).trimmed().endsWith(QByteArray("," + errors.toUtf8())),
             lines.at(3).constData());
    QVERIFY2(lines.at(2).trimmed().endsWith("70,"), lines.at(2).constData());
    QVERIFY2(lines.at(12).trimmed().endsWith(QByteArray("," + heartbeats.toUtf8())),
             lines.at(12).constData());
}

void TestFieldColumns::screenshot()
{
    MainWindow window;
    Workspace *workspace = window.workspace();
    workspace->logModel()->setFieldColumns({{u"tokens"_s, u"data.usage.output_tokens"_s, {}},
                                            {u"model"_s, u"data.model"_s, {}},
                                            {u"choices"_s, u"data.choices"_s, {}}});
    openWindow(&window);
    window.resize(1400, 1000);
    QTableView *view = window.eventLogPane()->eventView();
    view->setColumnWidth(EventLogModel::ConnectionColumn, 80);
    view->setColumnWidth(EventLogModel::DataColumn, 190);
    for (int column = EventLogModel::ColumnCount; column < view->model()->columnCount(); ++column)
        view->setColumnWidth(column, 75);
    view->setCurrentIndex(view->model()->index(1, 0));
    QCOMPARE(view->model()->index(1, EventLogModel::ColumnCount + 2).data().toString(), u"[3]"_s);
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    // Sorted by tokens, largest first.
    QHeaderView *header = view->horizontalHeader();
    const QPoint tokens(header->sectionViewportPosition(EventLogModel::ColumnCount) + 10,
                        header->height() / 2);
    QSignalSpy sorted(workspace->logModel(), &EventLogModel::sortFinished);
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, tokens);
    QVERIFY(sorted.wait());
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, tokens);
    QVERIFY(sorted.wait());
    QCOMPARE(view->model()->index(0, EventLogModel::ColumnCount).data().toString(), u"110"_s);
    view->scrollToTop();
    const QPixmap pixmap = window.grab();
    QVERIFY(!pixmap.isNull());
    const QString directory = qEnvironmentVariable("SSE_MONITOR_SCREENSHOT_DIR");
    if (!directory.isEmpty())
        QVERIFY(pixmap.save(directory + u"/guide-fields.png"_s));

    // The dark theme: the rule tints follow the palette's base.
    const QModelIndex error = view->model()->index(0, EventLogModel::TypeColumn);
    QCOMPARE(error.data().toString(), u"error"_s);
    const QColor lightTint = error.data(Qt::BackgroundRole).value<QColor>();
    AppTheme::apply(AppTheme::Theme::Dark);
    const QColor darkTint = error.data(Qt::BackgroundRole).value<QColor>();
    QVERIFY(darkTint.lightness() < lightTint.lightness());
    // The palette reaches the widgets through posted change events.
    QCoreApplication::processEvents();
    QCOMPARE(view->palette().color(QPalette::Base),
             QGuiApplication::palette().color(QPalette::Base));
    const QPixmap dark = window.grab();
    AppTheme::apply(AppTheme::Theme::Light);
    if (!directory.isEmpty())
        QVERIFY(dark.save(directory + u"/guide-fields-dark.png"_s));
}

QTEST_MAIN(TestFieldColumns)
#include "tst_fieldcolumns.moc"

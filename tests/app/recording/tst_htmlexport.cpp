// The HTML export (ExportFormat::Html): escaping of hostile text, a document that parses as
// XML, and, through the real path (Workspace::exportEvents -> ExportJob -> Exporter and its
// worker) against a loopback SSE server, the rule names and colours and the "filtered" and
// "marked" scopes (issue 15, "export to HTML/CSV keeps the rule name if asked").

#include "testserver.h"

#include "models/colouringrules.h"
#include "models/eventfilter.h"
#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "recording/exportformatter.h"
#include "recording/exportjob.h"
#include "session/workspace.h"
#include "views/exporteventsdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace Qt::StringLiterals;

namespace {

// What a strict XML reader finds in an exported document.
struct HtmlTable
{
    QStringList header;
    QList<QStringList> rows;
    QStringList rowStyles; // the style attribute of each body row ("" when none)
    QString error; // the reader's error, or a rule of the export broken
};

HtmlTable readTable(const QByteArray &bytes)
{
    HtmlTable table;
    if (!QByteArrayView(bytes).isValidUtf8()) {
        table.error = u"not UTF-8"_s;
        return table;
    }
    QXmlStreamReader xml(bytes);
    bool inBody = false;
    int elements = 0;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isEndElement() && xml.name() == u"tbody"_s)
            inBody = false;
        if (!xml.isStartElement())
            continue;
        const QStringView name = xml.name();
        if (elements++ == 0 && name != u"html"_s) {
            table.error = u"root element is not html"_s;
            return table;
        }
        if (xml.namespaceUri() != u"http://www.w3.org/1999/xhtml"_s) {
            table.error = u"element outside the XHTML namespace: "_s + name.toString();
            return table;
        }
        if (name == u"script"_s || name == u"link"_s || name == u"img"_s) {
            table.error = u"element that runs or loads something: "_s + name.toString();
            return table;
        }
        if (name == u"tbody"_s) {
            inBody = true;
        } else if (name == u"th"_s) {
            table.header.append(xml.readElementText());
        } else if (name == u"tr"_s && inBody) {
            table.rows.append(QStringList());
            table.rowStyles.append(xml.attributes().value(u"style"_s).toString());
        } else if (name == u"td"_s && !table.rows.isEmpty()) {
            table.rows.last().append(xml.readElementText());
        }
    }
    if (xml.hasError())
        table.error = u"line %1: %2"_s.arg(xml.lineNumber()).arg(xml.errorString());
    return table;
}

QByteArray escaped(QByteArrayView text)
{
    QByteArray out;
    ExportFormatter::appendHtmlText(out, text);
    return out;
}

// Six events; n = 1 and 4 are errors, the others ticks with a hostile text.
QByteArray hostileEvents()
{
    return "event: error\nid: 1\ndata: {\"msg\":\"<script>alert(1)</script>\",\"n\":1}\n\n"
           "event: tick\nid: a&b\"'\ndata: {\"n\":2,\"s\":\"x & y < z\"}\n\n"
           "event: tick\nid: 3\ndata: ctl\x01 here\ndata: \"quoted\" 'single' </td></tr>\n\n"
           "event: error\nid: 4\ndata: {\"n\":40}\n\n"
           "event: tick\nid: 5\ndata: bad \xff\xfe bytes \xc3\n\n"
           "event: <b>bold</b>\nid: 6\ndata: {\"n\":6}\n\n";
}

} // namespace

class TestHtmlExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void escapesText_data();
    void escapesText();
    void documentIsWellFormed();
    void withoutRulesNoColumnNoColours();
    void workspaceExportsRulesAndColours();
    void scopesFilteredAndMarked();
    void exportDialogOffersHtml();

private:
    // A workspace connected to /hostile (token in the URL) with its six events stored.
    bool openWorkspace(Workspace *workspace);
    HtmlTable exportTable(Workspace *workspace, const QList<qint64> &sequences,
                          const QList<QByteArray> &paths, Workspace::RuleColumn rules,
                          QByteArray *bytes = nullptr);
    TestServer m_server;
    QTemporaryDir m_dir;
};

void TestHtmlExport::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"SSE Monitor Tests"_s);
    QCoreApplication::setApplicationName(u"tst_htmlexport"_s);
    QVERIFY(m_server.isListening());
    QVERIFY(m_dir.isValid());
    m_server.route("/hostile", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(hostileEvents());
    });
}

void TestHtmlExport::init()
{
    QSettings().clear();
}

void TestHtmlExport::escapesText_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("plain") << QByteArray("price 101.5") << QByteArray("price 101.5");
    QTest::newRow("script") << QByteArray("<script>alert(1)</script>")
                            << QByteArray("&lt;script&gt;alert(1)&lt;/script&gt;");
    QTest::newRow("ampersand") << QByteArray("a & b &amp;") << QByteArray("a &amp; b &amp;amp;");
    QTest::newRow("quotes") << QByteArray("\"q\" 'a'") << QByteArray("&quot;q&quot; &#39;a&#39;");
    QTest::newRow("tab and line feed kept") << QByteArray("a\tb\nc") << QByteArray("a\tb\nc");
    QTest::newRow("carriage return") << QByteArray("a\rb") << QByteArray("a&#13;b");
    QTest::newRow("control characters")
        << QByteArray("x\x01y\x1f", 4) << QByteArray("x\xE2\x90\x81y\xE2\x90\x9F");
    QTest::newRow("nul") << QByteArray("a\0b", 3)
                         << QByteArray("a\xE2\x90\x80"
                                       "b");
    QTest::newRow("invalid byte") << QByteArray("a\xff"
                                                "b")
                                  << QByteArray("a\xEF\xBF\xBD"
                                                "b");
    QTest::newRow("truncated sequence at the end")
        << QByteArray("caf\xc3") << QByteArray("caf\xEF\xBF\xBD");
    QTest::newRow("overlong slash")
        << QByteArray("\xc0\xaf") << QByteArray("\xEF\xBF\xBD\xEF\xBF\xBD");
    QTest::newRow("invalid and markup")
        << QByteArray("\xfe<i>") << QByteArray("\xEF\xBF\xBD&lt;i&gt;");
    QTest::newRow("noncharacter U+FFFF")
        << QByteArray("a\xEF\xBF\xBF") << QByteArray("a\xEF\xBF\xBD");
    QTest::newRow("multibyte kept") << QByteArray("\xE2\x82\xAC \xF0\x9F\x98\x80 \xE4\xB8\xAD")
                                    << QByteArray("\xE2\x82\xAC \xF0\x9F\x98\x80 \xE4\xB8\xAD");
}

void TestHtmlExport::escapesText()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    const QByteArray out = escaped(input);
    QCOMPARE(out, expected);
    QVERIFY(QByteArrayView(out).isValidUtf8());
}

void TestHtmlExport::documentIsWellFormed()
{
    ExportOptions options;
    options.connectionNames.insert(1, u"Feed <&> \"one\""_s);
    options.jsonPaths = {"n", "s"};
    options.ruleColumn = true;
    options.rules = {{u"errors & <worse>"_s, Sse::FilterExpression::parse(u"type == \"error\""_s),
                      QColor(0xff, 0xdd, 0xdd), QColor(0x99, 0, 0)},
                     {u"big"_s, Sse::FilterExpression::parse(u"data.n > 5"_s),
                      QColor(0xdd, 0xee, 0xff), QColor()}};
    ExportFormatter formatter(ExportFormat::Html, options);
    QByteArray out;
    formatter.appendPrologue(out);
    const QList<QPair<QByteArray, QByteArray>> events = {
        {"error", R"({"n":1,"s":"<script>alert('x')</script>"})"},
        {"tick", QByteArray("raw \xff\xfe\0 bytes", 13)},
        {"tick", R"({"n":9,"s":"a & b"})"},
        {"<i>", "plain"}};
    for (int i = 0; i < events.size(); ++i) {
        ExportEvent event;
        event.sequence = i;
        event.connection = 1;
        event.event.type = events.at(i).first;
        event.event.data = events.at(i).second;
        event.event.lastEventId = "id-" + QByteArray::number(i) + "-\"&";
        event.event.receivedMs = 1'764'648'000'000 + i;
        formatter.append(out, event);
    }
    formatter.appendEpilogue(out);

    const HtmlTable table = readTable(out);
    QVERIFY2(table.error.isEmpty(), qPrintable(table.error));
    QCOMPARE(table.header,
             (QStringList {u"time"_s, u"connection"_s, u"type"_s, u"id"_s, u"data"_s, u"n"_s,
                           u"s"_s, u"rule"_s}));
    QCOMPARE(table.rows.size(), 4);
    for (const QStringList &row : table.rows)
        QCOMPARE(row.size(), table.header.size());
    // Every text reads back as it was, the broken bytes as U+FFFD and NUL as its picture.
    QCOMPARE(table.rows.at(0).at(0), u"2025-12-02T04:00:00.000Z"_s);
    QCOMPARE(table.rows.at(0).at(1), u"Feed <&> \"one\""_s);
    QCOMPARE(table.rows.at(0).at(3), u"id-0-\"&"_s);
    QCOMPARE(table.rows.at(0).at(4), QString::fromUtf8(events.at(0).second));
    QCOMPARE(table.rows.at(0).at(6), u"<script>alert('x')</script>"_s);
    QCOMPARE(table.rows.at(1).at(4), u"raw \uFFFD\uFFFD\u2400 bytes"_s);
    QCOMPARE(table.rows.at(3).at(2), u"<i>"_s);
    // Rule names and colours: first matching rule, its colours as the row style.
    QCOMPARE(table.rows.at(0).at(7), u"errors & <worse>"_s);
    QCOMPARE(table.rowStyles.at(0), u"background-color: #ffdddd; color: #990000;"_s);
    QCOMPARE(table.rows.at(1).at(7), QString());
    QCOMPARE(table.rowStyles.at(1), QString());
    QCOMPARE(table.rows.at(2).at(5), u"9"_s);
    QCOMPARE(table.rows.at(2).at(7), u"big"_s);
    QCOMPARE(table.rowStyles.at(2), u"background-color: #ddeeff;"_s);
    // Nothing a browser would run.
    QVERIFY(!out.contains("<script"));
    QVERIFY(!out.contains("<i>"));
}

void TestHtmlExport::withoutRulesNoColumnNoColours()
{
    ExportOptions options;
    options.rules = {{u"all"_s, Sse::FilterExpression::parse(u"type == \"tick\""_s), Qt::red,
                      Qt::white}}; // ignored: the option is off
    ExportFormatter formatter(ExportFormat::Html, options);
    QByteArray out;
    formatter.appendPrologue(out);
    ExportEvent event;
    event.event.type = "tick";
    event.event.data = "1";
    formatter.append(out, event);
    formatter.appendEpilogue(out);
    const HtmlTable table = readTable(out);
    QVERIFY2(table.error.isEmpty(), qPrintable(table.error));
    QCOMPARE(table.header.size(), 5);
    QCOMPARE(table.rows.size(), 1);
    QCOMPARE(table.rows.first().at(1), u"connection 0"_s);
    QCOMPARE(table.rowStyles.first(), QString());
    QVERIFY(!out.contains("style=\""));
}

bool TestHtmlExport::openWorkspace(Workspace *workspace)
{
    workspace->colouringRules()->setRules(
        {{u"Errors <&>"_s, u"type == \"error\""_s, QColor(0xff, 0xdd, 0xdd), QColor(0x99, 0, 0),
          true},
         {u"Off"_s, u"type == \"tick\""_s, Qt::green, QColor(), false},
         {u"Ticks"_s, u"type == \"tick\""_s, QColor(0xee, 0xee, 0xff), QColor(), true}});
    Sse::ClientOptions options;
    QUrl url = m_server.url("/hostile");
    url.setQuery(u"token=s3cr3t-t0ken"_s);
    options.url = url;
    options.headers.append(
        qMakePair(QByteArray("Authorization"), QByteArray("Bearer h3ad3r-s3cr3t")));
    workspace->addConnection(u"Hostile"_s, options);
    return QTest::qWaitFor([workspace] { return workspace->logModel()->rowCount() == 6; }, 10000);
}

HtmlTable TestHtmlExport::exportTable(Workspace *workspace, const QList<qint64> &sequences,
                                      const QList<QByteArray> &paths, Workspace::RuleColumn rules,
                                      QByteArray *bytes)
{
    static int exports = 0;
    const QString path = m_dir.filePath(u"events-%1.html"_s.arg(++exports));
    HtmlTable failed;
    ExportJob *job = workspace->exportEvents(ExportFormat::Html, path, sequences, paths, rules);
    if (!job) {
        failed.error = u"export refused"_s;
        return failed;
    }
    QSignalSpy finished(job, &ExportJob::finished);
    QSignalSpy progress(job, &ExportJob::progress);
    if (!finished.wait(30000) || !finished.first().at(0).toBool()) {
        failed.error = u"export failed"_s;
        return failed;
    }
    if (progress.isEmpty() || progress.last().at(0).toInt() != 100) {
        failed.error = u"no progress to 100 %"_s;
        return failed;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        failed.error = u"no file"_s;
        return failed;
    }
    const QByteArray text = file.readAll();
    if (bytes)
        *bytes = text;
    return readTable(text);
}

void TestHtmlExport::workspaceExportsRulesAndColours()
{
    Workspace workspace;
    QVERIFY(openWorkspace(&workspace));
    QByteArray bytes;
    const HtmlTable table =
        exportTable(&workspace, ExportJob::allSequences(workspace.logModel()->store()), {"n"},
                    Workspace::RuleColumn::With, &bytes);
    QVERIFY2(table.error.isEmpty(), qPrintable(table.error));
    QCOMPARE(table.header.last(), u"rule"_s);
    QCOMPARE(table.header.at(5), u"n"_s);
    QCOMPARE(table.rows.size(), 6);
    const QStringList rules = {u"Errors <&>"_s, u"Ticks"_s, u"Ticks"_s,
                               u"Errors <&>"_s, u"Ticks"_s, QString()};
    for (int i = 0; i < 6; ++i)
        QCOMPARE(table.rows.at(i).last(), rules.at(i));
    QCOMPARE(table.rowStyles.at(0), u"background-color: #ffdddd; color: #990000;"_s);
    QCOMPARE(table.rowStyles.at(1), u"background-color: #eeeeff;"_s); // not the disabled rule
    QCOMPARE(table.rowStyles.at(5), QString());
    // The hostile texts as they were sent.
    QCOMPARE(table.rows.at(0).at(4), u"{\"msg\":\"<script>alert(1)</script>\",\"n\":1}"_s);
    QCOMPARE(table.rows.at(0).at(5), u"1"_s);
    QCOMPARE(table.rows.at(1).at(3), u"a&b\"'"_s);
    QCOMPARE(table.rows.at(2).at(4), u"ctl\u2401 here\n\"quoted\" 'single' </td></tr>"_s);
    QCOMPARE(table.rows.at(3).at(5), u"40"_s);
    QCOMPARE(table.rows.at(4).at(4), u"bad \uFFFD\uFFFD bytes \uFFFD"_s);
    QCOMPARE(table.rows.at(5).at(2), u"<b>bold</b>"_s);
    QCOMPARE(table.rows.at(5).at(1), u"Hostile"_s);
    // No secret of the connection, no markup of the stream.
    QVERIFY(!bytes.contains("s3cr3t"));
    // A copy to look at, beside the screenshots.
    const QString directory = qEnvironmentVariable("SSE_MONITOR_SCREENSHOT_DIR");
    if (!directory.isEmpty()) {
        QFile copy(directory + u"/export-hostile.html"_s);
        QVERIFY(copy.open(QIODevice::WriteOnly) && copy.write(bytes) == bytes.size());
    }
    QVERIFY(!bytes.contains("<script"));
    QVERIFY(!bytes.contains("<b>"));
}

void TestHtmlExport::scopesFilteredAndMarked()
{
    Workspace workspace;
    QVERIFY(openWorkspace(&workspace));
    EventLogModel *log = workspace.logModel();

    // Filtered: the log's display filter decides, as File > Export Events > Filtered does.
    EventFilter filter = log->filter();
    filter.setExpression(Sse::FilterExpression::parse(u"type != \"tick\" && data.n > 1"_s));
    log->setFilter(filter);
    QTRY_VERIFY(!log->isRescanning());
    QCOMPARE(log->rowCount(), 2);
    HtmlTable table =
        exportTable(&workspace, ExportJob::visibleSequences(*log), {}, Workspace::RuleColumn::With);
    QVERIFY2(table.error.isEmpty(), qPrintable(table.error));
    QCOMPARE(table.rows.size(), 2);
    QCOMPARE(table.rows.at(0).at(3), u"4"_s);
    QCOMPARE(table.rows.at(0).last(), u"Errors <&>"_s);
    QCOMPARE(table.rows.at(1).at(3), u"6"_s);
    QCOMPARE(table.rows.at(1).last(), QString());

    // Marked: whether the filter shows them or not.
    const EventStore &store = log->store();
    const qint64 first = store.firstSequence();
    QVERIFY(workspace.setEventsMarked({first + 1, first + 4}, true));
    table = exportTable(&workspace, ExportJob::markedSequences(*log), {},
                        Workspace::RuleColumn::Without);
    QVERIFY2(table.error.isEmpty(), qPrintable(table.error));
    QCOMPARE(table.header.size(), 5);
    QCOMPARE(table.rows.size(), 2);
    QCOMPARE(table.rows.at(0).at(3), u"a&b\"'"_s);
    QCOMPARE(table.rows.at(1).at(3), u"5"_s);
    QCOMPARE(table.rowStyles, (QStringList {QString(), QString()}));
}

void TestHtmlExport::exportDialogOffersHtml()
{
    ExportEventsDialog dialog(6, 2, 1);
    dialog.setMarkedCount(2);
    auto *check = dialog.findChild<QCheckBox *>(u"ruleColumnCheck"_s);
    QVERIFY(check);
    auto *formats = dialog.findChildren<QComboBox *>().at(1);
    const int html = formats->findData(int(ExportFormat::Html));
    QVERIFY(html >= 0);
    check->setChecked(true);
    QVERIFY(!dialog.ruleColumn()); // JSON Lines first: no rules
    formats->setCurrentIndex(html);
    QCOMPARE(dialog.format(), ExportFormat::Html);
    QVERIFY(check->isEnabled());
    QVERIFY(dialog.ruleColumn());
    QCOMPARE(check->text(), u"Colouring &rules: name column and row colours"_s);
    QCOMPARE(dialog.suffix(), u".html"_s);
    QVERIFY(dialog.fileFilter().startsWith(u"HTML (*.html *.htm)"_s));
    auto *paths = dialog.findChild<QLineEdit *>(u"pathsEdit"_s);
    QVERIFY(paths->placeholderText().contains(u"HTML"_s));
    paths->setText(u"usage.output_tokens, price"_s);
    QCOMPARE(dialog.jsonPaths(), (QList<QByteArray> {"usage.output_tokens", "price"}));
    // Back to CSV: its own wording of the same option.
    formats->setCurrentIndex(formats->findData(int(ExportFormat::Csv)));
    QVERIFY(check->text().startsWith(u"Add a &rule column"_s));
    formats->setCurrentIndex(html);

    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    const QString directory = qEnvironmentVariable("SSE_MONITOR_SCREENSHOT_DIR", QDir::tempPath());
    QVERIFY(dialog.grab().save(directory + u"/export-html-dialog.png"_s));
}

QTEST_MAIN(TestHtmlExport)
#include "tst_htmlexport.moc"

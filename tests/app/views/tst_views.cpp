// Tests of the event detail view (with its JSON helpers and highlighter) and the connection
// dialog. Widgets are created on the stack and never shown; the offscreen platform provides an
// in-process clipboard.

#include "views/connectiondialog.h"
#include "views/eventdetailview.h"
#include "views/jsonhighlighter.h"
#include "views/jsontext.h"
#include "views/secretvaluedelegate.h"

#include "sselib/profile.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryFile>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>
#include <QTreeWidget>

using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Sse::ReconnectPolicy)

namespace {

Sse::Event makeEvent(const QByteArray &data, const QByteArray &type = "message",
                     const QByteArray &id = {}, qint64 retryMs = -1)
{
    Sse::Event event;
    event.type = type;
    event.data = data;
    event.lastEventId = id;
    event.receivedMs = 1700000000123; // 2023-11-14T22:13:20.123Z
    event.retryMs = retryMs;
    return event;
}

const QByteArray NestedJson = R"({"user":{"name":"ada","tags":["x","y"]},"count":3,)"
                              R"("big":12345678901234567890,"empty":{}})";

template<typename T>
T *child(QObject &parent, const QString &name)
{
    return parent.findChild<T *>(name);
}

QStringList topLevelKeys(const QTreeWidget *tree)
{
    QStringList keys;
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        keys.append(tree->topLevelItem(i)->text(EventDetailView::KeyColumn));
    return keys;
}

// Foreground colour that the highlighter gave the character at position in block.
QColor colourAt(const QTextBlock &block, int position)
{
    const QList<QTextLayout::FormatRange> ranges = block.layout()->formats();
    for (const QTextLayout::FormatRange &range : ranges) {
        if (position >= range.start && position < range.start + range.length)
            return range.format.foreground().color();
    }
    return {};
}

QTextBlock findBlock(const QTextDocument *document, const QString &text)
{
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        if (block.text().contains(text))
            return block;
    }
    return {};
}

// Names the first field that differs, so a failing round trip says where.
QString firstDifference(const Sse::ClientOptions &actual, const Sse::ClientOptions &expected)
{
#define SSE_COMPARE_FIELD(field) \
    if (!(actual.field == expected.field)) \
        return QStringLiteral(#field);
    SSE_COMPARE_FIELD(url)
    SSE_COMPARE_FIELD(method)
    SSE_COMPARE_FIELD(headers)
    SSE_COMPARE_FIELD(body)
    SSE_COMPARE_FIELD(initialLastEventId)
    SSE_COMPARE_FIELD(reconnectPolicy)
    SSE_COMPARE_FIELD(defaultRetryMs)
    SSE_COMPARE_FIELD(fixedDelayMs)
    SSE_COMPARE_FIELD(backoffMaximumMs)
    SSE_COMPARE_FIELD(backoffJitter)
    SSE_COMPARE_FIELD(backoffResetAfterMs)
    SSE_COMPARE_FIELD(reconnectNonIdempotent)
    SSE_COMPARE_FIELD(maximumAttempts)
    SSE_COMPARE_FIELD(connectTimeoutMs)
    SSE_COMPARE_FIELD(idleTimeoutMs)
    SSE_COMPARE_FIELD(maximumEventSize)
    SSE_COMPARE_FIELD(allowInsecureTls)
    SSE_COMPARE_FIELD(http1Only)
    SSE_COMPARE_FIELD(http2PriorKnowledge)
    SSE_COMPARE_FIELD(caCertificatesPem)
    SSE_COMPARE_FIELD(acceptedCertificatePem)
#undef SSE_COMPARE_FIELD
    return {};
}

const QByteArray TestPem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n"
                           "-----END CERTIFICATE-----\n";

} // namespace

class TestViews : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    // JsonText
    void decodeString_data();
    void decodeString();
    void validate_data();
    void validate();
    void rawControlCharactersInStrings();

    // EventDetailView
    void prettyJsonIsIndentedInDocumentOrder();
    void treeShowsKeysInOrderWithNestedChildren();
    void scalarJsonHasOneTreeRow();
    void nonJsonShowsPlainTextAndNote_data();
    void nonJsonShowsPlainTextAndNote();
    void headerShowsEventFields();
    void rawTabShowsDataAndWireFormat_data();
    void rawTabShowsDataAndWireFormat();
    void copyButtonsFillClipboard();
    void highlighterColoursFollowPalette_data();
    void highlighterColoursFollowPalette();
    void treeCreatesRowsOnExpand();
    void largeDataBuildsTabsOnFirstVisit();
    void oversizedDataIsNotParsed();
    void clearEmptiesView();

    // ConnectionDialog
    void optionsRoundTrip_data();
    void optionsRoundTrip();
    void getRequestDropsBody();
    void lineBreaksDisableOk_data();
    void lineBreaksDisableOk();
    void focusSecretShowsWhereItGoes_data();
    void focusSecretShowsWhereItGoes();
    void invalidUrlDisablesOk_data();
    void invalidUrlDisablesOk();
    void presetFillsForm_data();
    void presetFillsForm();
    void secretHeaderNames_data();
    void secretHeaderNames();
    void secretHeaderValuesAreMasked();
    void policyEnablesSpinBoxes_data();
    void policyEnablesSpinBoxes();
    void contentTypeHintForJsonBody();
    void caCertificatesFromFile();
};

void TestViews::init()
{
    // A dialog that is shown makes the offscreen platform say it cannot propagate size hints.
    QTest::failOnWarning(
        QRegularExpression(u"^(?!This plugin does not support propagateSizeHints).*"_s));
}

// --- JsonText ---

void TestViews::decodeString_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("expected");

    QTest::newRow("plain") << QByteArray(R"("abc")") << u"abc"_s;
    QTest::newRow("escapes") << QByteArray(R"("a\"b\\c\/d\n\t")") << u"a\"b\\c/d\n\t"_s;
    QTest::newRow("utf-8") << QByteArray("\"gr\xC3\xBC\xC3\x9F\"") << u"grüß"_s;
    QTest::newRow("bmp escape") << QByteArray(R"("\u00e9t\u00E9")") << u"été"_s;
    QTest::newRow("surrogate pair") << QByteArray(R"("\ud83d\ude00")") << u"\U0001F600"_s;
    QTest::newRow("lone high surrogate") << QByteArray(R"("\ud83dx")") << u"\uFFFDx"_s;
    QTest::newRow("lone low surrogate") << QByteArray(R"("\ude00")") << u"\uFFFD"_s;
}

void TestViews::decodeString()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, expected);
    QCOMPARE(JsonText::decodeString(token), expected);
}

void TestViews::validate_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("valid");

    QTest::newRow("object") << QByteArray(R"({"a":1})") << true;
    QTest::newRow("array with spaces") << QByteArray(" [1, 2] \n") << true;
    QTest::newRow("number") << QByteArray("42") << true;
    QTest::newRow("string") << QByteArray(R"("hi")") << true;
    QTest::newRow("null") << QByteArray("null") << true;
    QTest::newRow("two scalars") << QByteArray("1, 2") << false;
    QTest::newRow("two arrays") << QByteArray("[1],[2]") << false;
    QTest::newRow("unterminated") << QByteArray(R"({"a":1)") << false;
    QTest::newRow("text") << QByteArray("hello") << false;
}

void TestViews::validate()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, valid);
    QString error;
    QCOMPARE(JsonText::validate(json, &error), valid);
    QCOMPARE(error.isEmpty(), valid);
}

// QJsonDocument (validate()'s second opinion) takes raw tabs inside strings, which the strict
// scanner stops at: the walkers must step over them, not run past the end (found by
// fuzz_jsontext).
void TestViews::rawControlCharactersInStrings()
{
    const QByteArray json = "{\"a\tb\":[1,\"x\ty\"]}";
    QVERIFY(JsonText::validate(json));
    QCOMPARE(JsonText::prettyPrint(json),
             QByteArray("{\n    \"a\tb\": [\n        1,\n        \"x\ty\"\n    ]\n}"));
    QCOMPARE(JsonText::prettySize(json), JsonText::prettyPrint(json).size());
    qsizetype total = 0;
    const QList<JsonText::Member> members =
        JsonText::members(json, JsonText::root(json), 10, &total);
    QCOMPARE(total, 1);
    QCOMPARE(members.first().key, u"a\tb"_s);
    QCOMPARE(members.first().value.kind, JsonText::Kind::Array);
    QCOMPARE(members.first().value.end, json.size() - 1);
}

// --- EventDetailView ---

void TestViews::prettyJsonIsIndentedInDocumentOrder()
{
    EventDetailView view;
    view.setEvent(makeEvent(NestedJson), u"local"_s);

    auto *pretty = child<QPlainTextEdit>(view, u"prettyText"_s);
    QVERIFY(pretty);
    const QString expected = u"{\n"
                             "    \"user\": {\n"
                             "        \"name\": \"ada\",\n"
                             "        \"tags\": [\n"
                             "            \"x\",\n"
                             "            \"y\"\n"
                             "        ]\n"
                             "    },\n"
                             "    \"count\": 3,\n"
                             "    \"big\": 12345678901234567890,\n"
                             "    \"empty\": {}\n"
                             "}"_s;
    QCOMPARE(pretty->toPlainText(), expected);
    QVERIFY(view.isJson());
    QVERIFY(child<QLabel>(view, u"prettyNote"_s)->isHidden());
    QVERIFY(pretty->isReadOnly());
}

void TestViews::treeShowsKeysInOrderWithNestedChildren()
{
    EventDetailView view;
    view.setEvent(makeEvent(NestedJson), u"local"_s);
    auto *tree = child<QTreeWidget>(view, u"jsonTree"_s);
    QVERIFY(tree);

    QCOMPARE(topLevelKeys(tree), (QStringList{u"user"_s, u"count"_s, u"big"_s, u"empty"_s}));

    QTreeWidgetItem *user = tree->topLevelItem(0);
    QCOMPARE(user->text(EventDetailView::ValueColumn), u"{2 keys}"_s);
    QCOMPARE(user->text(EventDetailView::TypeColumn), u"object"_s);
    QVERIFY(user->isExpanded()); // small documents open fully expanded
    QCOMPARE(user->childCount(), 2);
    QCOMPARE(user->child(0)->text(EventDetailView::KeyColumn), u"name"_s);
    QCOMPARE(user->child(0)->text(EventDetailView::ValueColumn), u"ada"_s);
    QCOMPARE(user->child(0)->text(EventDetailView::TypeColumn), u"string"_s);

    QTreeWidgetItem *tags = user->child(1);
    QCOMPARE(tags->text(EventDetailView::ValueColumn), u"[2 items]"_s);
    QCOMPARE(tags->childCount(), 2);
    QCOMPARE(tags->child(1)->text(EventDetailView::KeyColumn), u"[1]"_s);
    QCOMPARE(tags->child(1)->text(EventDetailView::ValueColumn), u"y"_s);

    QCOMPARE(tree->topLevelItem(1)->text(EventDetailView::ValueColumn), u"3"_s);
    QCOMPARE(tree->topLevelItem(1)->text(EventDetailView::TypeColumn), u"number"_s);
    // The digits as sent, not a double.
    QCOMPARE(tree->topLevelItem(2)->text(EventDetailView::ValueColumn), u"12345678901234567890"_s);
    QCOMPARE(tree->topLevelItem(3)->text(EventDetailView::ValueColumn), u"{0 keys}"_s);
    QCOMPARE(tree->topLevelItem(3)->childIndicatorPolicy(),
             QTreeWidgetItem::DontShowIndicatorWhenChildless);
}

void TestViews::scalarJsonHasOneTreeRow()
{
    EventDetailView view;
    view.setEvent(makeEvent("\"done\""), QString());
    QVERIFY(view.isJson());
    auto *tree = child<QTreeWidget>(view, u"jsonTree"_s);
    QCOMPARE(tree->topLevelItemCount(), 1);
    QCOMPARE(tree->topLevelItem(0)->text(EventDetailView::ValueColumn), u"done"_s);
    QCOMPARE(tree->topLevelItem(0)->text(EventDetailView::TypeColumn), u"string"_s);
}

void TestViews::nonJsonShowsPlainTextAndNote_data()
{
    QTest::addColumn<QByteArray>("data");

    QTest::newRow("text") << QByteArray("hello\nworld");
    QTest::newRow("broken json") << QByteArray(R"({"a":1)");
    QTest::newRow("done marker") << QByteArray("[DONE]");
    QTest::newRow("link") << QByteArray("see https://example.com/x <b>bold</b>");
}

void TestViews::nonJsonShowsPlainTextAndNote()
{
    QFETCH(QByteArray, data);

    EventDetailView view;
    view.setEvent(makeEvent(data), u"local"_s);
    QVERIFY(!view.isJson());

    QCOMPARE(child<QPlainTextEdit>(view, u"prettyText"_s)->toPlainText(), QString::fromUtf8(data));
    auto *note = child<QLabel>(view, u"prettyNote"_s);
    QVERIFY(!note->isHidden());
    QVERIFY2(note->text().contains(u"not json"_s, Qt::CaseInsensitive), qPrintable(note->text()));
    QCOMPARE(note->textFormat(), Qt::PlainText);

    QCOMPARE(child<QTreeWidget>(view, u"jsonTree"_s)->topLevelItemCount(), 0);
    QVERIFY(!child<QLabel>(view, u"treeNote"_s)->isHidden());
    QCOMPARE(child<QPlainTextEdit>(view, u"rawText"_s)->toPlainText(), QString::fromUtf8(data));
    QVERIFY(!child<QPushButton>(view, u"copyPrettyButton"_s)->isEnabled());
    QVERIFY(child<QPushButton>(view, u"copyDataButton"_s)->isEnabled());
}

void TestViews::headerShowsEventFields()
{
    EventDetailView view;
    view.setEvent(makeEvent("hello", "update", "42"), u"Wikimedia"_s);

    QCOMPARE(child<QLineEdit>(view, u"typeField"_s)->text(), u"update"_s);
    QCOMPARE(child<QLineEdit>(view, u"idField"_s)->text(), u"42"_s);
    QCOMPARE(child<QLineEdit>(view, u"connectionField"_s)->text(), u"Wikimedia"_s);
    QCOMPARE(child<QLineEdit>(view, u"sizeField"_s)->text(), u"5 bytes"_s);
    auto *time = child<QLineEdit>(view, u"timeField"_s);
    QVERIFY2(time->text().endsWith(u".123"_s), qPrintable(time->text()));
    QCOMPARE(time->toolTip(), u"2023-11-14T22:13:20.123Z"_s);
    QVERIFY(child<QLineEdit>(view, u"retryField"_s)->isHidden());

    view.setEvent(makeEvent("x", "message", {}, 2500), QString());
    auto *retry = child<QLineEdit>(view, u"retryField"_s);
    QVERIFY(!retry->isHidden());
    QVERIFY2(retry->text().startsWith(u"2"_s) && retry->text().endsWith(u"500 ms"_s),
             qPrintable(retry->text()));
    QCOMPARE(child<QLineEdit>(view, u"sizeField"_s)->text(), u"1 byte"_s);
    QVERIFY(child<QLineEdit>(view, u"idField"_s)->text().isEmpty());
}

void TestViews::rawTabShowsDataAndWireFormat_data()
{
    QTest::addColumn<Sse::Event>("event");
    QTest::addColumn<QString>("wire");

    QTest::newRow("message") << makeEvent("hello") << u"data: hello\n\n"_s;
    QTest::newRow("type, id and retry")
            << makeEvent("{\"a\":1}", "delta", "7", 1000)
            << u"event: delta\nid: 7\nretry: 1000\ndata: {\"a\":1}\n\n"_s;
    QTest::newRow("multi-line data")
            << makeEvent("one\n\n two") << u"data: one\ndata:\ndata:  two\n\n"_s;
}

void TestViews::rawTabShowsDataAndWireFormat()
{
    QFETCH(Sse::Event, event);
    QFETCH(QString, wire);

    EventDetailView view;
    view.setEvent(event, QString());
    auto *raw = child<QPlainTextEdit>(view, u"rawText"_s);
    QCOMPARE(raw->toPlainText(), QString::fromUtf8(event.data));
    QCOMPARE(raw->font().family(), QFontDatabase::systemFont(QFontDatabase::FixedFont).family());
    QCOMPARE(child<QPlainTextEdit>(view, u"wireText"_s)->toPlainText(), wire);
}

void TestViews::copyButtonsFillClipboard()
{
    EventDetailView view;
    const QByteArray data = R"({"b":1,"a":[true,null]})";
    view.setEvent(makeEvent(data, "delta", "id-1", 500), u"OpenAI"_s);
    QClipboard *clipboard = QGuiApplication::clipboard();

    clipboard->clear();
    child<QPushButton>(view, u"copyDataButton"_s)->click();
    QCOMPARE(clipboard->text(), QString::fromUtf8(data));

    clipboard->clear();
    child<QPushButton>(view, u"copyPrettyButton"_s)->click();
    QCOMPARE(clipboard->text(),
             u"{\n    \"b\": 1,\n    \"a\": [\n        true,\n        null\n    ]\n}"_s);

    clipboard->clear();
    child<QPushButton>(view, u"copyJsonButton"_s)->click();
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(clipboard->text().toUtf8(), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonObject object = document.object();
    QCOMPARE(object.value(u"type"_s).toString(), u"delta"_s);
    QCOMPARE(object.value(u"id"_s).toString(), u"id-1"_s);
    QCOMPARE(object.value(u"data"_s).toString(), QString::fromUtf8(data));
    QCOMPARE(object.value(u"time"_s).toString(), u"2023-11-14T22:13:20.123Z"_s);
    QCOMPARE(object.value(u"receivedMs"_s).toInteger(), 1700000000123);
    QCOMPARE(object.value(u"retry"_s).toInt(), 500);
    QCOMPARE(object.value(u"connection"_s).toString(), u"OpenAI"_s);
}

void TestViews::highlighterColoursFollowPalette_data()
{
    QTest::addColumn<QColor>("base");
    QTest::addColumn<JsonHighlighter::Theme>("theme");

    QTest::newRow("light") << QColor(Qt::white) << JsonHighlighter::Theme::Light;
    QTest::newRow("dark") << QColor(0x1e, 0x1e, 0x1e) << JsonHighlighter::Theme::Dark;
}

void TestViews::highlighterColoursFollowPalette()
{
    QFETCH(QColor, base);
    QFETCH(JsonHighlighter::Theme, theme);

    EventDetailView view;
    QPalette palette = view.palette();
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::Window, base);
    view.setPalette(palette);
    view.setEvent(makeEvent(R"({"name":"ada","n":-1.5e3,"ok":true,"none":null})"), QString());

    auto *pretty = child<QPlainTextEdit>(view, u"prettyText"_s);
    auto *highlighter = pretty->document()->findChild<JsonHighlighter *>();
    QVERIFY(highlighter);
    QCOMPARE(highlighter->theme(), theme);

    const QTextBlock nameLine = findBlock(pretty->document(), u"\"name\""_s);
    QVERIFY(nameLine.isValid());
    const int keyAt = int(nameLine.text().indexOf(u"\"name\""_s));
    const int stringAt = int(nameLine.text().indexOf(u"\"ada\""_s));
    const QColor key = colourAt(nameLine, keyAt);
    const QColor string = colourAt(nameLine, stringAt);
    const QTextBlock numberLine = findBlock(pretty->document(), u"-1.5e3"_s);
    const QColor number = colourAt(numberLine, int(numberLine.text().indexOf(u"-1.5e3"_s)));
    const QTextBlock trueLine = findBlock(pretty->document(), u"true"_s);
    const QColor literal = colourAt(trueLine, int(trueLine.text().indexOf(u"true"_s)));
    const QTextBlock nullLine = findBlock(pretty->document(), u"null"_s);
    QCOMPARE(colourAt(nullLine, int(nullLine.text().indexOf(u"null"_s))), literal);

    QCOMPARE(key, highlighter->format(JsonHighlighter::Token::Key).foreground().color());
    const QList<QColor> colours{key, string, number, literal};
    for (const QColor &colour : colours) {
        QVERIFY(colour.isValid());
        QCOMPARE(colours.count(colour), 1); // four distinct colours
        // Readable: clearly away from the background's lightness.
        QVERIFY2(qAbs(colour.lightness() - base.lightness()) > 90, qPrintable(colour.name()));
    }
}

void TestViews::treeCreatesRowsOnExpand()
{
    // Above ExpandAllBytes the tree opens collapsed and creates rows on demand.
    QByteArray data = R"({"items":[)";
    int count = 0;
    while (data.size() <= EventDetailView::ExpandAllBytes) {
        if (count > 0)
            data += ',';
        data += R"({"n":)" + QByteArray::number(count++) + R"(,"s":"some text to pad it out"})";
    }
    data += "]}";

    EventDetailView view;
    view.setEvent(makeEvent(data), QString());
    auto *tree = child<QTreeWidget>(view, u"jsonTree"_s);
    QCOMPARE(tree->topLevelItemCount(), 1);
    QTreeWidgetItem *items = tree->topLevelItem(0);
    QCOMPARE(items->text(EventDetailView::ValueColumn), u"[%1 items]"_s.arg(count));
    QVERIFY(!items->isExpanded());
    QCOMPARE(items->childCount(), 0);
    QCOMPARE(items->childIndicatorPolicy(), QTreeWidgetItem::ShowIndicator);

    tree->expandItem(items);
    QCOMPARE(items->childCount(), count);
    QTreeWidgetItem *last = items->child(count - 1);
    QCOMPARE(last->text(EventDetailView::KeyColumn), u"[%1]"_s.arg(count - 1));
    QCOMPARE(last->childCount(), 0);
    tree->expandItem(last);
    QCOMPARE(last->childCount(), 2);
    QCOMPARE(last->child(0)->text(EventDetailView::ValueColumn), QString::number(count - 1));

    // Collapsing and expanding again does not add the rows twice.
    tree->collapseItem(items);
    tree->expandItem(items);
    QCOMPARE(items->childCount(), count);
}

void TestViews::largeDataBuildsTabsOnFirstVisit()
{
    // A top-level array of about 1.1 million numbers: 2.2 MiB.
    QByteArray data = "[";
    data.reserve(EventDetailView::EagerTabBytes + 64);
    while (data.size() < EventDetailView::EagerTabBytes + 16)
        data += "1,";
    data += "2]";

    EventDetailView view;
    view.setEvent(makeEvent(data), QString());
    QVERIFY(view.isJson());
    auto *tree = child<QTreeWidget>(view, u"jsonTree"_s);
    auto *raw = child<QPlainTextEdit>(view, u"rawText"_s);
    QCOMPARE(tree->topLevelItemCount(), 0);
    QVERIFY(raw->toPlainText().isEmpty());

    // The pretty text is cut, the note says so, and the copy text is complete.
    auto *pretty = child<QPlainTextEdit>(view, u"prettyText"_s);
    QVERIFY(pretty->toPlainText().size() <= EventDetailView::DisplayBytes);
    auto *prettyNote = child<QLabel>(view, u"prettyNote"_s);
    QVERIFY(!prettyNote->isHidden());
    QVERIFY2(prettyNote->text().contains(u"Showing the first"_s), qPrintable(prettyNote->text()));
    QVERIFY(view.prettyJsonText().endsWith(u"    1,\n    2\n]"_s));

    auto *tabs = child<QTabWidget>(view, u"tabs"_s);
    tabs->setCurrentIndex(EventDetailView::TreeTab);
    // At most MaximumTreeChildren rows, then one row that says how many more there are.
    QCOMPARE(tree->topLevelItemCount(), EventDetailView::MaximumTreeChildren + 1);
    QCOMPARE(tree->topLevelItem(0)->text(EventDetailView::KeyColumn), u"[0]"_s);
    const QString more = tree->topLevelItem(int(EventDetailView::MaximumTreeChildren))
                                 ->text(EventDetailView::ValueColumn);
    QVERIFY2(more.contains(u"more not shown"_s), qPrintable(more));

    tabs->setCurrentIndex(EventDetailView::RawTab);
    // One line without breaks: shown up to DisplayLineBytes.
    QCOMPARE(raw->toPlainText().size(), EventDetailView::DisplayLineBytes);
    QVERIFY(!child<QLabel>(view, u"rawNote"_s)->isHidden());
    QVERIFY(child<QPlainTextEdit>(view, u"wireText"_s)->toPlainText().startsWith(u"data: [1,1,"_s));
}

void TestViews::oversizedDataIsNotParsed()
{
    QByteArray data = "[";
    data.append(EventDetailView::MaximumJsonBytes, '1');
    data += ']';

    EventDetailView view;
    view.setEvent(makeEvent(data), QString());
    QVERIFY(!view.isJson());
    auto *note = child<QLabel>(view, u"prettyNote"_s);
    QVERIFY(!note->isHidden());
    QVERIFY2(note->text().contains(u"larger than"_s), qPrintable(note->text()));
    QCOMPARE(child<QPlainTextEdit>(view, u"prettyText"_s)->toPlainText().size(),
             EventDetailView::DisplayLineBytes);
    QCOMPARE(view.dataText().size(), data.size());
}

void TestViews::clearEmptiesView()
{
    EventDetailView view;
    view.setEvent(makeEvent(NestedJson, "t", "1"), u"c"_s);
    view.clear();
    QVERIFY(!view.hasEvent());
    QVERIFY(child<QPlainTextEdit>(view, u"prettyText"_s)->toPlainText().isEmpty());
    QVERIFY(child<QPlainTextEdit>(view, u"rawText"_s)->toPlainText().isEmpty());
    QCOMPARE(child<QTreeWidget>(view, u"jsonTree"_s)->topLevelItemCount(), 0);
    QVERIFY(child<QLineEdit>(view, u"typeField"_s)->text().isEmpty());
    QVERIFY(!child<QPushButton>(view, u"copyDataButton"_s)->isEnabled());
    QVERIFY(!child<QPushButton>(view, u"copyJsonButton"_s)->isEnabled());
    QVERIFY(!child<QPushButton>(view, u"copyPrettyButton"_s)->isEnabled());
}

// --- ConnectionDialog ---

void TestViews::optionsRoundTrip_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<Sse::ClientOptions>("options");

    Sse::ClientOptions defaults;
    defaults.url = QUrl(u"http://localhost:8080/events"_s);
    QTest::newRow("defaults") << u"Local"_s << defaults;

    Sse::ClientOptions post;
    post.url = QUrl(u"https://api.example.com/v1/stream?q=a%20b&x=%C3%A9#frag"_s);
    post.method = "POST";
    post.headers = {{"Authorization", "Bearer s3cret"},
                    {"Content-Type", "application/json"},
                    {"X-Trace", "\xC3\xA9t\xC3\xA9"}};
    post.body = "{\r\n  \"stream\": true,\n  \"nbsp\": \"a\xC2\xA0"
                "b\"\n}";
    post.initialLastEventId = "evt-99";
    post.reconnectPolicy = Sse::ReconnectPolicy::Fixed;
    post.defaultRetryMs = 1234;
    post.fixedDelayMs = 2500;
    post.backoffMaximumMs = 45678;
    post.backoffJitter = 0.125;
    post.backoffResetAfterMs = 12345;
    post.reconnectNonIdempotent = true;
    post.maximumAttempts = 7;
    post.connectTimeoutMs = 1500;
    post.idleTimeoutMs = 45001;
    post.maximumEventSize = 1234567;
    post.allowInsecureTls = true;
    post.caCertificatesPem = TestPem;
    post.acceptedCertificatePem = TestPem + "accepted";
    post.overflowPolicy = Sse::OverflowPolicy::DropEvents;
    post.forwardCredentialsOnRedirect = true;
    post.http1Only = true;
    QTest::newRow("post with every field") << u"Everything"_s << post;

    Sse::ClientOptions backoff;
    backoff.url = QUrl(u"https://stream.example.org/sse"_s);
    backoff.method = "PATCH";
    backoff.body = "x=1";
    backoff.reconnectPolicy = Sse::ReconnectPolicy::ExponentialBackoff;
    backoff.backoffJitter = 0;
    backoff.backoffMaximumMs = 120000;
    backoff.connectTimeoutMs = 0;
    backoff.idleTimeoutMs = 90000;
    backoff.maximumEventSize = 64 * 1024 * 1024;
    backoff.http2PriorKnowledge = true; // no widget: kept from the profile
    QTest::newRow("backoff") << u"Backoff"_s << backoff;

    Sse::ClientOptions never;
    never.url = QUrl(u"http://127.0.0.1:1/"_s);
    never.method = "PUT";
    never.reconnectPolicy = Sse::ReconnectPolicy::Never;
    never.headers = {{"Cookie", "a=b"}, {"Accept", "text/event-stream"}};
    QTest::newRow("never, empty body") << u"Never"_s << never;
}

void TestViews::optionsRoundTrip()
{
    QFETCH(QString, name);
    QFETCH(Sse::ClientOptions, options);

    ConnectionDialog dialog;
    dialog.setConnection(name, options);
    QCOMPARE(dialog.name(), name);
    const Sse::ClientOptions result = dialog.options();
    const QString difference = firstDifference(result, options);
    QVERIFY2(difference.isEmpty(), qPrintable(u"differs: "_s + difference));
    QVERIFY(result == options);

    // A second dialog fed with the result gives the same again.
    ConnectionDialog again;
    again.setConnection(dialog.name(), result);
    QVERIFY(again.options() == options);
}

void TestViews::getRequestDropsBody()
{
    Sse::ClientOptions options;
    options.url = QUrl(u"http://localhost/"_s);
    options.method = "POST";
    options.body = "{}";

    ConnectionDialog dialog;
    dialog.setConnection(u"x"_s, options);
    auto *body = child<QPlainTextEdit>(dialog, u"bodyEdit"_s);
    QVERIFY(body->isEnabled());

    child<QComboBox>(dialog, u"methodCombo"_s)->setCurrentText(u"GET"_s);
    QVERIFY(!body->isEnabled());
    QCOMPARE(dialog.options().method, QByteArray("GET"));
    QVERIFY(dialog.options().body.isEmpty());
}

void TestViews::lineBreaksDisableOk_data()
{
    QTest::addColumn<QByteArray>("headerValue");
    QTest::addColumn<QByteArray>("lastEventId");
    QTest::addColumn<QString>("expected"); // in the message, empty: OK stays enabled

    QTest::newRow("clean") << QByteArray("v") << QByteArray("7") << QString();
    QTest::newRow("CRLF in a header value")
        << QByteArray("v\r\nInjected: 1") << QByteArray() << u"X-Trace"_s;
    QTest::newRow("LF in a header value") << QByteArray("v\nx") << QByteArray() << u"X-Trace"_s;
    QTest::newRow("NUL in a header value")
        << QByteArray("v\0x", 3) << QByteArray() << u"X-Trace"_s;
    QTest::newRow("CR in the Last-Event-ID")
        << QByteArray("v") << QByteArray("1\rretry: 0") << u"Last-Event-ID"_s;
}

// Header injection: a value with CR, LF or NUL never leaves the dialog.
// Edit on a connection waiting for a secret puts the focus where that secret is typed: the
// stream URL's mask is selected, so typing replaces exactly the credentials.
void TestViews::focusSecretShowsWhereItGoes_data()
{
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<QString>("widget");
    QTest::addColumn<QString>("selected");

    QTest::newRow("URL") << QByteArray(Sse::UrlSecret) << u"urlEdit"_s << u"<redacted>"_s;
    QTest::newRow("proxy password")
        << QByteArray(Sse::ProxyPasswordSecret) << u"proxyPasswordEdit"_s << QString();
    QTest::newRow("key passphrase")
        << QByteArray(Sse::KeyPassphraseSecret) << u"passphraseEdit"_s << QString();
    QTest::newRow("header") << QByteArray("Authorization") << u"headerTable"_s << QString();
}

void TestViews::focusSecretShowsWhereItGoes()
{
    QFETCH(QByteArray, secret);
    QFETCH(QString, widget);
    QFETCH(QString, selected);

    Sse::ClientOptions options;
    options.url = QUrl(u"http://localhost/events?api_key=<redacted>&x=1"_s);
    options.proxy = u"http://user@proxy.test:3128"_s;
    options.headers = {{"Authorization", QByteArray()}};
    ConnectionDialog dialog;
    dialog.setConnection(u"x"_s, options);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(dialog.focusSecret(secret));
    auto *target = child<QWidget>(dialog, widget);
    QVERIFY(target->isVisible()); // its tab is the current one
    QTRY_VERIFY(target == QApplication::focusWidget()
                || target->isAncestorOf(QApplication::focusWidget()));
    if (auto *edit = qobject_cast<QLineEdit *>(target); edit && !selected.isEmpty())
        QCOMPARE(edit->selectedText(), selected);
}

void TestViews::lineBreaksDisableOk()
{
    QFETCH(QByteArray, headerValue);
    QFETCH(QByteArray, lastEventId);
    QFETCH(QString, expected);

    Sse::ClientOptions options;
    options.url = QUrl(u"http://localhost/events"_s);
    options.headers = {{"X-Trace", headerValue}};
    options.initialLastEventId = lastEventId;
    ConnectionDialog dialog;
    dialog.setConnection(u"x"_s, options);
    auto *buttons = child<QDialogButtonBox>(dialog, u"buttonBox"_s);
    auto *error = child<QLabel>(dialog, u"fieldError"_s);
    QCOMPARE(buttons->button(QDialogButtonBox::Ok)->isEnabled(), expected.isEmpty());
    QCOMPARE(error->isVisibleTo(&dialog), !expected.isEmpty());
    if (!expected.isEmpty())
        QVERIFY2(error->text().contains(expected), qPrintable(error->text()));
}

void TestViews::invalidUrlDisablesOk_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("valid");

    QTest::newRow("empty") << QString() << false;
    QTest::newRow("ftp") << u"ftp://example.com/events"_s << false;
    QTest::newRow("no scheme") << u"example.com/events"_s << false;
    QTest::newRow("no host") << u"http://"_s << false;
    QTest::newRow("words") << u"not a url"_s << false;
    QTest::newRow("http") << u"http://localhost:8080/events"_s << true;
    QTest::newRow("https with spaces around") << u"  https://example.com/sse  "_s << true;
}

void TestViews::invalidUrlDisablesOk()
{
    QFETCH(QString, url);
    QFETCH(bool, valid);

    ConnectionDialog dialog;
    child<QLineEdit>(dialog, u"urlEdit"_s)->setText(u"http://ok.example/"_s);
    QPushButton *ok = child<QDialogButtonBox>(dialog, u"buttonBox"_s)->button(QDialogButtonBox::Ok);
    QVERIFY(ok->isEnabled());

    child<QLineEdit>(dialog, u"urlEdit"_s)->setText(url);
    QCOMPARE(ok->isEnabled(), valid);
    auto *hint = child<QLabel>(dialog, u"urlHint"_s);
    QCOMPARE(hint->isHidden(), valid);
    if (!valid)
        QVERIFY(hint->palette().color(QPalette::WindowText).red() > 150);
}

void TestViews::presetFillsForm_data()
{
    QTest::addColumn<ConnectionDialog::Preset>("preset");
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QStringList>("headerNames");
    QTest::addColumn<Sse::ReconnectPolicy>("policy");

    QTest::newRow("openai") << ConnectionDialog::Preset::OpenAiChat << u"POST"_s
                            << u"https://api.openai.com/v1/chat/completions"_s
                            << QStringList{u"Authorization"_s, u"Content-Type"_s}
                            << Sse::ReconnectPolicy::Never;
    QTest::newRow("openai responses") << ConnectionDialog::Preset::OpenAiResponses << u"POST"_s
                                      << u"https://api.openai.com/v1/responses"_s
                                      << QStringList{u"Authorization"_s, u"Content-Type"_s}
                                      << Sse::ReconnectPolicy::Never;
    QTest::newRow("gemini") << ConnectionDialog::Preset::GeminiStream << u"POST"_s
                            << u"https://generativelanguage.googleapis.com/v1beta/models/"
                               u"gemini-2.5-flash:streamGenerateContent?alt=sse"_s
                            << QStringList{u"x-goog-api-key"_s, u"Content-Type"_s}
                            << Sse::ReconnectPolicy::Never;
    QTest::newRow("anthropic") << ConnectionDialog::Preset::AnthropicMessages << u"POST"_s
                               << u"https://api.anthropic.com/v1/messages"_s
                               << QStringList{u"x-api-key"_s, u"anthropic-version"_s,
                                              u"Content-Type"_s}
                               << Sse::ReconnectPolicy::Never;
    QTest::newRow("wikimedia") << ConnectionDialog::Preset::WikimediaRecentChanges << u"GET"_s
                               << u"https://stream.wikimedia.org/v2/stream/recentchange"_s
                               << QStringList() << Sse::ReconnectPolicy::ServerRetry;
}

void TestViews::presetFillsForm()
{
    QFETCH(ConnectionDialog::Preset, preset);
    QFETCH(QString, method);
    QFETCH(QString, url);
    QFETCH(QStringList, headerNames);
    QFETCH(Sse::ReconnectPolicy, policy);

    ConnectionDialog dialog;
    // Through the menu, as a user would.
    auto *menu = child<QMenu>(dialog, u"presetMenu"_s);
    QVERIFY(menu);
    QAction *action = nullptr;
    for (QAction *candidate : menu->actions()) {
        if (candidate->data().toInt() == int(preset))
            action = candidate;
    }
    QVERIFY(action);
    action->trigger();

    QCOMPARE(child<QComboBox>(dialog, u"methodCombo"_s)->currentText(), method);
    QCOMPARE(child<QLineEdit>(dialog, u"urlEdit"_s)->text(), url);
    QCOMPARE(dialog.name(), ConnectionDialog::presetName(preset));
    auto *table = child<QTableWidget>(dialog, u"headerTable"_s);
    QStringList names;
    for (int row = 0; row < table->rowCount(); ++row)
        names.append(table->item(row, ConnectionDialog::HeaderNameColumn)->text());
    QCOMPARE(names, headerNames);

    const Sse::ClientOptions options = dialog.options();
    QCOMPARE(options.reconnectPolicy, policy);
    QCOMPARE(options.url, QUrl(url));
    QCOMPARE(options.method, method.toLatin1());
    QCOMPARE(options.reconnectNonIdempotent, false);
    if (method == u"POST") {
        // Gemini streams because of its URL; the others say so in the body, and the chat
        // preset asks for the usage chunk.
        if (preset == ConnectionDialog::Preset::GeminiStream)
            QVERIFY(options.body.contains("\"contents\""));
        else
            QVERIFY(options.body.contains("\"stream\": true"));
        if (preset == ConnectionDialog::Preset::OpenAiChat)
            QVERIFY(options.body.contains("\"include_usage\": true"));
        QVERIFY(QJsonDocument::fromJson(options.body).isObject());
        // The key placeholders are shown so that the user sees what to replace.
        QCOMPARE(table->item(0, ConnectionDialog::HeaderValueColumn)->text(),
                 QString::fromUtf8(options.headers.at(0).second));
        QVERIFY(child<QWidget>(dialog, u"contentTypeHint"_s)->isHidden());
    } else {
        QVERIFY(options.body.isEmpty());
    }
    QVERIFY(child<QDialogButtonBox>(dialog, u"buttonBox"_s)
                    ->button(QDialogButtonBox::Ok)
                    ->isEnabled());
}

void TestViews::secretHeaderNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("secret");

    QTest::newRow("authorization") << u"Authorization"_s << true;
    QTest::newRow("cookie") << u"cookie"_s << true;
    QTest::newRow("set-cookie") << u"Set-Cookie"_s << true;
    QTest::newRow("proxy-authorization") << u"Proxy-Authorization"_s << true;
    QTest::newRow("x-api-key") << u"X-API-Key"_s << true;
    QTest::newRow("token") << u"X-Auth-Token"_s << true;
    QTest::newRow("secret") << u"X-Client-Secret"_s << true;
    QTest::newRow("key") << u"Ocp-Apim-Subscription-Key"_s << true;
    QTest::newRow("accept") << u"Accept"_s << false;
    QTest::newRow("content-type") << u"Content-Type"_s << false;
    QTest::newRow("keep-alive") << u"Keep-Alive"_s << false;
}

void TestViews::secretHeaderNames()
{
    QFETCH(QString, name);
    QFETCH(bool, secret);
    QCOMPARE(ConnectionDialog::isSecretHeader(name), secret);
}

void TestViews::secretHeaderValuesAreMasked()
{
    Sse::ClientOptions options;
    options.url = QUrl(u"https://api.example.com/"_s);
    options.headers = {{"Authorization", "Bearer s3cret"},
                       {"Accept", "text/event-stream"},
                       {"X-Refresh-Token", "tok-123"}};

    ConnectionDialog dialog;
    dialog.setConnection(u"api"_s, options);
    auto *table = child<QTableWidget>(dialog, u"headerTable"_s);
    QCOMPARE(table->rowCount(), 3);
    const auto shown = [table](int row) {
        return table->item(row, ConnectionDialog::HeaderValueColumn)->text();
    };
    const auto showItem = [table](int row) {
        return table->item(row, ConnectionDialog::HeaderShowColumn);
    };

    QVERIFY(!shown(0).contains(u"s3cret"_s));
    QCOMPARE(shown(0), SecretValueDelegate::mask(u"Bearer s3cret"_s));
    QCOMPARE(shown(1), u"text/event-stream"_s);
    QVERIFY(!(showItem(1)->flags() & Qt::ItemIsUserCheckable)); // no toggle on plain rows
    QVERIFY(!shown(2).contains(u"tok-123"_s));
    QCOMPARE(dialog.options().headers, options.headers);

    // The per-row toggle reveals one row only.
    showItem(0)->setCheckState(Qt::Checked);
    QCOMPARE(shown(0), u"Bearer s3cret"_s);
    QVERIFY(!shown(2).contains(u"tok-123"_s));
    showItem(0)->setCheckState(Qt::Unchecked);
    QVERIFY(!shown(0).contains(u"s3cret"_s));

    // Renaming a plain header to a secret one masks it.
    table->item(1, ConnectionDialog::HeaderNameColumn)->setText(u"Cookie"_s);
    QVERIFY(!shown(1).contains(u"event-stream"_s));
    QVERIFY(showItem(1)->flags() & Qt::ItemIsUserCheckable);

    // A value changed through the delegate's role is stored and stays masked.
    table->item(0, ConnectionDialog::HeaderValueColumn)
            ->setData(SecretValueDelegate::ValueRole, u"Bearer other"_s);
    QVERIFY(!shown(0).contains(u"other"_s));
    QCOMPARE(dialog.options().headers.at(0).second, QByteArray("Bearer other"));
    QCOMPARE(dialog.options().headers.at(1),
             (QPair<QByteArray, QByteArray>("Cookie", "text/event-stream")));
}

void TestViews::policyEnablesSpinBoxes_data()
{
    QTest::addColumn<Sse::ReconnectPolicy>("policy");
    QTest::addColumn<bool>("retry");
    QTest::addColumn<bool>("fixed");
    QTest::addColumn<bool>("backoff");
    QTest::addColumn<bool>("reconnects");

    QTest::newRow("server retry") << Sse::ReconnectPolicy::ServerRetry << true << false << false
                                  << true;
    QTest::newRow("fixed") << Sse::ReconnectPolicy::Fixed << false << true << false << true;
    QTest::newRow("backoff") << Sse::ReconnectPolicy::ExponentialBackoff << true << false << true
                             << true;
    QTest::newRow("never") << Sse::ReconnectPolicy::Never << false << false << false << false;
}

void TestViews::policyEnablesSpinBoxes()
{
    QFETCH(Sse::ReconnectPolicy, policy);
    QFETCH(bool, retry);
    QFETCH(bool, fixed);
    QFETCH(bool, backoff);
    QFETCH(bool, reconnects);

    ConnectionDialog dialog;
    auto *combo = child<QComboBox>(dialog, u"policyCombo"_s);
    combo->setCurrentIndex(combo->findData(int(policy)));
    QCOMPARE(dialog.options().reconnectPolicy, policy);
    QCOMPARE(child<QSpinBox>(dialog, u"defaultRetrySpin"_s)->isEnabled(), retry);
    QCOMPARE(child<QSpinBox>(dialog, u"fixedDelaySpin"_s)->isEnabled(), fixed);
    QCOMPARE(child<QSpinBox>(dialog, u"backoffMaximumSpin"_s)->isEnabled(), backoff);
    QCOMPARE(child<QDoubleSpinBox>(dialog, u"jitterSpin"_s)->isEnabled(), backoff);
    QCOMPARE(child<QSpinBox>(dialog, u"maximumAttemptsSpin"_s)->isEnabled(), reconnects);
    QCOMPARE(child<QCheckBox>(dialog, u"resendCheck"_s)->isEnabled(), reconnects);
}

void TestViews::contentTypeHintForJsonBody()
{
    ConnectionDialog dialog;
    child<QLineEdit>(dialog, u"urlEdit"_s)->setText(u"https://example.com/"_s);
    child<QComboBox>(dialog, u"methodCombo"_s)->setCurrentText(u"POST"_s);
    auto *hint = child<QWidget>(dialog, u"contentTypeHint"_s);
    QVERIFY(hint->isHidden());

    child<QPlainTextEdit>(dialog, u"bodyEdit"_s)->setPlainText(u"  {\"stream\": true}"_s);
    QVERIFY(!hint->isHidden());

    child<QPushButton>(dialog, u"contentTypeButton"_s)->click();
    QVERIFY(hint->isHidden());
    const auto headers = dialog.options().headers;
    QCOMPARE(headers.size(), 1);
    QCOMPARE(headers.at(0), (QPair<QByteArray, QByteArray>("Content-Type", "application/json")));
}

void TestViews::caCertificatesFromFile()
{
    ConnectionDialog dialog;
    child<QLineEdit>(dialog, u"urlEdit"_s)->setText(u"https://example.com/"_s);

    QTemporaryFile pem;
    QVERIFY(pem.open());
    pem.write(TestPem + TestPem);
    pem.flush();
    QVERIFY(dialog.loadCaCertificates(pem.fileName()));
    QCOMPARE(dialog.options().caCertificatesPem, TestPem + TestPem);
    QVERIFY(child<QLabel>(dialog, u"caStatus"_s)->text().contains(u"2"_s));

    QTemporaryFile notPem;
    QVERIFY(notPem.open());
    notPem.write("hello");
    notPem.flush();
    QVERIFY(!dialog.loadCaCertificates(notPem.fileName()));
    QVERIFY(!child<QLabel>(dialog, u"caError"_s)->isHidden());
    QCOMPARE(dialog.options().caCertificatesPem, TestPem + TestPem); // unchanged

    child<QPushButton>(dialog, u"caClearButton"_s)->click();
    QVERIFY(dialog.options().caCertificatesPem.isEmpty());
}

QTEST_MAIN(TestViews)
#include "tst_views.moc"

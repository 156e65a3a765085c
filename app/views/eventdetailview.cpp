#include "views/eventdetailview.h"

#include "views/jsonhighlighter.h"
#include "views/jsontext.h"

#include "sselib/jsonpath.h"

#include <QClipboard>
#include <QDateTime>
#include <QEvent>
#include <QFontDatabase>
#include <QGridLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTextDocument>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

// Where a tree item's value lies in the event data, and whether its children exist yet.
enum TreeRole {
    BeginRole = Qt::UserRole + 1,
    EndRole,
    KindRole,
    PopulatedRole,
    PathRole, // the item's JSON path (`data.usage.output_tokens`), for "Apply as Column"
};

constexpr qsizetype TreeCellCharacters = 500;
constexpr qsizetype ToolTipCharacters = 4096;
// Rows created when a small document opens fully expanded.
constexpr int ExpandAllRowBudget = 5000;

// A JSON string literal for text, quotes and escapes included.
QByteArray jsonString(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return array.sliced(1, array.size() - 2);
}

// The start of a UTF-8 text that a text view can show quickly: at most DisplayBytes and
// DisplayLines lines, cut at a character boundary.
QString displayPrefix(QByteArrayView utf8, bool *truncated)
{
    qsizetype cut = qMin(utf8.size(), EventDetailView::DisplayBytes);
    qsizetype lines = 0;
    qsizetype lineStart = 0;
    while (lineStart < cut) {
        qsizetype end = utf8.indexOf('\n', lineStart);
        if (end < 0)
            end = utf8.size();
        if (end - lineStart > EventDetailView::DisplayLineBytes) {
            cut = qMin(cut, lineStart + EventDetailView::DisplayLineBytes);
            break;
        }
        if (end >= cut)
            break;
        if (++lines == EventDetailView::DisplayLines) {
            cut = end;
            break;
        }
        lineStart = end + 1;
    }
    while (cut < utf8.size() && cut > 0 && (uchar(utf8.at(cut)) & 0xc0) == 0x80)
        --cut; // do not split a character
    *truncated = cut < utf8.size();
    return QString::fromUtf8(utf8.first(cut));
}

// Word wrapping is quadratic in the length of a line without break opportunities (a long
// JSON line, a base64 blob), wrapping anywhere is linear.
void setWrapping(QPlainTextEdit *edit, const QString &text)
{
    qsizetype longest = 0;
    qsizetype start = 0;
    while (start <= text.size()) {
        qsizetype end = text.indexOf(u'\n', start);
        if (end < 0)
            end = text.size();
        longest = qMax(longest, end - start);
        start = end + 1;
    }
    edit->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    edit->setWordWrapMode(longest > EventDetailView::WordWrapLineLength
                                  ? QTextOption::WrapAnywhere
                                  : QTextOption::WrapAtWordBoundaryOrAnywhere);
}

// A header field's text: at most FieldPreviewBytes of a type or ID, cut at a character.
QString fieldPreview(const QByteArray &value)
{
    if (value.size() <= EventDetailView::FieldPreviewBytes)
        return QString::fromUtf8(value);
    qsizetype cut = EventDetailView::FieldPreviewBytes;
    while (cut > 0 && (uchar(value.at(cut)) & 0xc0) == 0x80)
        --cut;
    return QString::fromUtf8(value.first(cut)) + QChar(u'\u2026');
}

QString utcTimeText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

// Single-line text for a tree cell: line breaks as U+23CE, tabs as spaces, bounded length.
QString cellText(QString text)
{
    if (text.size() > TreeCellCharacters) {
        text.truncate(TreeCellCharacters);
        text.append(QChar(u'\u2026'));
    }
    for (QChar &c : text) {
        if (c == u'\n' || c == u'\r')
            c = QChar(u'\u23ce');
        else if (c == u'\t')
            c = QChar(u' ');
    }
    return text;
}

QString toolTipText(QString text)
{
    if (text.size() > ToolTipCharacters) {
        text.truncate(ToolTipCharacters);
        text.append(QChar(u'\u2026'));
    }
    // Tool tips render anything that looks like markup as rich text; keep payloads literal.
    if (Qt::mightBeRichText(text)) {
        text = QLatin1String("<div style=\"white-space: pre-wrap\">") + text.toHtmlEscaped()
                + QLatin1String("</div>");
    }
    return text;
}

QLineEdit *createField(const QString &accessibleName, QWidget *parent)
{
    auto *field = new QLineEdit(parent);
    field->setReadOnly(true);
    field->setFrame(false);
    field->setAccessibleName(accessibleName);
    field->setMinimumWidth(60);
    field->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    return field;
}

QPlainTextEdit *createTextView(const QString &accessibleName, QWidget *parent)
{
    auto *edit = new QPlainTextEdit(parent);
    edit->setReadOnly(true);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setAccessibleName(accessibleName);
    edit->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    return edit;
}

QLabel *createNote(QWidget *parent)
{
    auto *note = new QLabel(parent);
    note->setTextFormat(Qt::PlainText);
    note->setWordWrap(true);
    note->setVisible(false);
    return note;
}

} // namespace

EventDetailView::EventDetailView(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    createHeader();
    createTabs();
    createButtons();
    layout->addWidget(m_tabs, 1);

    updateColours();
    clear();
}

EventDetailView::~EventDetailView() = default;

void EventDetailView::createHeader()
{
    auto *grid = new QGridLayout;
    grid->setHorizontalSpacing(8);
    grid->setVerticalSpacing(2);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);

    m_typeField = createField(tr("Event type"), this);
    m_typeField->setObjectName(QStringLiteral("typeField"));
    m_idField = createField(tr("Event ID"), this);
    m_idField->setObjectName(QStringLiteral("idField"));
    m_idField->setPlaceholderText(tr("none"));
    m_sizeField = createField(tr("Data size"), this);
    m_sizeField->setObjectName(QStringLiteral("sizeField"));
    m_connectionField = createField(tr("Connection"), this);
    m_connectionField->setObjectName(QStringLiteral("connectionField"));
    m_timeField = createField(tr("Received at"), this);
    m_timeField->setObjectName(QStringLiteral("timeField"));
    m_retryField = createField(tr("Retry"), this);
    m_retryField->setObjectName(QStringLiteral("retryField"));

    const auto addField = [&](int row, int column, const QString &text, QLineEdit *field) {
        auto *label = new QLabel(text, this);
        label->setBuddy(field);
        grid->addWidget(label, row, column);
        grid->addWidget(field, row, column + 1);
        return label;
    };
    addField(0, 0, tr("Type:"), m_typeField);
    addField(1, 0, tr("ID:"), m_idField);
    addField(2, 0, tr("Size:"), m_sizeField);
    addField(0, 2, tr("Connection:"), m_connectionField);
    addField(1, 2, tr("Received:"), m_timeField);
    m_retryLabel = addField(2, 2, tr("Retry:"), m_retryField);

    static_cast<QVBoxLayout *>(layout())->addLayout(grid);

    m_noteLabel = new QLabel(this);
    m_noteLabel->setObjectName(QStringLiteral("eventNote"));
    m_noteLabel->setWordWrap(true);
    m_noteLabel->setTextFormat(Qt::PlainText);
    m_noteLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_noteLabel->setAutoFillBackground(true);
    m_noteLabel->setBackgroundRole(QPalette::ToolTipBase);
    m_noteLabel->setForegroundRole(QPalette::ToolTipText);
    m_noteLabel->setMargin(4);
    m_noteLabel->hide();
    static_cast<QVBoxLayout *>(layout())->addWidget(m_noteLabel);
}

void EventDetailView::setNote(const QString &note)
{
    m_noteLabel->setText(note.isEmpty() ? QString() : tr("Note: %1").arg(note));
    m_noteLabel->setToolTip(note);
    m_noteLabel->setVisible(!note.isEmpty());
}

QString EventDetailView::note() const
{
    return m_noteLabel->toolTip();
}

void EventDetailView::setComparePreviousEnabled(bool enabled)
{
    m_comparePreviousButton->setEnabled(enabled);
}

void EventDetailView::createTabs()
{
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_tabs->setAccessibleName(tr("Event data views"));
    m_tabs->setDocumentMode(true);

    auto *prettyPage = new QWidget(m_tabs);
    auto *prettyLayout = new QVBoxLayout(prettyPage);
    prettyLayout->setContentsMargins(0, 4, 0, 0);
    m_prettyNote = createNote(prettyPage);
    m_prettyNote->setObjectName(QStringLiteral("prettyNote"));
    m_prettyEdit = createTextView(tr("Event data, formatted"), prettyPage);
    m_prettyEdit->setObjectName(QStringLiteral("prettyText"));
    m_prettyEdit->setPlaceholderText(tr("Select an event to see its data here."));
    m_highlighter = new JsonHighlighter(m_prettyEdit->document());
    m_highlighter->setCharacterLimit(HighlightCharacters);
    prettyLayout->addWidget(m_prettyNote);
    prettyLayout->addWidget(m_prettyEdit, 1);
    m_tabs->addTab(prettyPage, tr("&Pretty"));

    auto *treePage = new QWidget(m_tabs);
    auto *treeLayout = new QVBoxLayout(treePage);
    treeLayout->setContentsMargins(0, 4, 0, 0);
    m_treeNote = createNote(treePage);
    m_treeNote->setObjectName(QStringLiteral("treeNote"));
    m_tree = new QTreeWidget(treePage);
    m_tree->setObjectName(QStringLiteral("jsonTree"));
    m_tree->setAccessibleName(tr("Event data as a JSON tree"));
    m_tree->setColumnCount(3);
    m_tree->setHeaderLabels({tr("Key"), tr("Value"), tr("Type")});
    m_tree->setUniformRowHeights(true);
    m_tree->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_tree->header()->setFont(font());
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(ValueColumn, QHeaderView::Stretch);
    m_tree->header()->resizeSection(KeyColumn, 200);
    m_tree->header()->resizeSection(TypeColumn, 80);
    connect(m_tree, &QTreeWidget::itemExpanded, this, &EventDetailView::populateTreeItem);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_tree, &QWidget::customContextMenuRequested, this,
            &EventDetailView::showTreeMenu);
    treeLayout->addWidget(m_treeNote);
    treeLayout->addWidget(m_tree, 1);
    m_tabs->addTab(treePage, tr("&Tree"));

    auto *rawPage = new QSplitter(Qt::Vertical, m_tabs);
    rawPage->setChildrenCollapsible(false);
    const auto addRawPane = [&](const QString &title, QPlainTextEdit *edit, QLabel *note) {
        auto *pane = new QWidget(rawPage);
        auto *paneLayout = new QVBoxLayout(pane);
        paneLayout->setContentsMargins(0, 4, 0, 0);
        auto *label = new QLabel(title, pane);
        label->setBuddy(edit);
        paneLayout->addWidget(label);
        if (note)
            paneLayout->addWidget(note);
        paneLayout->addWidget(edit, 1);
        rawPage->addWidget(pane);
    };
    m_rawNote = createNote(rawPage);
    m_rawNote->setObjectName(QStringLiteral("rawNote"));
    m_rawEdit = createTextView(tr("Event data as received"), rawPage);
    m_rawEdit->setObjectName(QStringLiteral("rawText"));
    m_wireEdit = createTextView(tr("Event in SSE wire format"), rawPage);
    m_wireEdit->setObjectName(QStringLiteral("wireText"));
    m_wireEdit->setToolTip(tr("The event written back as an event stream block. The id line "
                              "is the last event ID in force, which an earlier event may have "
                              "set."));
    addRawPane(tr("Data as received:"), m_rawEdit, m_rawNote);
    addRawPane(tr("SSE wire format:"), m_wireEdit, nullptr);
    rawPage->setStretchFactor(0, 3);
    rawPage->setStretchFactor(1, 2);
    m_tabs->addTab(rawPage, tr("&Raw"));

    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (index == TreeTab && !m_treeBuilt)
            buildTree();
        else if (index == RawTab && !m_rawBuilt)
            showRaw();
    });
}

void EventDetailView::createButtons()
{
    // A row of their own: in the corner of the tab bar they squeeze the tabs in a narrow dock.
    auto *row = new QWidget(this);
    auto *buttons = new QHBoxLayout(row);
    buttons->setContentsMargins(0, 0, 0, 0);
    m_copyDataButton = new QPushButton(tr("Copy &data"), row);
    m_copyDataButton->setObjectName(QStringLiteral("copyDataButton"));
    m_copyDataButton->setToolTip(tr("Copy the event data exactly as received"));
    m_copyJsonButton = new QPushButton(tr("Copy as &JSON"), row);
    m_copyJsonButton->setObjectName(QStringLiteral("copyJsonButton"));
    m_copyJsonButton->setToolTip(tr("Copy the whole event (type, ID, time, data) as a JSON "
                                    "object"));
    m_copyPrettyButton = new QPushButton(tr("Copy pretty JSO&N"), row);
    m_copyPrettyButton->setObjectName(QStringLiteral("copyPrettyButton"));
    m_copyPrettyButton->setToolTip(tr("Copy the data as indented JSON"));
    connect(m_copyDataButton, &QPushButton::clicked, this, &EventDetailView::copyData);
    connect(m_copyJsonButton, &QPushButton::clicked, this, &EventDetailView::copyEventAsJson);
    connect(m_copyPrettyButton, &QPushButton::clicked, this, &EventDetailView::copyPrettyJson);
    buttons->addWidget(m_copyDataButton);
    buttons->addWidget(m_copyJsonButton);
    buttons->addWidget(m_copyPrettyButton);
    m_comparePreviousButton = new QPushButton(tr("Compare with &previous"), row);
    m_comparePreviousButton->setObjectName(QStringLiteral("comparePreviousButton"));
    m_comparePreviousButton->setToolTip(
        tr("Compare this event with the previous event of the same type and connection"));
    m_comparePreviousButton->setEnabled(false);
    connect(m_comparePreviousButton, &QPushButton::clicked, this,
            &EventDetailView::comparePreviousRequested);
    buttons->addWidget(m_comparePreviousButton);
    buttons->addStretch(1);
    static_cast<QVBoxLayout *>(layout())->addWidget(row);
}

void EventDetailView::setEvent(const Sse::Event &event, const QString &connectionName)
{
    m_event = event;
    m_connectionName = connectionName;
    m_hasEvent = true;

    QString error;
    const bool small = m_event.data.size() <= MaximumJsonBytes;
    m_isJson = small && !m_event.data.isEmpty() && JsonText::validate(m_event.data, &error);
    m_prettySize = m_isJson ? JsonText::prettySize(m_event.data) : 0;

    showHeader();
    showPretty();
    m_prettyNote->setToolTip(error);
    m_treeNote->setToolTip(error);
    m_treeNote->setText(small ? tr("The data is not JSON, so there is no tree.")
                              : tr("The data is larger than %1 and was not parsed as JSON.")
                                        .arg(locale().formattedDataSize(MaximumJsonBytes)));
    m_treeNote->setVisible(!m_isJson);
    const bool eager = m_event.data.size() <= EagerTabBytes;
    m_rawBuilt = false;
    m_rawEdit->clear();
    m_wireEdit->clear();
    m_rawNote->hide();
    if (eager || m_tabs->currentIndex() == RawTab)
        showRaw();
    resetTree();
    if (eager || m_tabs->currentIndex() == TreeTab)
        buildTree();
    updateButtons();
}

void EventDetailView::clear()
{
    m_event = Sse::Event();
    m_connectionName.clear();
    m_hasEvent = false;
    m_isJson = false;
    m_prettySize = 0;
    m_rawBuilt = false;
    for (QLineEdit *field :
         {m_typeField, m_idField, m_sizeField, m_connectionField, m_timeField, m_retryField}) {
        field->clear();
        field->setToolTip(QString());
    }
    m_retryLabel->hide();
    m_retryField->hide();
    setNote(QString());
    setComparePreviousEnabled(false);
    m_prettyNote->hide();
    m_treeNote->hide();
    m_rawNote->hide();
    m_prettyEdit->clear();
    m_rawEdit->clear();
    m_wireEdit->clear();
    resetTree();
    updateButtons();
}

void EventDetailView::showHeader()
{
    m_typeField->setText(fieldPreview(m_event.type));
    m_typeField->setToolTip(toolTipText(m_typeField->text()));
    m_typeField->setCursorPosition(0);
    m_idField->setText(fieldPreview(m_event.lastEventId));
    m_idField->setToolTip(toolTipText(m_idField->text()));
    m_idField->setCursorPosition(0);
    m_connectionField->setText(m_connectionName);
    m_connectionField->setToolTip(toolTipText(m_connectionName));
    m_connectionField->setCursorPosition(0);

    const QDateTime received = QDateTime::fromMSecsSinceEpoch(m_event.receivedMs);
    m_timeField->setText(received.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")));
    m_timeField->setToolTip(utcTimeText(m_event.receivedMs));
    m_timeField->setCursorPosition(0);

    const qsizetype size = m_event.data.size();
    const QString bytes = size == 1 ? tr("1 byte") : tr("%1 bytes").arg(locale().toString(size));
    m_sizeField->setText(size < 1024 ? bytes
                                     : tr("%1 (%2)").arg(locale().formattedDataSize(size), bytes));
    m_sizeField->setCursorPosition(0);

    const bool hasRetry = m_event.retryMs >= 0;
    m_retryField->setText(hasRetry ? tr("%1 ms").arg(locale().toString(m_event.retryMs))
                                   : QString());
    m_retryLabel->setVisible(hasRetry);
    m_retryField->setVisible(hasRetry);
}

void EventDetailView::showPretty()
{
    // Detaching the highlighter first means plain text is never tokenised; attaching it
    // to an emptied document means the new text is highlighted once, as it is inserted.
    m_prettyEdit->clear();
    QStringList notes;
    bool truncated = false;
    if (m_isJson) {
        if (m_highlighter->document() != m_prettyEdit->document())
            m_highlighter->setDocument(m_prettyEdit->document());
        m_prettyEdit->setLineWrapMode(QPlainTextEdit::NoWrap);
        // Only what the view shows is built: DisplayBytes, then cut to DisplayLines.
        const QByteArray shown = JsonText::prettyPrint(m_event.data, 4, DisplayBytes);
        const QString text = displayPrefix(shown, &truncated);
        truncated = truncated || shown.size() < m_prettySize;
        m_prettyEdit->setPlainText(text);
        if (truncated && m_prettySize <= MaximumPrettyCopyBytes)
            notes.append(tr("Showing the first %1 of %2: Copy pretty JSON copies all of it.")
                                 .arg(locale().formattedDataSize(text.toUtf8().size()),
                                      locale().formattedDataSize(m_prettySize)));
        else if (truncated)
            notes.append(tr("Showing the first %1 of %2: too large to copy formatted, Copy data "
                            "copies the data as received.")
                                 .arg(locale().formattedDataSize(text.toUtf8().size()),
                                      locale().formattedDataSize(m_prettySize)));
    } else {
        if (m_highlighter->document())
            m_highlighter->setDocument(nullptr);
        const QString text = displayPrefix(m_event.data, &truncated);
        setWrapping(m_prettyEdit, text);
        m_prettyEdit->setPlainText(text);
        if (m_event.data.size() > MaximumJsonBytes) {
            notes.append(tr("The data is larger than %1, so it was not parsed as JSON. Shown as "
                            "plain text.")
                                 .arg(locale().formattedDataSize(MaximumJsonBytes)));
        } else if (!m_event.data.isEmpty()) {
            notes.append(tr("Not JSON: shown as plain text."));
        }
        if (truncated)
            notes.append(tr("Showing the first %1 of %2: Copy data copies all of it.")
                                 .arg(locale().formattedDataSize(text.toUtf8().size()),
                                      locale().formattedDataSize(m_event.data.size())));
    }
    m_prettyNote->setText(notes.join(u' '));
    m_prettyNote->setVisible(!notes.isEmpty());
}

void EventDetailView::showRaw()
{
    m_rawBuilt = true;
    bool truncated = false;
    const QString rawText = displayPrefix(m_event.data, &truncated);
    const QByteArray shown = truncated ? rawText.toUtf8() : m_event.data;
    setWrapping(m_rawEdit, rawText);
    m_rawEdit->setPlainText(rawText);
    m_rawNote->setText(tr("Showing the first %1 of %2: Copy data copies all of it.")
                               .arg(locale().formattedDataSize(shown.size()),
                                    locale().formattedDataSize(m_event.data.size())));
    m_rawNote->setVisible(truncated);

    // One field per line, "name: value"; the parser strips exactly one space after the colon,
    // so a value starting with a space survives the round trip.
    QByteArray wire;
    // A long type or id is cut like the data: the wire text is for reading, the copy buttons
    // give everything.
    const auto fieldBytes = [](const QByteArray &value) {
        return value.size() <= DisplayBytes ? value
                                            : QByteArray(value.first(DisplayBytes)).append("\xE2\x80\xA6");
    };
    if (!m_event.type.isEmpty() && m_event.type != "message")
        wire += "event: " + fieldBytes(m_event.type) + '\n';
    if (!m_event.lastEventId.isEmpty())
        wire += "id: " + fieldBytes(m_event.lastEventId) + '\n';
    if (m_event.retryMs >= 0)
        wire += "retry: " + QByteArray::number(m_event.retryMs) + '\n';
    qsizetype start = 0;
    while (true) {
        const qsizetype end = shown.indexOf('\n', start);
        const QByteArrayView line
                = QByteArrayView(shown).sliced(start, (end < 0 ? shown.size() : end) - start);
        wire += line.isEmpty() ? QByteArrayView("data:") : QByteArrayView("data: ");
        wire += line;
        wire += '\n';
        if (end < 0)
            break;
        start = end + 1;
    }
    wire += truncated ? QByteArray("\xE2\x80\xA6\n") : QByteArray("\n"); // U+2026
    const QString wireText = QString::fromUtf8(wire);
    setWrapping(m_wireEdit, wireText);
    m_wireEdit->setPlainText(wireText);
}

void EventDetailView::resetTree()
{
    m_tree->clear();
    m_treeBuilt = false;
}

void EventDetailView::buildTree()
{
    m_tree->clear();
    m_treeBuilt = true;
    if (!m_isJson)
        return;

    const JsonText::Value root = JsonText::root(m_event.data);
    if (root.kind == JsonText::Kind::Object || root.kind == JsonText::Kind::Array) {
        addTreeChildren(m_tree->invisibleRootItem(), root.begin, root.end, int(root.kind));
    } else {
        auto *item = new QTreeWidgetItem(m_tree);
        const QByteArrayView token(m_event.data.constData() + root.begin, root.end - root.begin);
        const QString text = root.kind == JsonText::Kind::String ? JsonText::decodeString(token)
                                                                 : QString::fromUtf8(token);
        item->setText(KeyColumn, tr("(value)"));
        item->setText(ValueColumn, cellText(text));
        item->setToolTip(ValueColumn, toolTipText(text));
        item->setText(TypeColumn, JsonText::kindName(root.kind));
    }

    if (m_event.data.size() <= ExpandAllBytes) {
        int budget = ExpandAllRowBudget;
        expandTree(m_tree->invisibleRootItem(), budget);
    }
}

void EventDetailView::populateTreeItem(QTreeWidgetItem *item)
{
    if (item->data(KeyColumn, PopulatedRole).toBool())
        return;
    item->setData(KeyColumn, PopulatedRole, true);
    addTreeChildren(item, item->data(KeyColumn, BeginRole).toLongLong(),
                    item->data(KeyColumn, EndRole).toLongLong(),
                    item->data(KeyColumn, KindRole).toInt());
}

void EventDetailView::addTreeChildren(QTreeWidgetItem *parent, qsizetype begin, qsizetype end,
                                      int kind)
{
    const QByteArrayView json(m_event.data);
    const JsonText::Value container{JsonText::Kind(kind), begin, end};
    const bool isArray = container.kind == JsonText::Kind::Array;
    qsizetype total = 0;
    const QList<JsonText::Member> members
            = JsonText::members(json, container, MaximumTreeChildren, &total);

    // The same colours as the Pretty tab.
    const QBrush keyBrush = m_highlighter->format(JsonHighlighter::Token::Key).foreground();
    const QBrush stringBrush = m_highlighter->format(JsonHighlighter::Token::String).foreground();
    const QBrush numberBrush = m_highlighter->format(JsonHighlighter::Token::Number).foreground();
    const QBrush literalBrush = m_highlighter->format(JsonHighlighter::Token::Literal).foreground();

    QList<QTreeWidgetItem *> items;
    items.reserve(members.size() + 1);
    qsizetype index = 0;
    const QString parentPath = parent == m_tree->invisibleRootItem()
            ? QStringLiteral("data")
            : parent->data(KeyColumn, PathRole).toString();
    for (const JsonText::Member &member : members) {
        auto *item = new QTreeWidgetItem;
        QString path = parentPath;
        if (isArray)
            Sse::JsonPath::appendIndex(path, index);
        else
            Sse::JsonPath::appendKey(path, member.key);
        item->setData(KeyColumn, PathRole, path);
        item->setText(KeyColumn,
                      isArray ? QStringLiteral("[%1]").arg(index) : cellText(member.key));
        if (!isArray)
            item->setForeground(KeyColumn, keyBrush);
        if (!isArray && member.key.size() > TreeCellCharacters)
            item->setToolTip(KeyColumn, toolTipText(member.key));
        item->setText(TypeColumn, JsonText::kindName(member.value.kind));

        const JsonText::Value &value = member.value;
        const QByteArrayView token = json.sliced(value.begin, value.end - value.begin);
        switch (value.kind) {
        case JsonText::Kind::Object:
        case JsonText::Kind::Array: {
            qsizetype count = 0;
            JsonText::members(json, value, 0, &count);
            const bool object = value.kind == JsonText::Kind::Object;
            QString summary;
            if (object)
                summary = count == 1 ? tr("{1 key}") : tr("{%1 keys}").arg(count);
            else
                summary = count == 1 ? tr("[1 item]") : tr("[%1 items]").arg(count);
            item->setText(ValueColumn, summary);
            item->setData(KeyColumn, BeginRole, qint64(value.begin));
            item->setData(KeyColumn, EndRole, qint64(value.end));
            item->setData(KeyColumn, KindRole, int(value.kind));
            if (count > 0)
                item->setChildIndicatorPolicy(QTreeWidgetItem::ShowIndicator);
            else
                item->setData(KeyColumn, PopulatedRole, true);
            break;
        }
        case JsonText::Kind::String: {
            const QString text = JsonText::decodeString(token);
            item->setText(ValueColumn, cellText(text));
            item->setToolTip(ValueColumn, toolTipText(text));
            item->setForeground(ValueColumn, stringBrush);
            break;
        }
        case JsonText::Kind::Number:
            item->setText(ValueColumn, QString::fromUtf8(token));
            item->setForeground(ValueColumn, numberBrush);
            break;
        case JsonText::Kind::Boolean:
        case JsonText::Kind::Null:
            item->setText(ValueColumn, QString::fromUtf8(token));
            item->setForeground(ValueColumn, literalBrush);
            break;
        }
        items.append(item);
        ++index;
    }
    if (total > members.size()) {
        auto *more = new QTreeWidgetItem;
        more->setText(KeyColumn, QStringLiteral("\u2026"));
        more->setText(ValueColumn,
                      tr("%1 more not shown: see the Pretty or Raw tab")
                              .arg(locale().toString(total - members.size())));
        more->setFlags(Qt::ItemIsEnabled);
        items.append(more);
    }
    parent->addChildren(items);
}

void EventDetailView::expandTree(QTreeWidgetItem *item, int &budget)
{
    // Depth first with an explicit stack, so a deeply nested document cannot overflow.
    QList<QTreeWidgetItem *> stack{item};
    while (!stack.isEmpty() && budget > 0) {
        QTreeWidgetItem *current = stack.takeLast();
        if (current != m_tree->invisibleRootItem()) {
            populateTreeItem(current);
            current->setExpanded(true);
        }
        budget -= current->childCount();
        for (int i = current->childCount() - 1; i >= 0; --i) {
            QTreeWidgetItem *child = current->child(i);
            if (child->childIndicatorPolicy() == QTreeWidgetItem::ShowIndicator)
                stack.append(child);
        }
    }
}

QString EventDetailView::dataText() const
{
    return QString::fromUtf8(m_event.data);
}

QString EventDetailView::eventJson() const
{
    if (!m_hasEvent)
        return {};
    const QString type = QString::fromUtf8(m_event.type);
    const QString id = QString::fromUtf8(m_event.lastEventId);
    QByteArray json = "{\n    \"type\": " + jsonString(type) + ",\n    \"id\": " + jsonString(id);
    if (m_event.retryMs >= 0)
        json += ",\n    \"retry\": " + QByteArray::number(m_event.retryMs);
    json += ",\n    \"time\": " + jsonString(utcTimeText(m_event.receivedMs));
    json += ",\n    \"receivedMs\": " + QByteArray::number(m_event.receivedMs);
    if (!m_connectionName.isEmpty())
        json += ",\n    \"connection\": " + jsonString(m_connectionName);
    json += ",\n    \"data\": " + jsonString(dataText()) + "\n}\n";
    return QString::fromUtf8(json);
}

QString EventDetailView::prettyJsonText() const
{
    if (!m_isJson || m_prettySize > MaximumPrettyCopyBytes)
        return {};
    return QString::fromUtf8(JsonText::prettyPrint(m_event.data));
}

void EventDetailView::copyData()
{
    if (m_hasEvent)
        QGuiApplication::clipboard()->setText(dataText());
}

void EventDetailView::copyEventAsJson()
{
    if (m_hasEvent)
        QGuiApplication::clipboard()->setText(eventJson());
}

void EventDetailView::copyPrettyJson()
{
    if (!m_isJson)
        return;
    if (m_prettySize > MaximumPrettyCopyBytes) {
        m_prettyNote->setText(tr("The formatted data would be %1, more than %2: use Copy data.")
                                      .arg(locale().formattedDataSize(m_prettySize),
                                           locale().formattedDataSize(MaximumPrettyCopyBytes)));
        m_prettyNote->show();
        return;
    }
    QGuiApplication::clipboard()->setText(prettyJsonText());
}

void EventDetailView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        updateColours();
}

void EventDetailView::updateColours()
{
    // This runs before the palette reaches the children, so read our own.
    const JsonHighlighter::Theme theme = JsonHighlighter::themeFor(palette());
    if (theme != m_highlighter->theme()) {
        m_highlighter->setTheme(theme);
        if (m_treeBuilt) // the tree's colours are set per item
            buildTree();
    }

    // The header fields are read-only line edits dressed as labels: selectable, and they
    // scroll instead of widening the view for a long ID. Their background follows Window.
    for (QLineEdit *field :
         {m_typeField, m_idField, m_sizeField, m_connectionField, m_timeField, m_retryField}) {
        QPalette fieldPalette; // only Base is set, every other role is still inherited
        fieldPalette.setColor(QPalette::Base, palette().color(QPalette::Window));
        field->setPalette(fieldPalette);
    }
}

void EventDetailView::updateButtons()
{
    m_copyDataButton->setEnabled(m_hasEvent);
    m_copyJsonButton->setEnabled(m_hasEvent);
    m_copyPrettyButton->setEnabled(m_isJson);
}

QString EventDetailView::treePath(const QTreeWidgetItem *item) const
{
    return item ? item->data(KeyColumn, PathRole).toString() : QString();
}

void EventDetailView::showTreeMenu(const QPoint &position)
{
    const QString path = treePath(m_tree->itemAt(position));
    if (path.isEmpty())
        return;
    QMenu menu(this);
    QAction *apply = menu.addAction(tr("&Apply as Column"));
    apply->setToolTip(tr("Show %1 as a column of the event log").arg(path));
    QAction *applyForType = nullptr;
    if (!m_event.type.isEmpty()) {
        applyForType = menu.addAction(
                tr("Apply as Column for \u201c%1\u201d Events")
                        .arg(QString::fromUtf8(m_event.type.left(40))));
    }
    QAction *copy = menu.addAction(tr("&Copy Path"));
    QAction *chosen = menu.exec(m_tree->viewport()->mapToGlobal(position));
    if (chosen == apply)
        emit applyAsColumnRequested(path, QByteArray());
    else if (chosen && chosen == applyForType)
        emit applyAsColumnRequested(path, m_event.type);
    else if (chosen == copy)
        QGuiApplication::clipboard()->setText(path);
}

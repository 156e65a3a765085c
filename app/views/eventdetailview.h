#pragma once

#include "sselib/sseevent.h"

#include <QString>
#include <QWidget>

QT_BEGIN_NAMESPACE
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;
QT_END_NAMESPACE

class JsonHighlighter;

// Shows one event in full: a header with its fields, then the data as pretty-printed JSON,
// as a JSON tree and exactly as received (with the event re-encoded in SSE wire format).
//
// Data is only ever displayed: nothing here follows or fetches a link.
//
// Cost limits. QPlainTextEdit creates one text block per line (about 1 s per 100,000 lines) and
// word-wrapping a line without break opportunities grows with the square of its length (minutes
// for 1 MiB of digits and commas), so:
// - each text view shows at most DisplayBytes and DisplayLines of its text, and stops at the
//   first line longer than DisplayLineBytes (laying out one line costs about 50 bytes per
//   character: a 1 MiB line would hold 50 MB), with a note; the copy buttons and
//   dataText()/prettyJsonText() give everything;
// - a text with a line longer than WordWrapLineLength wraps anywhere instead of at words;
// - data above MaximumJsonBytes is not parsed and shows as plain text;
// - only the first HighlightCharacters of the pretty text get syntax colours;
// - the pretty text is built only as far as it is shown (DisplayBytes): a deeply nested
//   document's pretty form can be thousands of times its size. Indentation stops growing after
//   JsonText::MaximumIndentLevels levels; "Copy pretty JSON" builds the whole text when clicked
//   and refuses (with a note) above MaximumPrettyCopyBytes;
// - the type and ID fields show a preview of FieldPreviewBytes (a type or ID can be megabytes);
//   "Copy event as JSON" gives them in full;
// - for data above EagerTabBytes the Tree and Raw tabs are filled when first shown;
// - the tree creates the rows of an object or array when it is first expanded, at most
//   MaximumTreeChildren of them per level.
class EventDetailView : public QWidget
{
    Q_OBJECT

public:
    static constexpr qsizetype MaximumJsonBytes = 8 * 1024 * 1024;
    static constexpr qsizetype DisplayBytes = 1024 * 1024;
    static constexpr qsizetype DisplayLines = 25000;
    static constexpr qsizetype DisplayLineBytes = 64 * 1024;
    static constexpr qsizetype WordWrapLineLength = 4096;
    static constexpr qsizetype EagerTabBytes = 2 * 1024 * 1024;
    static constexpr qsizetype HighlightCharacters = 1024 * 1024;
    // Data up to this size opens with the whole tree expanded.
    static constexpr qsizetype ExpandAllBytes = 64 * 1024;
    static constexpr qsizetype MaximumTreeChildren = 10000;
    static constexpr qsizetype MaximumPrettyCopyBytes = 32 * 1024 * 1024;
    static constexpr qsizetype FieldPreviewBytes = 4096;

    enum Tab { PrettyTab, TreeTab, RawTab };
    Q_ENUM(Tab)

    enum TreeColumn { KeyColumn, ValueColumn, TypeColumn };
    Q_ENUM(TreeColumn)

    explicit EventDetailView(QWidget *parent = nullptr);
    ~EventDetailView() override;

    void setEvent(const Sse::Event &event, const QString &connectionName);
    void clear();
    // The user's note on the event, shown above the tabs (empty: hidden). clear() hides it.
    void setNote(const QString &note);
    QString note() const;
    // Whether "Compare with previous of same type" has an event to compare with.
    void setComparePreviousEnabled(bool enabled);

    bool hasEvent() const { return m_hasEvent; }
    bool isJson() const { return m_isJson; }

    // Clipboard text of the three copy buttons.
    QString dataText() const;
    QString eventJson() const; // the event as an object: type, id, retry, time, data
    // Empty unless the data is JSON and its pretty form is at most MaximumPrettyCopyBytes.
    QString prettyJsonText() const;

    // The JSON path of a tree item (`data.usage.output_tokens`); empty for none.
    QString treePath(const QTreeWidgetItem *item) const;
    QTreeWidget *tree() const { return m_tree; }

Q_SIGNALS:
    // "Apply as Column" in the tree's context menu; \a type is empty for every event type.
    void applyAsColumnRequested(const QString &path, const QByteArray &type);

public Q_SLOTS:
    void copyData();
    void copyEventAsJson();
    void copyPrettyJson();

Q_SIGNALS:
    void comparePreviousRequested();

protected:
    void changeEvent(QEvent *event) override;

private:
    void showTreeMenu(const QPoint &position);
    void createHeader();
    void createTabs();
    void createButtons();
    void showHeader();
    void showPretty();
    void showRaw();
    void resetTree();
    void buildTree();
    void populateTreeItem(QTreeWidgetItem *item);
    void addTreeChildren(QTreeWidgetItem *parent, qsizetype begin, qsizetype end, int kind);
    void expandTree(QTreeWidgetItem *item, int &budget);
    void updateColours();
    void updateButtons();

    Sse::Event m_event;
    QString m_connectionName;
    bool m_hasEvent = false;
    bool m_isJson = false;
    bool m_treeBuilt = false;
    bool m_rawBuilt = false;
    qsizetype m_prettySize = 0; // bytes of the whole pretty text; 0 unless m_isJson

    QLineEdit *m_typeField = nullptr;
    QLineEdit *m_idField = nullptr;
    QLabel *m_retryLabel = nullptr;
    QLineEdit *m_retryField = nullptr;
    QLineEdit *m_timeField = nullptr;
    QLineEdit *m_connectionField = nullptr;
    QLineEdit *m_sizeField = nullptr;

    QTabWidget *m_tabs = nullptr;
    QLabel *m_prettyNote = nullptr;
    QPlainTextEdit *m_prettyEdit = nullptr;
    JsonHighlighter *m_highlighter = nullptr;
    QLabel *m_treeNote = nullptr;
    QTreeWidget *m_tree = nullptr;
    QLabel *m_rawNote = nullptr;
    QPlainTextEdit *m_rawEdit = nullptr;
    QPlainTextEdit *m_wireEdit = nullptr;

    QPushButton *m_copyDataButton = nullptr;
    QPushButton *m_copyJsonButton = nullptr;
    QPushButton *m_copyPrettyButton = nullptr;
    QPushButton *m_comparePreviousButton = nullptr;
    QLabel *m_noteLabel = nullptr;
};

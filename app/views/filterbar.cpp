#include "views/filterbar.h"

#include "models/eventstore.h"

#include "sselib/jsonpath.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QScrollBar>
#include <QSettings>
#include <QSet>
#include <QStringListModel>
#include <QToolButton>

#include <algorithm>

namespace {

// The settings keys of the filter bar, all of them.
const QString RecentKey = QStringLiteral("displayFilters/recent");
const QString SavedKey = QStringLiteral("displayFilters/saved"); // QVariantMap name → text

constexpr int StatusWidthCharacters = 44;
constexpr int MaximumPaths = 400;
constexpr int MaximumPathDepth = 8;

const QString ValidStyle = QStringLiteral("QLineEdit { background: #dcf5dc; color: black; }");
const QString InvalidStyle = QStringLiteral("QLineEdit { background: #f9dcdc; color: black; }");

// Adds the path of every member and element under `value` (prefix already names it).
void collectPaths(const QJsonValue &value, const QString &prefix, int depth, QSet<QString> *paths)
{
    if (paths->size() >= MaximumPaths || depth > MaximumPathDepth)
        return;
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            QString path = prefix;
            Sse::JsonPath::appendKey(path, it.key());
            paths->insert(path);
            collectPaths(it.value(), path, depth + 1, paths);
        }
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        // The first elements show the shape; a long array would only repeat it.
        for (qsizetype i = 0; i < qMin<qsizetype>(array.size(), 3); ++i) {
            QString path = prefix;
            Sse::JsonPath::appendIndex(path, i);
            paths->insert(path);
            collectPaths(array.at(i), path, depth + 1, paths);
        }
    }
}

bool isTokenCharacter(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'$' || c == u'.' || c == u'['
            || c == u']' || c == u'"' || c.unicode() >= 0x80;
}

} // namespace

FilterBar::FilterBar(const EventStore *store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
{
    m_edit = new QLineEdit;
    m_edit->setObjectName(QStringLiteral("displayFilterEdit"));
    m_edit->setPlaceholderText(
            tr("Display filter, e.g. type == \"trade\" && data.price > 100 (Ctrl+Space completes)"));
    m_edit->setAccessibleName(tr("Display filter"));
    m_edit->setAccessibleDescription(
            tr("A filter expression over the event fields and the JSON paths of the data; "
               "green when valid, red with the error beside it"));
    m_edit->setClearButtonEnabled(true);
    m_edit->installEventFilter(this);

    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("displayFilterStatus"));
    // A fixed width: an error appearing or going away never moves the other widgets.
    m_status->setFixedWidth(m_status->fontMetrics().averageCharWidth() * StatusWidthCharacters);
    m_status->setStyleSheet(QStringLiteral("color: #c62828"));

    m_menu = new QMenu(this);
    connect(m_menu, &QMenu::aboutToShow, this, &FilterBar::rebuildMenu);
    m_filtersButton = new QToolButton;
    m_filtersButton->setObjectName(QStringLiteral("displayFiltersButton"));
    m_filtersButton->setText(tr("Filters"));
    m_filtersButton->setToolTip(tr("Recent and saved display filters"));
    m_filtersButton->setPopupMode(QToolButton::InstantPopup);
    m_filtersButton->setMenu(m_menu);

    m_completions = new QStringListModel(this);
    m_completer = new QCompleter(m_completions, this);
    m_completer->setWidget(m_edit);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseSensitive);
    m_completer->setModelSorting(QCompleter::CaseSensitivelySortedModel);
    connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this,
            &FilterBar::insertCompletion);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *label = new QLabel(tr("Fi&lter:"));
    label->setBuddy(m_edit);
    layout->addWidget(label);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_status);
    layout->addWidget(m_filtersButton);

    m_applyDelay.setSingleShot(true);
    m_applyDelay.setInterval(300);
    connect(&m_applyDelay, &QTimer::timeout, this, [this] { apply(false); });
    connect(m_edit, &QLineEdit::textChanged, this, [this] {
        validate();
        m_applyDelay.start();
    });
    connect(m_edit, &QLineEdit::textEdited, this, [this] { showCompletions(false); });
    connect(m_edit, &QLineEdit::returnPressed, this, [this] {
        if (m_completer->popup()->isVisible())
            return;
        m_applyDelay.stop();
        apply(true);
    });
}

void FilterBar::setText(const QString &text)
{
    m_edit->setText(text);
    m_applyDelay.stop();
    apply(true);
}

void FilterBar::setMarks(Sse::FilterExpression::Marks marks)
{
    m_marks = marks;
    validate();
}

void FilterBar::validate()
{
    m_current = Sse::FilterExpression::parse(m_edit->text(), m_marks);
    if (m_current.isEmpty()) {
        m_edit->setStyleSheet(QString());
        m_status->clear();
        m_status->setToolTip(QString());
    } else if (m_current.isValid()) {
        m_edit->setStyleSheet(ValidStyle);
        m_status->clear();
        m_status->setToolTip(QString());
    } else {
        m_edit->setStyleSheet(InvalidStyle);
        const QString error = m_current.errorString();
        m_status->setText(m_status->fontMetrics().elidedText(error, Qt::ElideRight,
                                                             m_status->width()));
        m_status->setToolTip(error);
    }
    m_edit->setToolTip(m_current.isValid() ? QString() : m_current.errorString());
}

void FilterBar::apply(bool rememberText)
{
    if (!m_current.isValid())
        return;
    if (rememberText && !m_current.isEmpty())
        remember(m_current.text().trimmed());
    if (m_current == m_applied)
        return;
    m_applied = m_current;
    emit expressionApplied(m_applied);
}

void FilterBar::remember(const QString &text)
{
    QStringList recent = recentFilters();
    recent.removeAll(text);
    recent.prepend(text);
    while (recent.size() > MaximumRecent)
        recent.removeLast();
    QSettings().setValue(RecentKey, recent);
}

QStringList FilterBar::recentFilters() const
{
    return QSettings().value(RecentKey).toStringList();
}

QList<QPair<QString, QString>> FilterBar::savedFilters() const
{
    QList<QPair<QString, QString>> filters;
    const QVariantMap saved = QSettings().value(SavedKey).toMap();
    for (auto it = saved.cbegin(); it != saved.cend(); ++it)
        filters.append({it.key(), it.value().toString()});
    return filters;
}

void FilterBar::saveFilter(const QString &name, const QString &text)
{
    QSettings settings;
    QVariantMap saved = settings.value(SavedKey).toMap();
    saved.insert(name, text);
    settings.setValue(SavedKey, saved);
}

void FilterBar::removeSavedFilter(const QString &name)
{
    QSettings settings;
    QVariantMap saved = settings.value(SavedKey).toMap();
    saved.remove(name);
    settings.setValue(SavedKey, saved);
}

void FilterBar::rebuildMenu()
{
    m_menu->clear();
    const QList<QPair<QString, QString>> saved = savedFilters();
    m_menu->addSection(tr("Saved"));
    if (saved.isEmpty())
        m_menu->addAction(tr("(none)"))->setEnabled(false);
    for (const auto &[name, text] : saved) {
        QAction *action = m_menu->addAction(name, this, [this, text = text] { setText(text); });
        action->setToolTip(text);
    }
    m_menu->addSection(tr("Recent"));
    const QStringList recent = recentFilters();
    if (recent.isEmpty())
        m_menu->addAction(tr("(none)"))->setEnabled(false);
    for (const QString &text : recent)
        m_menu->addAction(text, this, [this, text] { setText(text); });
    m_menu->addSeparator();
    QAction *save = m_menu->addAction(tr("&Save Current Filter…"), this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Save Display Filter"),
                                                   tr("Name:"), QLineEdit::Normal, QString(),
                                                   &ok)
                                     .trimmed();
        if (ok && !name.isEmpty())
            saveFilter(name, m_edit->text().trimmed());
    });
    save->setEnabled(m_current.isValid() && !m_current.isEmpty());
    if (!saved.isEmpty()) {
        QMenu *remove = m_menu->addMenu(tr("&Remove Saved Filter"));
        for (const auto &[name, text] : saved)
            remove->addAction(name, this, [this, name = name] { removeSavedFilter(name); });
    }
}

QStringList FilterBar::completionCandidates() const
{
    QSet<QString> paths;
    if (m_store && !m_store->isEmpty()) {
        // Completion only, never per event: a QJsonDocument for each of the newest events.
        const qint64 end = m_store->endSequence();
        const qint64 begin = qMax(m_store->firstSequence(), end - PathSampleEvents);
        for (qint64 sequence = end - 1; sequence >= begin && paths.size() < MaximumPaths;
             --sequence) {
            const QByteArrayView data = m_store->data(sequence);
            if (data.isEmpty() || (data.front() != '{' && data.front() != '['))
                continue;
            const QJsonDocument document = QJsonDocument::fromJson(data.toByteArray());
            if (document.isObject())
                collectPaths(document.object(), QStringLiteral("data"), 0, &paths);
            else if (document.isArray())
                collectPaths(document.array(), QStringLiteral("data"), 0, &paths);
        }
    }
    QStringList candidates = Sse::FilterExpression::fieldNames();
    if (m_marks == Sse::FilterExpression::Marks::Unavailable)
        candidates.removeOne(QStringLiteral("marked"));
    for (const char *word : {"contains", "matches", "in", "and", "or", "not", "true", "false",
                             "null"}) {
        candidates.append(QLatin1StringView(word));
    }
    candidates += QStringList(paths.cbegin(), paths.cend());
    candidates.removeDuplicates();
    std::sort(candidates.begin(), candidates.end());
    return candidates;
}

QString FilterBar::tokenBeforeCursor() const
{
    const QString text = m_edit->text();
    qsizetype start = m_edit->cursorPosition();
    while (start > 0 && isTokenCharacter(text.at(start - 1)))
        --start;
    return text.mid(start, m_edit->cursorPosition() - start);
}

void FilterBar::showCompletions(bool always)
{
    const QString token = tokenBeforeCursor();
    if (token.isEmpty() && !always) {
        m_completer->popup()->hide();
        return;
    }
    m_completions->setStringList(completionCandidates());
    m_completer->setCompletionPrefix(token);
    const bool exact = m_completer->completionCount() == 1
            && m_completer->currentCompletion() == token;
    if (m_completer->completionCount() == 0 || exact) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->popup()->setCurrentIndex(m_completer->completionModel()->index(0, 0));
    // Under the token being completed.
    const QString before = m_edit->text().left(m_edit->cursorPosition() - token.size());
    QRect rect(qMin(m_edit->fontMetrics().horizontalAdvance(before), m_edit->width() / 2), 0, 0,
               m_edit->height());
    rect.setWidth(m_completer->popup()->sizeHintForColumn(0)
                  + m_completer->popup()->verticalScrollBar()->sizeHint().width());
    m_completer->complete(rect);
}

void FilterBar::insertCompletion(const QString &completion)
{
    const QString token = tokenBeforeCursor();
    const int cursor = m_edit->cursorPosition();
    QString text = m_edit->text();
    text.replace(cursor - token.size(), token.size(), completion);
    m_edit->setText(text);
    m_edit->setCursorPosition(cursor - int(token.size()) + int(completion.size()));
}

bool FilterBar::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_edit && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Space && key->modifiers() == Qt::ControlModifier) {
            showCompletions(true);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

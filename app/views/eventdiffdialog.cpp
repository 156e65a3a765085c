#include "views/eventdiffdialog.h"

#include "models/eventlogmodel.h"
#include "models/eventstore.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

// Readable on light and dark bases.
const QColor AddedColour(0x2e, 0x9d, 0x4f);
const QColor RemovedColour(0xd9, 0x35, 0x35);
const QColor ChangedColour(0xc7, 0x7c, 0x02);

} // namespace

EventDiffDialog::EventDiffDialog(const EventLogModel &log, qint64 older, qint64 newer,
                                 QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("eventDiffDialog"));
    setWindowTitle(tr("Compare Events"));
    const EventStore &store = log.store();
    m_result = JsonDiff::compare(store.data(older), store.data(newer));

    auto *layout = new QVBoxLayout(this);
    auto *events =
        new QLabel(tr("Old: %1\nNew: %2").arg(describe(log, older), describe(log, newer)));
    events->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(events);

    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("diffSummary"));
    QString summary;
    if (m_result.isEqual())
        summary = tr("The data of the two events is the same.");
    else if (m_result.structural)
        summary = tr("%n path(s) differ (JSON compared by structure).", nullptr,
                     int(m_result.changes.size()));
    else
        summary = tr("%n line(s) differ (the data is not JSON on both sides: compared by line).",
                     nullptr, int(m_result.changes.size()));
    if (m_result.truncated)
        summary += QLatin1Char(' ')
            + tr("Only the first %1 differences are listed.")
                  .arg(QLocale().toString(m_result.changes.size()));
    m_summary->setText(summary);
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);

    m_changes = new QTreeWidget;
    m_changes->setObjectName(QStringLiteral("diffChanges"));
    m_changes->setAccessibleName(tr("Differences"));
    m_changes->setRootIsDecorated(false);
    m_changes->setUniformRowHeights(true);
    m_changes->setHeaderLabels({tr("Path"), tr("Change"), tr("Old value"), tr("New value")});
    m_changes->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    QList<QTreeWidgetItem *> items;
    items.reserve(m_result.changes.size());
    for (const JsonDiff::Change &change : std::as_const(m_result.changes)) {
        auto *item = new QTreeWidgetItem(
            {change.path, JsonDiff::kindName(change.kind), change.oldValue, change.newValue});
        const QColor colour = change.kind == JsonDiff::ChangeKind::Added ? AddedColour
            : change.kind == JsonDiff::ChangeKind::Removed               ? RemovedColour
                                                                         : ChangedColour;
        item->setForeground(ChangeColumn, colour);
        for (int column = 0; column < 4; ++column)
            item->setToolTip(column, item->text(column));
        items.append(item);
    }
    m_changes->addTopLevelItems(items);
    const int character = m_changes->fontMetrics().averageCharWidth();
    m_changes->setColumnWidth(PathColumn, character * 32);
    m_changes->setColumnWidth(ChangeColumn, character * 10);
    m_changes->setColumnWidth(OldColumn, character * 28);
    layout->addWidget(m_changes, 1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(character * 110, 420);
}

EventDiffDialog *EventDiffDialog::open(const EventLogModel &log, qint64 older, qint64 newer,
                                       QWidget *parent)
{
    auto *dialog = new EventDiffDialog(log, older, newer, parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    return dialog;
}

QString EventDiffDialog::describe(const EventLogModel &log, qint64 sequence) const
{
    const EventStore &store = log.store();
    const QString type = EventLogModel::linePreview(store.type(sequence), 40);
    return tr("%1 · %2 · %3 · id %4")
        .arg(log.connectionName(store.connection(sequence)),
             type.isEmpty() ? QStringLiteral("message") : type,
             QDateTime::fromMSecsSinceEpoch(store.time(sequence))
                 .toString(QStringLiteral("hh:mm:ss.zzz")),
             EventLogModel::linePreview(store.id(sequence), 40));
}

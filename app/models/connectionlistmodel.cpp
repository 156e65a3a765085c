#include "models/connectionlistmodel.h"
#include "sselib/profile.h"

#include "models/llmresponsemodel.h"
#include "session/savedconnections.h"

#include <QDateTime>
#include <QLocale>
#include <QIcon>
#include <QPainter>
#include <QPixmap>
#include <QTextDocument>

namespace {

// A 12 px dot of \a colour: the LLM and health verdicts' decorations.
QIcon colourDot(const QColor &colour)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(colour);
    painter.drawEllipse(QRectF(1, 1, 10, 10));
    painter.end();
    return QIcon(pixmap);
}

// A dot in the colour of an LLM verdict (LlmResponseModel::Verdict); only visible rows ask.
QIcon llmVerdictIcon(int kind)
{
    return colourDot(LlmResponseModel::verdictColour(LlmResponseModel::Verdict(kind)));
}

// Tool tips render anything that looks like markup as rich text. Error texts carry what the
// server sent (an HTTP reason phrase, for one): keep them literal.
QString plainToolTip(const QString &text)
{
    if (!Qt::mightBeRichText(text))
        return text;
    return QLatin1String("<div style=\"white-space: pre-wrap\">") + text.toHtmlEscaped()
        + QLatin1String("</div>");
}

QIcon stateIcon(Sse::Client::State state)
{
    static QHash<int, QIcon> cache;
    auto it = cache.constFind(int(state));
    if (it != cache.constEnd())
        return *it;
    QColor color;
    switch (state) {
    case Sse::Client::State::Open:
        color = QColor(0x2e, 0xa0, 0x43);
        break;
    case Sse::Client::State::Connecting:
        color = QColor(0x3b, 0x82, 0xf6);
        break;
    case Sse::Client::State::Reconnecting:
        color = QColor(0xe0, 0x9b, 0x1a);
        break;
    case Sse::Client::State::Failed:
        color = QColor(0xd9, 0x35, 0x35);
        break;
    case Sse::Client::State::Closed:
    case Sse::Client::State::Idle:
        color = QColor(0x8a, 0x8f, 0x98);
        break;
    }
    QPixmap pixmap(32, 32);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(color.darker(130), 2));
    painter.setBrush(color);
    painter.drawEllipse(QRectF(5, 5, 22, 22));
    QIcon icon(pixmap);
    cache.insert(int(state), icon);
    return icon;
}

} // namespace

QString formatBytes(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, bytes < 1024LL * 1024 * 1024 ? 1 : 2);
}

QString formatTime(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch).toString(QStringLiteral("HH:mm:ss.zzz"));
}

ConnectionListModel::ConnectionListModel(QObject *parent) : QAbstractTableModel(parent) {}

int ConnectionListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int ConnectionListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ConnectionListModel::stateText(const ConnectionEntry &entry, qint64 nowMs)
{
    using State = Sse::Client::State;
    if (entry.offline)
        return entry.replayStatus.isEmpty() ? tr("Recording (offline)") : entry.replayStatus;
    if (entry.proxyListener && entry.state == State::Open)
        return tr("Listening on %1 · %Ln exchange(s)", nullptr, int(qMin<qint64>(entry.exchanges, INT_MAX)))
                   .arg(entry.listeningOn)
            + (entry.activeExchanges > 0 ? tr(" · %1 under way").arg(entry.activeExchanges)
                                         : QString());
    const bool stopped = entry.state == State::Idle || entry.state == State::Closed;
    if (stopped && entry.secretsPending)
        return tr("Waiting for the keychain");
    if (stopped && !entry.missingSecrets.isEmpty()) {
        QStringList names;
        for (const QByteArray &name : entry.missingSecrets)
            names.append(SavedConnections::secretLabel(name));
        return tr("Secret missing: %1 (Edit to enter it)").arg(names.join(QStringLiteral(", ")));
    }
    switch (entry.state) {
    case State::Idle:
        return tr("Not connected");
    case State::Connecting:
        return entry.attempt > 0 ? tr("Connecting (attempt %1)").arg(entry.attempt)
                                 : tr("Connecting");
    case State::Open:
        if (entry.dropped > 0)
            return tr("Open: %1 events dropped (the window is behind; this connection drops "
                      "the newest instead of pausing)")
                .arg(QLocale().toString(entry.dropped));
        // Episodes of a flood can be shorter than a repaint: the text stays for 2 s after one.
        if (entry.throttled || (entry.throttleEndedMs > 0 && nowMs - entry.throttleEndedMs < 2000))
            return tr("Throttled: the window reads %1 events/s, the server sends faster")
                .arg(QLocale().toString(qRound64(entry.rate)));
        return tr("Open");
    case State::Reconnecting: {
        const double seconds = qMax<qint64>(0, entry.nextAttemptAtMs - nowMs) / 1000.0;
        // A server that answers and hangs up at once: say so instead of counting attempts.
        int emptyOpens = 0;
        for (const ConnectionLogEntry &log : entry.log) {
            if (log.state == State::Open && log.timeMs > entry.lastEventMs)
                ++emptyOpens;
        }
        if (emptyOpens >= 3) {
            const QString since = entry.lastEventMs > 0
                ? tr("no events since %1")
                      .arg(QDateTime::fromMSecsSinceEpoch(entry.lastEventMs)
                               .toString(QStringLiteral("HH:mm")))
                : tr("no events yet");
            return tr("The server closes right after connecting (%1 times, %2); next try in "
                      "%3 s")
                .arg(emptyOpens)
                .arg(since, QString::number(seconds, 'f', 1));
        }
        return tr("Reconnecting in %1 s (attempt %2)")
            .arg(QString::number(seconds, 'f', 1))
            .arg(entry.attempt);
    }
    case State::Closed:
        return entry.lastError.isEmpty() ? tr("Closed") : tr("Closed: %1").arg(entry.lastError);
    case State::Failed:
        return tr("Failed: %1").arg(entry.failure.message);
    }
    return QString();
}

QString ConnectionListModel::stateIconName(Sse::Client::State state)
{
    return Sse::stateName(state);
}

QString ConnectionListModel::stateWord(Sse::Client::State state)
{
    using State = Sse::Client::State;
    switch (state) {
    case State::Idle:
        return tr("idle", "connection state");
    case State::Connecting:
        return tr("connecting", "connection state");
    case State::Open:
        return tr("open", "connection state");
    case State::Reconnecting:
        return tr("reconnecting", "connection state");
    case State::Closed:
        return tr("closed", "connection state");
    case State::Failed:
        return tr("failed", "connection state");
    }
    return QString();
}

QString ConnectionListModel::healthText(const Sse::Health &health)
{
    const QString label = Sse::healthVerdictLabel(health.verdict);
    if (health.detail.isEmpty())
        return label;
    return tr("%1: %2", "health verdict: detail").arg(label, health.detail);
}

QIcon ConnectionListModel::healthIcon(Sse::HealthVerdict verdict)
{
    using Verdict = Sse::HealthVerdict;
    static QHash<int, QIcon> cache;
    if (const auto it = cache.constFind(int(verdict)); it != cache.constEnd())
        return *it;
    QColor colour(0x9c, 0xa3, 0xaf); // unknown
    switch (verdict) {
    case Verdict::Healthy:
        colour = QColor(0x2e, 0xa0, 0x43);
        break;
    case Verdict::Stalled:
    case Verdict::ReconnectingOften:
    case Verdict::Gaps:
    case Verdict::LlmTruncated:
        colour = QColor(0xe0, 0x9b, 0x1a);
        break;
    case Verdict::LlmError:
    case Verdict::Failed:
        colour = QColor(0xd9, 0x35, 0x35);
        break;
    case Verdict::Unknown:
        break;
    }
    return *cache.insert(int(verdict), colourDot(colour));
}

QVariant ConnectionListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size())
        return QVariant();
    const ConnectionEntry &entry = m_entries.at(index.row());
    if (role == ConnectionIdRole)
        return entry.id;
    if (role == Qt::DecorationRole && index.column() == StateColumn)
        return stateIcon(entry.state);
    if (role == Qt::DecorationRole && index.column() == HealthColumn && !entry.offline
        && !entry.proxyListener)
        return healthIcon(entry.health.verdict);
    if (role == Qt::DecorationRole && index.column() == NameColumn && !entry.llmVerdict.isEmpty())
        return llmVerdictIcon(entry.llmVerdictKind);
    if (role == Qt::TextAlignmentRole) {
        switch (index.column()) {
        case EventsColumn:
        case RateColumn:
        case BytesColumn:
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return QVariant();
        }
    }
    if (role == Qt::ToolTipRole) {
        if (index.column() == StateColumn) {
            QString tip = stateText(entry, QDateTime::currentMSecsSinceEpoch());
            if (!entry.lastError.isEmpty() && entry.state != Sse::Client::State::Failed)
                tip += QLatin1Char('\n') + tr("Last error: %1").arg(entry.lastError);
            tip += QLatin1Char('\n') + tr("Reconnection time: %1 ms").arg(entry.reconnectionTimeMs);
            return plainToolTip(tip);
        }
        if (index.column() == HealthColumn && !entry.offline) {
            QString tip = healthText(entry.health);
            const qint64 cadence = entry.healthMonitor.cadenceMs();
            tip += QLatin1Char('\n')
                + (entry.healthMonitor.settings().stallAfterMs > 0
                       ? tr("Stalled after %1 s without a data event (set)")
                       : cadence > 0 ? tr("Stalled after %1 s without a data event (learnt: "
                                          "10 × the median interval)")
                                     : tr("Stalled after %1 s without a data event (until "
                                          "the cadence is learnt)"))
                      .arg(entry.health.stallAfterMs / 1000.0, 0, 'g', 4);
            tip += QLatin1Char('\n')
                + tr("%1 reconnects in the last 5 min · %2 id gaps")
                      .arg(entry.health.recentReconnects)
                      .arg(entry.health.idGaps);
            return plainToolTip(tip);
        }
        if (index.column() == NameColumn && !entry.llmVerdict.isEmpty())
            return plainToolTip(QString::fromLatin1(entry.options.method) + QLatin1Char(' ')
                                + Sse::redactedUrl(entry.options.url) + QLatin1Char('\n')
                                + tr("LLM: %1").arg(entry.llmVerdict));
        if (index.column() == UrlColumn || index.column() == NameColumn)
            return plainToolTip(QString::fromLatin1(entry.options.method) + QLatin1Char(' ')
                                + Sse::redactedUrl(entry.options.url));
        return QVariant();
    }
    if (role != Qt::DisplayRole)
        return QVariant();
    switch (index.column()) {
    case NameColumn:
        return entry.parentId != 0 ? QStringLiteral("\u21B3 ") + entry.name : entry.name;
    case StateColumn:
        return stateText(entry, QDateTime::currentMSecsSinceEpoch());
    case HealthColumn:
        return entry.offline || entry.proxyListener ? QString() : healthText(entry.health);
    case EventsColumn:
        return QLocale().toString(entry.shownEvents);
    case RateColumn:
        return entry.rate >= 100 ? QString::number(entry.rate, 'f', 0)
                                 : QString::number(entry.rate, 'f', 1);
    case BytesColumn:
        return formatBytes(entry.bytes);
    case LastIdColumn:
        return QString::fromUtf8(entry.shownLastEventId.left(64));
    case UrlColumn:
        if (entry.proxyListener)
            return tr("%1 \u2192 %2", "proxy: listen URL -> upstream")
                .arg(entry.proxyListener->listenUrl().toString(),
                     Sse::redactedUrl(entry.proxyListener->upstream));
        return QString(QString::fromLatin1(entry.options.method) + QLatin1Char(' ')
                       + Sse::redactedUrl(entry.options.url));
    }
    return QVariant();
}

QVariant ConnectionListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QVariant();
    switch (section) {
    case NameColumn:
        return tr("Name");
    case StateColumn:
        return tr("State");
    case HealthColumn:
        return tr("Health");
    case EventsColumn:
        return tr("Events");
    case RateColumn:
        return tr("Rate /s");
    case BytesColumn:
        return tr("Bytes");
    case LastIdColumn:
        return tr("Last id");
    case UrlColumn:
        return tr("Request");
    }
    return QVariant();
}

ConnectionEntry *ConnectionListModel::add(ConnectionEntry entry)
{
    // A proxy's exchange goes after the proxy's last exchange: the rows stay grouped.
    int row = int(m_entries.size());
    if (const int parentRow = rowOf(entry.parentId); entry.parentId != 0 && parentRow >= 0) {
        row = parentRow + 1;
        while (row < m_entries.size() && m_entries.at(row).parentId == entry.parentId)
            ++row;
    }
    beginInsertRows(QModelIndex(), row, row);
    m_entries.insert(row, std::move(entry));
    for (int later = row; later < m_entries.size(); ++later)
        m_rows[m_entries.at(later).id] = later;
    endInsertRows();
    return &m_entries[row];
}

void ConnectionListModel::remove(quint16 id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    beginRemoveRows(QModelIndex(), row, row);
    m_entries.removeAt(row);
    m_rows.remove(id);
    for (int later = row; later < m_entries.size(); ++later)
        m_rows[m_entries.at(later).id] = later;
    endRemoveRows();
    m_touched.remove(id);
}

int ConnectionListModel::rowOf(quint16 id) const
{
    return m_rows.value(id, -1);
}

ConnectionEntry *ConnectionListModel::entry(quint16 id)
{
    const int row = rowOf(id);
    return row < 0 ? nullptr : &m_entries[row];
}

const ConnectionEntry *ConnectionListModel::entry(quint16 id) const
{
    const int row = rowOf(id);
    return row < 0 ? nullptr : &m_entries.at(row);
}

quint16 ConnectionListModel::idAt(int row) const
{
    return row >= 0 && row < m_entries.size() ? m_entries.at(row).id : quint16(0);
}

QList<quint16> ConnectionListModel::ids() const
{
    QList<quint16> result;
    for (const ConnectionEntry &entry : m_entries)
        result.append(entry.id);
    return result;
}

void ConnectionListModel::touch(quint16 id)
{
    m_touched.insert(id);
}

void ConnectionListModel::refresh()
{
    for (int row = 0; row < m_entries.size(); ++row) {
        ConnectionEntry &entry = m_entries[row];
        entry.shownEvents = entry.events;
        entry.shownLastEventId = entry.lastEventId;
        if (m_touched.contains(entry.id) || entry.state == Sse::Client::State::Reconnecting)
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
    m_touched.clear();
}

void ConnectionListModel::updateRates(qint64 elapsedMs)
{
    if (elapsedMs <= 0)
        return;
    for (ConnectionEntry &entry : m_entries) {
        const double rate = double(entry.events - entry.eventsAtLastTick) * 1000.0 / double(elapsedMs);
        entry.eventsAtLastTick = entry.events;
        if (rate != entry.rate) {
            entry.rate = rate;
            m_touched.insert(entry.id);
        }
    }
}

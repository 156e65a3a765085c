#include "models/llmresponsemodel.h"

#include <QDateTime>

LlmResponseModel::LlmResponseModel(QObject *parent) : QAbstractTableModel(parent) {}

LlmResponseModel::~LlmResponseModel() = default;

LlmResponseModel::Response *LlmResponseModel::current(Connection &connection)
{
    if (connection.responses.empty() || !connection.responses.back().live)
        return nullptr;
    return &connection.responses.back();
}

void LlmResponseModel::startResponse(quint16 id, Connection &connection, qint64 requestMs)
{
    Response response;
    response.requestMs = requestMs;
    response.analyser = std::make_unique<Sse::Llm::Analyser>();
    response.analyser->setMaximumCharacters(MaximumCharacters);
    response.live = true;
    connection.responses.push_back(std::move(response));
    trim(id, connection);
}

void LlmResponseModel::finishResponse(quint16 id, Connection &connection, qint64 timeMs,
                                      Sse::Llm::Analyser::End how)
{
    Response *response = current(connection);
    if (!response)
        return;
    response->analyser->finish(double(timeMs - response->requestMs), how);
    response->summary = response->analyser->summary();
    response->revision = response->analyser->revision() + 1;
    response->analyser.reset();
    response->live = false;
    if (!response->shown) {
        connection.responses.pop_back(); // not an LLM stream: nothing to keep
        return;
    }
    if (id == m_connection) {
        const int row = rowOf(id, response);
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
    emit responseFinished(id, response->requestMs, response->summary);
    emit verdictChanged(id);
}

void LlmResponseModel::showIfRecognised(quint16 id, Connection &connection)
{
    Response *response = current(connection);
    if (!response)
        return;
    response->revision = response->analyser->revision();
    if (response->shown) {
        if (id == m_connection) {
            const int row = rowOf(id, response);
            emit dataChanged(index(row, VerdictColumn), index(row, TokensColumn));
        }
        return;
    }
    if (response->analyser->provider() == Sse::Llm::Provider::None)
        return;
    response->shown = true;
    if (id == m_connection) {
        const int row = int(m_rows.size());
        beginInsertRows(QModelIndex(), row, row);
        m_rows.push_back(response);
        endInsertRows();
    }
    emit verdictChanged(id);
}

void LlmResponseModel::trim(quint16 id, Connection &connection)
{
    while (connection.responses.size() > size_t(MaximumResponses)) {
        const Response &oldest = connection.responses.front();
        const bool hasRow = oldest.shown && id == m_connection;
        if (hasRow) {
            beginRemoveRows(QModelIndex(), 0, 0);
            m_rows.erase(m_rows.begin());
        }
        connection.responses.pop_front();
        if (hasRow)
            endRemoveRows();
    }
}

void LlmResponseModel::ingest(quint16 id, const Sse::EventList &events)
{
    ingestEvents(id, events);
}

void LlmResponseModel::ingest(quint16 id, const Sse::EventBatch &events)
{
    ingestEvents(id, events);
}

// Events of a live batch (views into it) or of a list (a recording): the same walk.
template <typename Events>
void LlmResponseModel::ingestEvents(quint16 id, const Events &events)
{
    if (events.isEmpty())
        return;
    Connection &connection = m_connections[id];
    if (connection.recorded)
        return;
    const qint64 firstMs = events.at(0).receivedMs;
    Response *response = current(connection);
    if (!response) {
        // No request seen (a replay, or events of an opened recording): the stream starts
        // with its first event.
        startResponse(id, connection, firstMs);
        response = current(connection);
    }
    const qint64 origin = response->requestMs;
    // States are stamped when the GUI thread takes them, events when the network thread read
    // them: headers that seem to come after the first event came with it.
    if (response->headersMs > firstMs - origin
        && response->analyser->summary().timing.chunks == 0) {
        response->headersMs = double(firstMs - origin);
        response->analyser->setHeadersReceived(response->headersMs);
    }
    for (const auto &event : events)
        response->analyser->addEvent(event.type, event.data, double(event.receivedMs - origin));
    showIfRecognised(id, connection);
}

void LlmResponseModel::setState(quint16 id, Sse::Client::State state, qint64 timeMs,
                                bool endedByServer)
{
    Connection &connection = m_connections[id];
    switch (state) {
    case Sse::Client::State::Connecting:
        finishResponse(id, connection, timeMs, Sse::Llm::Analyser::End::Cut);
        connection.requestMs = timeMs;
        break;
    case Sse::Client::State::Open:
        finishResponse(id, connection, timeMs, Sse::Llm::Analyser::End::Cut);
        startResponse(id, connection, connection.requestMs > 0 ? connection.requestMs : timeMs);
        current(connection)->headersMs = double(timeMs - current(connection)->requestMs);
        current(connection)->analyser->setHeadersReceived(current(connection)->headersMs);
        connection.requestMs = 0;
        break;
    case Sse::Client::State::Idle:
    case Sse::Client::State::Reconnecting:
    case Sse::Client::State::Closed:
    case Sse::Client::State::Failed:
        finishResponse(id, connection, timeMs,
                       endedByServer ? Sse::Llm::Analyser::End::ServerEnded
                                     : Sse::Llm::Analyser::End::Cut);
        break;
    }
}

void LlmResponseModel::addSummary(quint16 id, qint64 startedMs, const Sse::Llm::Summary &summary)
{
    Connection &connection = m_connections[id];
    if (!connection.recorded) {
        connection.recorded = true;
        if (id == m_connection)
            beginResetModel();
        connection.responses.clear();
        if (id == m_connection) {
            m_rows.clear();
            endResetModel();
        }
    }
    Response response;
    response.requestMs = startedMs;
    response.summary = summary;
    response.revision = 1;
    response.shown = summary.provider != Sse::Llm::Provider::None;
    if (!response.shown)
        return;
    // Before a live response, if one runs: rows stay in the order of the deque.
    auto position = connection.responses.end();
    if (current(connection))
        --position;
    const bool append = position == connection.responses.end();
    if (id == m_connection && append) {
        const int row = int(m_rows.size());
        beginInsertRows(QModelIndex(), row, row);
        connection.responses.push_back(std::move(response));
        m_rows.push_back(&connection.responses.back());
        endInsertRows();
    } else {
        connection.responses.insert(position, std::move(response));
        if (id == m_connection) {
            beginResetModel();
            rebuildRows();
            endResetModel();
        }
    }
    trim(id, connection);
    emit verdictChanged(id);
}

void LlmResponseModel::removeConnection(quint16 id)
{
    if (id == m_connection)
        setConnection(0);
    m_connections.erase(id);
}

void LlmResponseModel::clear()
{
    beginResetModel();
    m_connections.clear();
    m_rows.clear();
    endResetModel();
}

void LlmResponseModel::setConnection(quint16 id)
{
    if (id == m_connection)
        return;
    beginResetModel();
    m_connection = id;
    rebuildRows();
    endResetModel();
}

void LlmResponseModel::rebuildRows()
{
    m_rows.clear();
    const auto it = m_connections.find(m_connection);
    if (it == m_connections.end())
        return;
    for (const Response &response : it->second.responses) {
        if (response.shown)
            m_rows.push_back(&response);
    }
}

int LlmResponseModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LlmResponseModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const LlmResponseModel::Response *LlmResponseModel::responseAt(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)] : nullptr;
}

int LlmResponseModel::rowOf(quint16 id, const Response *response) const
{
    if (id != m_connection)
        return -1;
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        if (m_rows[size_t(row)] == response)
            return row;
    }
    return -1;
}

Sse::Llm::Summary LlmResponseModel::summary(int row) const
{
    const Response *response = responseAt(row);
    if (!response)
        return {};
    return response->live ? response->analyser->summary() : response->summary;
}

quint64 LlmResponseModel::revision(int row) const
{
    const Response *response = responseAt(row);
    if (!response)
        return 0;
    return response->live ? response->analyser->revision() : response->revision;
}

bool LlmResponseModel::isLive(int row) const
{
    const Response *response = responseAt(row);
    return response && response->live;
}

qint64 LlmResponseModel::startedMs(int row) const
{
    const Response *response = responseAt(row);
    return response ? response->requestMs : 0;
}

LlmResponseModel::Verdict LlmResponseModel::verdictOf(const Sse::Llm::Summary &summary, bool live)
{
    if (summary.error)
        return Verdict::Error;
    if (summary.complete)
        return Verdict::Complete;
    return live ? Verdict::Streaming : Verdict::Truncated;
}

QColor LlmResponseModel::verdictColour(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Complete:
        return QColor(0x2e, 0x7d, 0x32);
    case Verdict::Truncated:
        return QColor(0xef, 0x6c, 0x00);
    case Verdict::Error:
        return QColor(0xc6, 0x28, 0x28);
    case Verdict::Streaming:
        break;
    }
    return QColor(0x15, 0x65, 0xc0);
}

QString LlmResponseModel::verdictText(const Sse::Llm::Summary &summary, bool live)
{
    const qint64 chunks = summary.timing.chunks;
    switch (verdictOf(summary, live)) {
    case Verdict::Error: {
        const QString type = summary.error->type.isEmpty() ? tr("error") : summary.error->type;
        return tr("Error mid-stream: %1 \"%2\"").arg(type, summary.error->message);
    }
    case Verdict::Complete:
        return tr("Complete");
    case Verdict::Streaming:
        return tr("Streaming: %1 chunks").arg(chunks);
    case Verdict::Truncated:
        break;
    }
    QString marker;
    switch (summary.provider) {
    case Sse::Llm::Provider::OpenAiChat:
        marker = QStringLiteral("[DONE]");
        break;
    case Sse::Llm::Provider::OpenAiResponses:
        marker = QStringLiteral("response.completed");
        break;
    case Sse::Llm::Provider::Anthropic:
        marker = QStringLiteral("message_stop");
        break;
    case Sse::Llm::Provider::Gemini:
        marker = QStringLiteral("finishReason");
        break;
    case Sse::Llm::Provider::None:
        break;
    }
    return tr("Truncated: no %1 after %2 chunks").arg(marker).arg(chunks);
}

QString LlmResponseModel::lastVerdict(quint16 id) const
{
    const auto it = m_connections.find(id);
    if (it == m_connections.end())
        return QString();
    const std::deque<Response> &responses = it->second.responses;
    for (auto response = responses.crbegin(); response != responses.crend(); ++response) {
        if (response->shown) {
            return verdictText(response->live ? response->analyser->summary() : response->summary,
                               response->live);
        }
    }
    return QString();
}

LlmResponseModel::Verdict LlmResponseModel::lastVerdictKind(quint16 id) const
{
    const auto it = m_connections.find(id);
    if (it == m_connections.end())
        return Verdict::Streaming;
    const std::deque<Response> &responses = it->second.responses;
    for (auto response = responses.crbegin(); response != responses.crend(); ++response) {
        if (response->shown) {
            return verdictOf(response->live ? response->analyser->summary() : response->summary,
                             response->live);
        }
    }
    return Verdict::Streaming;
}

QVariant LlmResponseModel::data(const QModelIndex &index, int role) const
{
    const Response *response = responseAt(index.row());
    if (!response || role != Qt::DisplayRole)
        return QVariant();
    // Cheap per visible row: no summary copy for the time and the provider.
    if (index.column() == TimeColumn)
        return QDateTime::fromMSecsSinceEpoch(response->requestMs).toString(u"HH:mm:ss.zzz");
    const Sse::Llm::Summary summary =
        response->live ? response->analyser->summary() : response->summary;
    switch (index.column()) {
    case ProviderColumn:
        return QString::fromLatin1(Sse::Llm::providerName(summary.provider));
    case ModelColumn:
        return summary.model.value_or(QString());
    case VerdictColumn:
        return verdictText(summary, response->live);
    case TokensColumn:
        if (!summary.usage)
            return QStringLiteral("–");
        return QStringLiteral("%1 → %2")
            .arg(summary.usage->inputTokens ? QString::number(*summary.usage->inputTokens)
                                            : QStringLiteral("?"),
                 summary.usage->outputTokens ? QString::number(*summary.usage->outputTokens)
                                             : QStringLiteral("?"));
    default:
        return QVariant();
    }
}

QVariant LlmResponseModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QVariant();
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case ProviderColumn:
        return tr("Provider");
    case ModelColumn:
        return tr("Model");
    case VerdictColumn:
        return tr("Verdict");
    case TokensColumn:
        return tr("Tokens (in → out)");
    default:
        return QVariant();
    }
}

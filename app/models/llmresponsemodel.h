#pragma once

#include "sselib/llmanalyser.h"
#include "sselib/sseclient.h"
#include "sselib/sseevent.h"

#include <QAbstractTableModel>
#include <QColor>

#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

/// The LLM responses of every connection, one Sse::Llm::Analyser per HTTP response (a
/// reconnection or a new POST starts the next), and the rows of the selected connection's
/// recognised responses for the LLM tab. Fed by the Workspace with the events and states it
/// routes; a response that is not an LLM stream gets no row and, once its first events were
/// looked at, costs nothing. Times are wall-clock milliseconds. Bounded: the newest
/// MaximumResponses responses per connection are kept, each with at most MaximumCharacters
/// characters of text, reasoning and arguments (2 MiB): 200 MiB per connection at worst.
class LlmResponseModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { TimeColumn, ProviderColumn, ModelColumn, VerdictColumn, TokensColumn, ColumnCount };
    Q_ENUM(Column)
    static constexpr int MaximumResponses = 100;
    static constexpr qsizetype MaximumCharacters = 1024 * 1024;

    explicit LlmResponseModel(QObject *parent = nullptr);
    ~LlmResponseModel() override;

    /// Events of connection \a id (live or replayed); a stream with no request seen (a replay)
    /// starts a response at its first event.
    void ingest(quint16 id, const Sse::EventList &events);
    void ingest(quint16 id, const Sse::EventBatch &events);
    /// The client of \a id changed state at \a timeMs; \a endedByServer tells a body the server
    /// ended from one that was cut (Gemini's verdict needs it).
    void setState(quint16 id, Sse::Client::State state, qint64 timeMs, bool endedByServer);
    /// A finished response read from a recording. From the first one on, the connection shows
    /// the recorded summaries only (what its events would rebuild is dropped and not redone).
    void addSummary(quint16 id, qint64 startedMs, const Sse::Llm::Summary &summary);
    void removeConnection(quint16 id);
    void clear();

    /// The connection whose responses are the rows (0: none).
    void setConnection(quint16 id);
    quint16 connection() const { return m_connection; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    /// The response of \a row as it stands (a snapshot while it streams).
    Sse::Llm::Summary summary(int row) const;
    /// Changes whenever the response of \a row changed (views redraw only then).
    quint64 revision(int row) const;
    bool isLive(int row) const;
    qint64 startedMs(int row) const;

    enum class Verdict { Streaming, Complete, Truncated, Error };
    static Verdict verdictOf(const Sse::Llm::Summary &summary, bool live);
    /// Green, orange, red, blue (streaming): the badge and the connections list agree.
    static QColor verdictColour(Verdict verdict);
    /// "Complete", "Truncated: no [DONE] after 182 chunks", "Error mid-stream: type \"msg\"".
    static QString verdictText(const Sse::Llm::Summary &summary, bool live);
    /// The verdict of the newest recognised response of \a id; empty when there is none.
    QString lastVerdict(quint16 id) const;
    Verdict lastVerdictKind(quint16 id) const;

Q_SIGNALS:
    /// A recognised response of \a id ended (for the recorder).
    void responseFinished(quint16 id, qint64 startedMs, const Sse::Llm::Summary &summary);
    /// The newest verdict of \a id changed (connections list, status bar).
    void verdictChanged(quint16 id);

private:
    template <typename Events>
    void ingestEvents(quint16 id, const Events &events);
    struct Response
    {
        qint64 requestMs = 0;     // the request was sent; times are relative to it
        std::unique_ptr<Sse::Llm::Analyser> analyser; // while it streams
        Sse::Llm::Summary summary; // once finished (or from a recording)
        quint64 revision = 0;
        double headersMs = -1;    // after requestMs; -1 before the headers
        bool live = false;
        bool shown = false;       // recognised: it has a row
    };
    struct Connection
    {
        std::deque<Response> responses; // oldest first; shown ones are the rows
        qint64 requestMs = 0;            // the pending request (Connecting)
        bool recorded = false;           // summaries from a recording: its events are not analysed
    };
    Response *current(Connection &connection);
    void startResponse(quint16 id, Connection &connection, qint64 requestMs);
    void finishResponse(quint16 id, Connection &connection, qint64 timeMs,
                        Sse::Llm::Analyser::End how);
    void showIfRecognised(quint16 id, Connection &connection);
    void trim(quint16 id, Connection &connection);
    const Response *responseAt(int row) const;
    int rowOf(quint16 id, const Response *response) const;

    std::unordered_map<quint16, Connection> m_connections; // move-only values: not QHash
    quint16 m_connection = 0;
    std::vector<const Response *> m_rows; // of m_connection, shown ones, oldest first
    void rebuildRows();
};

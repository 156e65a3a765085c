#include "views/connectiondetailtabs.h"

#include "charts/chartpanel.h"
#include "models/connectionlogmodel.h"
#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "models/statisticsmodel.h"
#include "session/workspace.h"
#include "views/diagnosticsview.h"
#include "views/eventdetailview.h"
#include "views/eventdiffdialog.h"
#include "sselib/profile.h"
#include "views/llmpane.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QPlainTextEdit>
#include <QTreeView>

ConnectionDetailTabs::ConnectionDetailTabs(Workspace *workspace, QWidget *parent)
    : QTabWidget(parent)
    , m_workspace(workspace)
{
    setObjectName(QStringLiteral("bottomTabs"));
    setAccessibleName(tr("Details"));
    m_detail = new EventDetailView;
    m_chart = new ChartPanel(workspace->seriesCatalog(), &workspace->logModel()->store());
    m_response = new QPlainTextEdit;
    m_response->setObjectName(QStringLiteral("response"));
    m_response->setReadOnly(true);
    m_response->setAccessibleName(tr("Response"));
    m_response->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    addTab(m_detail, tr("Detail"));
    addTab(m_chart, tr("Chart"));
    m_llm = new LlmPane(workspace->llmModel());
    addTab(m_llm, tr("LLM"));
    addTab(createConnectionLog(), tr("Connection Log"));
    addTab(createStatistics(), tr("Statistics"));
    addTab(m_response, tr("Response"));
    createDiagnostics();
    connect(workspace->logModel(), &EventLogModel::annotationsChanged, this,
            &ConnectionDetailTabs::showAnnotations);
    connect(m_detail, &EventDetailView::comparePreviousRequested, this,
            &ConnectionDetailTabs::comparePrevious);

    ConnectionManager *connections = workspace->connections();
    connect(connections, &ConnectionManager::connectionAdded, this,
            [this, connections](quint16 id) {
                if (const ConnectionEntry *entry = connections->entry(id))
                    m_chart->setConnectionName(id, entry->name);
            });
    connect(connections, &ConnectionManager::connectionRenamed, m_chart,
            &ChartPanel::setConnectionName);
    connect(connections, &ConnectionManager::stateChanged, this, [this](quint16 id) {
        if (id == m_connection)
            updateResponse();
    });
    // The statistics change with every event: read them on the tick that repaints the
    // connections list (the same totals at the same moment), and only while shown.
    connect(connections, &ConnectionManager::countersRefreshed, this, [this] {
        if (currentWidget() == m_statistics)
            m_statisticsModel->refresh();
    });
    connect(this, &QTabWidget::currentChanged, this, [this] {
        if (currentWidget() == m_statistics)
            m_statisticsModel->refresh();
    });
}

QTreeView *ConnectionDetailTabs::createConnectionLog()
{
    m_logModel = new ConnectionLogModel(m_workspace->connections(), this);
    m_connectionLog = new QTreeView;
    m_connectionLog->setObjectName(QStringLiteral("connectionLog"));
    m_connectionLog->setAccessibleName(tr("Connection log"));
    m_connectionLog->setRootIsDecorated(false);
    m_connectionLog->setUniformRowHeights(true);
    m_connectionLog->setModel(m_logModel);
    m_connectionLog->setColumnWidth(ConnectionLogModel::TimeColumn, 110);
    m_connectionLog->setColumnWidth(ConnectionLogModel::StateColumn, 110);
    // Room for every column, Last-Event-ID included, in a pane of common width.
    const int character = m_connectionLog->fontMetrics().averageCharWidth();
    m_connectionLog->setColumnWidth(ConnectionLogModel::DetailColumn, character * 36);
    m_connectionLog->setColumnWidth(ConnectionLogModel::StatusColumn, character * 8);
    m_connectionLog->setColumnWidth(ConnectionLogModel::RetryColumn, character * 13);
    // New entries scroll into view, as a log does.
    connect(m_logModel, &QAbstractItemModel::rowsInserted, m_connectionLog,
            &QTreeView::scrollToBottom);
    return m_connectionLog;
}

QTreeView *ConnectionDetailTabs::createStatistics()
{
    m_statisticsModel = new StatisticsModel(m_workspace->connections(), this);
    m_statistics = new QTreeView;
    m_statistics->setObjectName(QStringLiteral("statistics"));
    m_statistics->setAccessibleName(tr("Statistics"));
    m_statistics->setRootIsDecorated(false);
    m_statistics->setUniformRowHeights(true);
    m_statistics->setModel(m_statisticsModel);
    m_statistics->setColumnWidth(StatisticsModel::TypeColumn, 180);
    return m_statistics;
}

void ConnectionDetailTabs::createDiagnostics()
{
    m_diagnosticsView = new DiagnosticsView;
    m_diagnosticsView->setObjectName(QStringLiteral("diagnostics"));
    addTab(m_diagnosticsView, tr("Diagnostics"));
    connect(m_diagnosticsView, &DiagnosticsView::runRequested, this,
            [this] { m_workspace->runDiagnostics(m_connection); });
    connect(m_workspace, &Workspace::diagnosticsStarted, this,
            [this](quint16, const QString &name, int durationMs) {
                setCurrentWidget(m_diagnosticsView);
                m_diagnosticsView->setRunning(true, name, durationMs);
            });
    connect(m_workspace, &Workspace::diagnosticsProgress, m_diagnosticsView,
            &DiagnosticsView::setObservedEvents);
    connect(m_workspace, &Workspace::diagnosticsFinished, this,
            [this](const Sse::DiagnosticsReport &report) {
                m_diagnosticsView->setRunning(false);
                m_diagnosticsView->setReport(report);
            });
}

void ConnectionDetailTabs::setConnection(quint16 id)
{
    m_connection = id;
    m_logModel->setConnection(id);
    m_connectionLog->scrollToBottom();
    m_statisticsModel->setConnection(id);
    m_llm->setConnection(id);
    updateResponse();
}

void ConnectionDetailTabs::setEvent(qint64 sequence)
{
    m_event = sequence;
    if (sequence < 0) {
        m_detail->clear();
        return;
    }
    const EventLogModel *log = m_workspace->logModel();
    const EventStore &store = log->store();
    m_detail->setEvent(store.event(sequence), log->connectionName(store.connection(sequence)));
    showAnnotations();
    m_detail->setComparePreviousEnabled(log->previousOfSameType(sequence) >= 0);
}

void ConnectionDetailTabs::showAnnotations()
{
    const EventLogModel *log = m_workspace->logModel();
    m_detail->setNote(log->store().contains(m_event) ? log->annotations().note(m_event)
                                                     : QString());
}

void ConnectionDetailTabs::comparePrevious()
{
    const EventLogModel *log = m_workspace->logModel();
    const qint64 previous = log->previousOfSameType(m_event);
    if (previous >= 0)
        EventDiffDialog::open(*log, previous, m_event, window());
}

void ConnectionDetailTabs::showResponse()
{
    setCurrentWidget(m_response);
}

void ConnectionDetailTabs::updateResponse()
{
    const ConnectionEntry *entry = m_workspace->connections()->entry(m_connection);
    if (!entry) {
        m_response->clear();
        return;
    }
    QString text;
    const bool failed = entry->state == Sse::Client::State::Failed;
    const int status =
        failed && entry->failure.httpStatus > 0 ? entry->failure.httpStatus : entry->httpStatus;
    const auto &headers = failed && !entry->failure.responseHeaders.isEmpty()
        ? entry->failure.responseHeaders
        : entry->responseHeaders;
    text += tr("Request: %1 %2\n")
                .arg(QString::fromLatin1(entry->options.method), Sse::redactedUrl(entry->options.url));
    text += entry->proxy.isEmpty() ? tr("Proxy: none\n") : tr("Proxy: %1\n").arg(entry->proxy);
    if (failed)
        text += tr("Failed: %1\n").arg(entry->failure.message);
    if (status > 0) {
        text += QStringLiteral("\nHTTP %1 %2\n")
                    .arg(status)
                    .arg(QString::fromUtf8(entry->failure.reasonPhrase));
        if (!failed)
            text += tr("Protocol: %1\n")
                        .arg(entry->http2 ? tr("HTTP/2 (one connection shared by the streams "
                                               "to this server)")
                                          : QStringLiteral("HTTP/1.1"));
        // Set-Cookie and the like are masked; a Location may carry a token in its query.
        for (const auto &header : Sse::redactHeaders(headers)) {
            const QString value = header.first.compare("location", Qt::CaseInsensitive) == 0
                ? Sse::redactedUrl(QUrl(QString::fromUtf8(header.second)))
                : QString::fromUtf8(header.second);
            text += QString::fromUtf8(header.first) + QStringLiteral(": ") + value
                + QLatin1Char('\n');
        }
    } else {
        text += tr("\nNo response received yet.\n");
    }
    if (failed && !entry->failure.bodyPreview.isEmpty()) {
        text += tr("\nFirst %1 bytes of the body:\n").arg(entry->failure.bodyPreview.size());
        text += QString::fromUtf8(entry->failure.bodyPreview);
    }
    m_response->setPlainText(text);
}

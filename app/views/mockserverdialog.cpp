#include "mockserverdialog.h"

#include "recording/logimporter.h"

#include "sselib/replayserver.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

MockServerDialog::MockServerDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Mock Server"));
    setModal(false);
    auto *layout = new QVBoxLayout(this);

    auto *serverRow = new QHBoxLayout;
    serverRow->addWidget(new QLabel(tr("Port:"), this));
    m_port = new QSpinBox(this);
    m_port->setRange(0, 65535);
    m_port->setSpecialValueText(tr("any free"));
    m_port->setAccessibleName(tr("Port"));
    serverRow->addWidget(m_port);
    m_startStop = new QPushButton(tr("Start"), this);
    serverRow->addWidget(m_startStop);
    m_url = new QLineEdit(this);
    m_url->setReadOnly(true);
    m_url->setPlaceholderText(tr("Not serving"));
    m_url->setAccessibleName(tr("Stream URL"));
    serverRow->addWidget(m_url, 1);
    layout->addLayout(serverRow);

    // The stream: empty, or a recording with the hand-sent events interleaved.
    auto *streamBox = new QGroupBox(tr("Stream"), this);
    auto *streamForm = new QFormLayout(streamBox);
    m_source = new QComboBox(streamBox);
    m_source->setObjectName(QStringLiteral("sourceCombo"));
    m_source->setAccessibleName(tr("What each client gets"));
    m_source->addItem(tr("Empty: only the events sent by hand"), int(Source::Empty));
    m_source->addItem(tr("A recording, then held open"), int(Source::Recording));
    streamForm->addRow(tr("Serve:"), m_source);
    auto *recordingRow = new QHBoxLayout;
    m_recordingStatus = new QLabel(tr("No recording chosen"), streamBox);
    m_recordingStatus->setObjectName(QStringLiteral("recordingStatus"));
    m_recordingStatus->setTextFormat(Qt::PlainText);
    m_recordingStatus->setWordWrap(true);
    recordingRow->addWidget(m_recordingStatus, 1);
    m_chooseRecording = new QPushButton(tr("Choose &Recording\u2026"), streamBox);
    recordingRow->addWidget(m_chooseRecording);
    streamForm->addRow(tr("Recording:"), recordingRow);
    m_speed = new QDoubleSpinBox(streamBox);
    m_speed->setObjectName(QStringLiteral("speedSpin"));
    m_speed->setAccessibleName(tr("Replay speed"));
    m_speed->setRange(0, 1000);
    m_speed->setDecimals(1);
    m_speed->setValue(1.0);
    m_speed->setSuffix(QStringLiteral("\u00d7"));
    m_speed->setSpecialValueText(tr("as fast as possible"));
    streamForm->addRow(tr("Speed:"), m_speed);
    layout->addWidget(streamBox);
    connect(m_chooseRecording, &QPushButton::clicked, this, &MockServerDialog::chooseRecording);
    connect(m_source, &QComboBox::currentIndexChanged, this, &MockServerDialog::applySource);
    connect(m_speed, &QDoubleSpinBox::valueChanged, this, &MockServerDialog::applySource);

    auto *eventBox = new QGroupBox(tr("Event to send"), this);
    auto *form = new QFormLayout(eventBox);
    m_type = new QLineEdit(eventBox);
    m_type->setPlaceholderText(QStringLiteral("message"));
    form->addRow(tr("Type:"), m_type);
    m_id = new QLineEdit(eventBox);
    m_id->setPlaceholderText(tr("none"));
    form->addRow(tr("Id:"), m_id);
    m_data = new QPlainTextEdit(eventBox);
    m_data->setPlaceholderText(tr("Data; each line becomes a data: line"));
    m_data->setTabChangesFocus(true);
    m_data->setFixedHeight(fontMetrics().lineSpacing() * 5);
    form->addRow(tr("Data:"), m_data);
    m_send = new QPushButton(tr("Send to All Clients"), eventBox);
    m_send->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    form->addRow(QString(), m_send);
    layout->addWidget(eventBox);

    auto *faultBox = new QGroupBox(tr("Faults (for clients that connect from now on)"), this);
    auto *faults = new QFormLayout(faultBox);
    auto *dropRow = new QHBoxLayout;
    m_dropAfter = new QSpinBox(faultBox);
    m_dropAfter->setRange(0, 1000000);
    m_dropAfter->setSpecialValueText(tr("never"));
    m_dropAfter->setAccessibleName(tr("Drop each connection after this many events"));
    dropRow->addWidget(m_dropAfter);
    m_dropMode = new QComboBox(faultBox);
    // Stable ids as item data; the labels are translated.
    m_dropMode->addItem(tr("orderly close"), int(Sse::ReplayFaults::DropMode::Fin));
    m_dropMode->addItem(tr("TCP reset"), int(Sse::ReplayFaults::DropMode::Reset));
    m_dropMode->addItem(tr("in the middle of an event"),
                        int(Sse::ReplayFaults::DropMode::MidEvent));
    m_dropMode->setAccessibleName(tr("How the connection is dropped"));
    dropRow->addWidget(m_dropMode, 1);
    faults->addRow(tr("Drop after events:"), dropRow);
    m_status = new QSpinBox(faultBox);
    m_status->setRange(199, 599); // 199 stands for "off"
    m_status->setValue(199);
    m_status->setSpecialValueText(tr("off (200, the stream)"));
    m_status->setAccessibleName(tr("Answer every request with this HTTP status"));
    faults->addRow(tr("Answer with status:"), m_status);
    m_retry = new QSpinBox(faultBox);
    m_retry->setRange(-1, 3600000);
    m_retry->setSpecialValueText(tr("none"));
    m_retry->setValue(-1);
    m_retry->setSuffix(tr(" ms"));
    m_retry->setAccessibleName(tr("retry: line at the start of each stream"));
    faults->addRow(tr("retry: line:"), m_retry);
    m_noIds = new QCheckBox(tr("Leave out id: lines"), faultBox);
    faults->addRow(QString(), m_noIds);
    m_gzip = new QCheckBox(tr("Compress with gzip"), faultBox);
    faults->addRow(QString(), m_gzip);
    layout->addWidget(faultBox);
    for (QSpinBox *box : {m_dropAfter, m_status, m_retry})
        connect(box, &QSpinBox::valueChanged, this, &MockServerDialog::applyFaults);
    connect(m_dropMode, &QComboBox::currentIndexChanged, this, &MockServerDialog::applyFaults);
    for (QCheckBox *box : {m_noIds, m_gzip})
        connect(box, &QCheckBox::toggled, this, &MockServerDialog::applyFaults);

    layout->addWidget(new QLabel(tr("Connected clients:"), this));
    m_clients = new QTableWidget(0, 3, this);
    m_clients->setHorizontalHeaderLabels({tr("Address"), tr("Connected"), tr("Events")});
    m_clients->horizontalHeader()->setStretchLastSection(true);
    m_clients->verticalHeader()->hide();
    m_clients->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_clients->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_clients->setSelectionMode(QAbstractItemView::NoSelection);
    m_clients->setAccessibleName(tr("Connected clients"));
    layout->addWidget(m_clients, 1);
    m_message = new QLabel(this);
    layout->addWidget(m_message);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(m_startStop, &QPushButton::clicked, this, [this] {
        if (isServing())
            stop();
        else
            start();
    });
    connect(m_send, &QPushButton::clicked, this, [this] { sendEvent(); });
    // Closing the dialog stops the server: no endpoint keeps running out of sight.
    connect(this, &QDialog::finished, this, &MockServerDialog::stop);
    resize(560, 760);
    updateState();
}

MockServerDialog::~MockServerDialog() = default;

MockServerDialog::Source MockServerDialog::source() const
{
    return Source(m_source->currentData().toInt());
}

void MockServerDialog::setSource(Source source)
{
    m_source->setCurrentIndex(m_source->findData(int(source)));
}

void MockServerDialog::chooseRecording()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Serve Recording"), QString(),
        tr("Recordings (*.jsonl *.sse *.txt);;All files (*)"));
    if (!path.isEmpty())
        loadRecording(path);
}

void MockServerDialog::loadRecording(const QString &path)
{
    if (m_importer)
        m_importer->deleteLater(); // a newer choice wins (its destructor cancels it)
    m_recorded.clear();
    m_recordedBytes = 0;
    m_recordingName = QFileInfo(path).fileName();
    m_recordingStatus->setText(tr("Reading %1\u2026").arg(m_recordingName));
    auto *importer = new LogImporter(this);
    m_importer = importer;
    // Every connection of the file, in its order: what `sse-monitor-cli replay FILE` serves.
    connect(importer, &LogImporter::eventsLoaded, this,
            [this, importer](const QString &, const Sse::EventList &events) {
                if (importer != m_importer)
                    return;
                for (const Sse::Event &event : events)
                    m_recordedBytes += event.data.size() + event.type.size()
                        + event.lastEventId.size();
                if (m_recordedBytes > MaximumRecordingBytes) {
                    importer->cancel();
                    return;
                }
                m_recorded.append(events);
            });
    connect(importer, &LogImporter::finished, this,
            [this, importer](const LogImporter::Statistics &statistics) {
                if (importer != m_importer)
                    return;
                importer->deleteLater();
                m_importer = nullptr; // loaded: applySource() may serve it
                QString error = statistics.error;
                if (m_recordedBytes > MaximumRecordingBytes)
                    error = tr("more than %1 MiB of events: too large to serve from memory")
                                .arg(MaximumRecordingBytes / (1024 * 1024));
                if (error.isEmpty() && m_recorded.isEmpty())
                    error = tr("no events in it");
                if (!error.isEmpty()) {
                    m_recorded.clear();
                    m_recordingStatus->setText(
                        tr("Cannot serve %1: %2").arg(m_recordingName, error));
                    emit recordingFailed(error);
                    return;
                }
                m_recordingStatus->setText(tr("%1: %Ln event(s)", nullptr,
                                              int(qMin<qsizetype>(m_recorded.size(), INT_MAX)))
                                               .arg(m_recordingName));
                setSource(Source::Recording);
                applySource();
                emit recordingLoaded(m_recorded.size());
            });
    if (!importer->start(path)) {
        m_recordingStatus->setText(tr("Cannot serve %1").arg(m_recordingName));
        importer->deleteLater();
    }
}

void MockServerDialog::applySource()
{
    if (!m_server)
        return;
    // Clients already connected keep their stream; the next ones get this.
    const bool recording = source() == Source::Recording && !m_importer;
    m_server->setEvents(recording ? m_recorded : Sse::EventList());
    m_server->setSpeed(m_speed->value() > 0 ? m_speed->value()
                                            : Sse::ReplayServer::AsFastAsPossible);
}

void MockServerDialog::applyFaults()
{
    if (!m_server)
        return;
    Sse::ReplayFaults faults;
    faults.dropAfterEvents = m_dropAfter->value() > 0 ? m_dropAfter->value() : -1;
    faults.dropMode = Sse::ReplayFaults::DropMode(m_dropMode->currentData().toInt());
    faults.status = m_status->value() > 200 ? m_status->value() : 0;
    faults.retryMs = m_retry->value();
    faults.noIds = m_noIds->isChecked();
    faults.gzip = m_gzip->isChecked();
    m_server->setFaults(faults);
}

QString MockServerDialog::streamUrl() const
{
    return m_server ? m_server->streamUrl().toString() : QString();
}

bool MockServerDialog::isServing() const
{
    return m_server != nullptr;
}

bool MockServerDialog::start()
{
    if (m_server)
        return true;
    auto server = std::make_unique<Sse::ReplayServer>();
    server->setHoldOpen(true); // an empty stream that stays open for the events sent here
    if (!server->listen(QHostAddress(QHostAddress::LocalHost), quint16(m_port->value()))) {
        m_message->setText(
            tr("Cannot listen on port %1: %2").arg(m_port->value()).arg(server->errorString()));
        return false;
    }
    m_server = std::move(server);
    connect(m_server.get(), &Sse::ReplayServer::clientConnected, this,
            &MockServerDialog::refreshClients);
    connect(m_server.get(), &Sse::ReplayServer::clientDisconnected, this,
            &MockServerDialog::refreshClients);
    applyFaults();
    applySource();
    updateState();
    emit servingChanged(true);
    return true;
}

void MockServerDialog::stop()
{
    if (!m_server)
        return;
    m_server.reset(); // closes every client's connection
    updateState();
    emit servingChanged(false);
}

int MockServerDialog::sendEvent()
{
    if (!m_server)
        return 0;
    Sse::Event event;
    event.type = m_type->text().trimmed().toUtf8();
    event.lastEventId = m_id->text().toUtf8();
    event.data = m_data->toPlainText().toUtf8();
    if (!Sse::isWireSafe(event)) {
        m_message->setText(tr("The type and id must be on one line (the id without NUL)"));
        return 0;
    }
    const int reached = m_server->pushEvent(event);
    m_message->setText(tr("Sent to %n client(s)", nullptr, reached));
    // The event counts change once the sockets have taken the bytes.
    QMetaObject::invokeMethod(this, &MockServerDialog::refreshClients, Qt::QueuedConnection);
    return reached;
}

void MockServerDialog::refreshClients()
{
    const QList<Sse::ReplayServer::ClientInfo> clients =
        m_server ? m_server->clients() : QList<Sse::ReplayServer::ClientInfo>();
    m_clients->setRowCount(int(clients.size()));
    for (int row = 0; row < clients.size(); ++row) {
        const Sse::ReplayServer::ClientInfo &client = clients.at(row);
        const QString since =
            QDateTime::fromMSecsSinceEpoch(client.connectedMs).toString(QStringLiteral("HH:mm:ss"));
        const QStringList cells = {client.peer, since, QString::number(client.eventsSent)};
        for (int column = 0; column < cells.size(); ++column)
            m_clients->setItem(row, column, new QTableWidgetItem(cells.at(column)));
    }
    m_clients->resizeColumnToContents(0); // a handful of rows: cheap
    if (m_server)
        m_message->setText(tr("Serving %1 - %n client(s) connected", nullptr, int(clients.size()))
                               .arg(streamUrl()));
}

void MockServerDialog::updateState()
{
    const bool serving = isServing();
    m_startStop->setText(serving ? tr("Stop") : tr("Start"));
    m_port->setEnabled(!serving);
    m_send->setEnabled(serving);
    m_url->setText(streamUrl());
    if (!serving) {
        m_clients->setRowCount(0);
        m_message->setText(tr("Start the server, point an EventSource at the URL, then send "
                              "events by hand."));
    } else {
        refreshClients();
    }
}

#pragma once

#include "sselib/sseevent.h"

#include <QDialog>
#include <QPointer>

#include <memory>

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
QT_END_NAMESPACE

namespace Sse {
class ReplayServer;
}
class LogImporter;

/// File > Mock Server: an SSE endpoint on loopback that holds every client's stream open and
/// sends the events typed here (type, id, data) to all of them, with the list of connected
/// clients. For trying a front end's EventSource by hand. The stream each client gets is
/// empty, or a recording (JSON Lines or raw capture, read off the GUI thread) played at its
/// pace or faster, with the events typed here interleaved and the stream held open after its
/// end. Not modal; closing it stops the server.
class MockServerDialog : public QDialog
{
    Q_OBJECT
public:
    explicit MockServerDialog(QWidget *parent = nullptr);
    ~MockServerDialog() override;

    /// The stream URL while serving, else empty.
    QString streamUrl() const;
    /// Starts serving on 127.0.0.1 and the port in the port box (0: any free port).
    bool start();
    void stop();
    bool isServing() const;
    /// Sends the event in the form to every client; returns the clients reached.
    int sendEvent();

    /// What a client that connects gets before the events sent by hand.
    enum class Source { Empty, Recording };
    Source source() const;
    void setSource(Source source);
    /// Reads \a path in the background (recordingLoaded() or recordingFailed() follows) and
    /// switches to Source::Recording; clients that connect after it loaded get its events.
    void loadRecording(const QString &path);
    qsizetype recordedEventCount() const { return m_recorded.size(); }
    /// Recordings whose event data exceeds this are not served (they are held in memory).
    static constexpr qint64 MaximumRecordingBytes = 256LL * 1024 * 1024;

Q_SIGNALS:
    void servingChanged(bool serving);
    void recordingLoaded(qsizetype events);
    void recordingFailed(const QString &error);

private:
    void applyFaults();
    void applySource();
    void chooseRecording();
    void refreshClients();
    void updateState();

    std::unique_ptr<Sse::ReplayServer> m_server;
    QPointer<LogImporter> m_importer;
    Sse::EventList m_recorded; // the loaded recording's events
    qint64 m_recordedBytes = 0;
    QString m_recordingName;
    QComboBox *m_source = nullptr;
    QPushButton *m_chooseRecording = nullptr;
    QLabel *m_recordingStatus = nullptr;
    QDoubleSpinBox *m_speed = nullptr;
    QSpinBox *m_port = nullptr;
    QPushButton *m_startStop = nullptr;
    QLineEdit *m_url = nullptr;
    QLineEdit *m_type = nullptr;
    QLineEdit *m_id = nullptr;
    QPlainTextEdit *m_data = nullptr;
    QPushButton *m_send = nullptr;
    QLabel *m_message = nullptr;
    QTableWidget *m_clients = nullptr;
    // Faults for connections that start from now on.
    QSpinBox *m_dropAfter = nullptr;
    QComboBox *m_dropMode = nullptr;
    QSpinBox *m_status = nullptr;
    QSpinBox *m_retry = nullptr;
    QCheckBox *m_noIds = nullptr;
    QCheckBox *m_gzip = nullptr;
};

#pragma once

#include <QDialog>

#include <memory>

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
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

/// File > Mock Server: an SSE endpoint on loopback that holds every client's stream open and
/// sends the events typed here (type, id, data) to all of them, with the list of connected
/// clients. For trying a front end's EventSource by hand. Not modal; closing it stops the
/// server.
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

Q_SIGNALS:
    void servingChanged(bool serving);

private:
    void applyFaults();
    void refreshClients();
    void updateState();

    std::unique_ptr<Sse::ReplayServer> m_server;
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

#pragma once

#include <QWidget>

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTableView;
QT_END_NAMESPACE

class Workspace;

/// The Alerts tab: the list of raised alerts (time, connection, rule, detail, event) and the
/// alert rules of the current connection, with a small editor (kind, expression or seconds,
/// count). Rules are saved with the connection.
class AlertsPane : public QWidget
{
    Q_OBJECT
public:
    explicit AlertsPane(Workspace *workspace, QWidget *parent = nullptr);

    void setConnection(quint16 id);

    QTableView *alertView() const { return m_alerts; }
    /// Beside the list: why the last activated alert could not be shown (empty: it was).
    void setJumpMessage(const QString &message);
    QString jumpMessage() const;

Q_SIGNALS:
    /// An alert was activated (double click, Enter): show event \a sequence of the log.
    void eventRequested(qint64 sequence);

private:
    void showRules();
    void showKind();
    void addRule();
    void removeRule();
    void applyRateLimit();
    void updateSuppressed();

    Workspace *m_workspace;
    quint16 m_connection = 0;
    QTableView *m_alerts = nullptr;
    QListWidget *m_rules = nullptr;
    QComboBox *m_kind = nullptr;
    QLineEdit *m_value = nullptr;
    QSpinBox *m_count = nullptr;
    QSpinBox *m_rateLimit = nullptr; // of a new rule, or of the selected one
    QPushButton *m_add = nullptr;
    QPushButton *m_remove = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_suppressed = nullptr;
    QLabel *m_jump = nullptr;
    QSpinBox *m_stallAfter = nullptr;
};

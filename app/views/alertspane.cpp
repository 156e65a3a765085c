#include "views/alertspane.h"

#include "models/alertlistmodel.h"
#include "models/connectionmanager.h"
#include "session/alertcenter.h"
#include "session/workspace.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

AlertsPane::AlertsPane(Workspace *workspace, QWidget *parent)
    : QWidget(parent)
    , m_workspace(workspace)
{
    AlertCenter *center = workspace->alerts();
    m_alerts = new QTableView;
    m_alerts->setObjectName(QStringLiteral("alertList"));
    m_alerts->setModel(center->model());
    m_alerts->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_alerts->verticalHeader()->hide();
    m_alerts->setWordWrap(false);
    m_alerts->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_alerts->horizontalHeader()->setStretchLastSection(true);
    m_alerts->setColumnWidth(AlertListModel::TimeColumn, 95);
    m_alerts->setColumnWidth(AlertListModel::ConnectionColumn, 110);
    m_alerts->setColumnWidth(AlertListModel::RuleColumn, 170);
    m_alerts->setColumnWidth(AlertListModel::DetailColumn, 300);
    m_alerts->setAccessibleName(tr("Raised alerts"));
    // The newest alert stays in view.
    connect(center->model(), &QAbstractItemModel::rowsInserted, m_alerts,
            [this] { m_alerts->scrollToBottom(); });

    m_rules = new QListWidget;
    m_rules->setObjectName(QStringLiteral("alertRules"));
    m_rules->setAccessibleName(tr("Alert rules of the connection"));
    m_kind = new QComboBox;
    m_kind->setObjectName(QStringLiteral("alertRuleKind"));
    m_kind->addItem(tr("Event matches"), int(AlertRule::Kind::Match));
    m_kind->addItem(tr("Stall longer than"), int(AlertRule::Kind::Stall));
    m_kind->addItem(tr("Reconnects more than"), int(AlertRule::Kind::Reconnects));
    m_kind->addItem(tr("Id gap"), int(AlertRule::Kind::IdGap));
    m_kind->addItem(tr("Connection failed"), int(AlertRule::Kind::Failed));
    m_kind->setAccessibleName(tr("Rule kind"));
    m_value = new QLineEdit;
    m_value->setObjectName(QStringLiteral("alertRuleValue"));
    m_value->setAccessibleName(tr("Rule expression or seconds"));
    m_count = new QSpinBox;
    m_count->setObjectName(QStringLiteral("alertRuleCount"));
    m_count->setRange(0, 1000000);
    m_count->setValue(3);
    m_count->setAccessibleName(tr("Reconnects"));
    m_rateLimit = new QSpinBox;
    m_rateLimit->setObjectName(QStringLiteral("alertRuleRateLimit"));
    m_rateLimit->setRange(0, 7 * 24 * 3600);
    m_rateLimit->setValue(int(AlertRule::DefaultRateLimitSeconds));
    m_rateLimit->setSuffix(tr(" s"));
    m_rateLimit->setSpecialValueText(tr("no limit"));
    m_rateLimit->setAccessibleName(tr("Rate limit: at most one alert per"));
    m_rateLimit->setToolTip(tr("At most one alert of the rule in this many seconds (0: every "
                               "occurrence). Applies to the rule selected in the list, or to the "
                               "next rule added."));
    connect(m_rateLimit, &QSpinBox::editingFinished, this, &AlertsPane::applyRateLimit);
    m_add = new QPushButton(tr("Add Rule"));
    m_add->setObjectName(QStringLiteral("addAlertRule"));
    m_remove = new QPushButton(tr("Remove Rule"));
    m_remove->setObjectName(QStringLiteral("removeAlertRule"));
    m_error = new QLabel;
    m_error->setObjectName(QStringLiteral("alertRuleError"));
    m_error->setTextFormat(Qt::PlainText);
    m_error->setStyleSheet(QStringLiteral("color: #d93535"));
    m_suppressed = new QLabel;
    m_suppressed->setTextFormat(Qt::PlainText);
    m_jump = new QLabel;
    m_jump->setObjectName(QStringLiteral("alertJumpMessage"));
    m_jump->setTextFormat(Qt::PlainText);
    m_jump->setWordWrap(true);
    m_alerts->setToolTip(tr("Double-click an alert (or press Enter) to show its event in the "
                            "event log"));
    connect(m_alerts, &QAbstractItemView::activated, this, [this](const QModelIndex &index) {
        const QList<Alert> &alerts = m_workspace->alerts()->model()->alerts();
        if (!index.isValid() || index.row() >= alerts.size())
            return;
        const Alert &alert = alerts.at(index.row());
        if (alert.eventSequence < 0) {
            setJumpMessage(tr("This alert is not about one event (%1)").arg(alert.rule));
            return;
        }
        setJumpMessage(QString());
        emit eventRequested(alert.eventSequence);
    });
    // The health engine's threshold for this connection: learnt, or set here.
    m_stallAfter = new QSpinBox;
    m_stallAfter->setObjectName(QStringLiteral("stallAfter"));
    m_stallAfter->setRange(0, 7 * 24 * 3600);
    m_stallAfter->setSuffix(tr(" s"));
    m_stallAfter->setSpecialValueText(tr("learn from the stream"));
    m_stallAfter->setAccessibleName(tr("Stalled after"));
    connect(m_stallAfter, &QSpinBox::editingFinished, this, [this] {
        if (m_workspace->connections()->entry(m_connection))
            m_workspace->setStallAfter(m_connection, m_stallAfter->value());
    });

    auto *editor = new QHBoxLayout;
    editor->addWidget(m_kind);
    editor->addWidget(m_count);
    editor->addWidget(m_value, 1);
    editor->addWidget(m_add);
    editor->addWidget(m_remove);
    // A column of widgets without margins; the one named stretch takes the room.
    auto column = [](const QList<QWidget *> &widgets, QWidget *stretch) {
        auto *box = new QWidget;
        auto *layout = new QVBoxLayout(box);
        layout->setContentsMargins(0, 0, 0, 0);
        for (QWidget *widget : widgets)
            layout->addWidget(widget, widget == stretch ? 1 : 0);
        return box;
    };
    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(column({m_alerts, m_jump, m_suppressed}, m_alerts));
    auto *rulesTitle = new QLabel(tr("Rules of this connection (saved with it):"));
    QWidget *rulesBox = column({rulesTitle, m_rules, m_error}, m_rules);
    auto *rulesLayout = static_cast<QVBoxLayout *>(rulesBox->layout());
    rulesLayout->insertLayout(2, editor);
    auto *rate = new QHBoxLayout;
    rate->addWidget(new QLabel(tr("Rate limit: at most one alert per")));
    rate->addWidget(m_rateLimit);
    rate->addStretch(1);
    rulesLayout->insertLayout(3, rate);
    auto *stall = new QHBoxLayout;
    stall->addWidget(new QLabel(tr("Health: stalled after")));
    stall->addWidget(m_stallAfter);
    stall->addStretch(1);
    rulesLayout->addLayout(stall);
    splitter->addWidget(rulesBox);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(splitter);

    connect(m_kind, &QComboBox::currentIndexChanged, this, &AlertsPane::showKind);
    connect(m_add, &QPushButton::clicked, this, &AlertsPane::addRule);
    connect(m_value, &QLineEdit::returnPressed, this, &AlertsPane::addRule);
    connect(m_remove, &QPushButton::clicked, this, &AlertsPane::removeRule);
    connect(m_rules, &QListWidget::currentRowChanged, this, [this](int row) {
        m_remove->setEnabled(row >= 0);
        const QList<AlertRule> rules = m_workspace->alerts()->rules(m_connection);
        if (row >= 0 && row < rules.size())
            m_rateLimit->setValue(int(rules.at(row).rateLimitSeconds));
    });
    connect(center, &AlertCenter::rulesChanged, this, [this](quint16 id) {
        if (id == m_connection)
            showRules();
    });
    connect(center, &AlertCenter::alertRaised, this, &AlertsPane::updateSuppressed);
    showKind();
    setConnection(0);
}

void AlertsPane::setConnection(quint16 id)
{
    m_connection = id;
    const bool live =
        m_workspace->connections()->entry(id) && !m_workspace->connections()->entry(id)->offline;
    for (QWidget *widget : {static_cast<QWidget *>(m_kind), static_cast<QWidget *>(m_value),
                            static_cast<QWidget *>(m_count), static_cast<QWidget *>(m_add),
                            static_cast<QWidget *>(m_rateLimit),
                            static_cast<QWidget *>(m_stallAfter)}) {
        widget->setEnabled(live);
    }
    const ConnectionEntry *entry = m_workspace->connections()->entry(id);
    m_stallAfter->setValue(entry ? int(entry->healthMonitor.settings().stallAfterMs / 1000) : 0);
    m_error->clear();
    showRules();
    updateSuppressed();
}

void AlertsPane::showRules()
{
    m_rules->clear();
    for (const AlertRule &rule : m_workspace->alerts()->rules(m_connection))
        m_rules->addItem(rule.label() + QStringLiteral(" · ") + rule.rateLimitText());
    m_remove->setEnabled(m_rules->currentRow() >= 0);
}

void AlertsPane::showKind()
{
    const auto kind = AlertRule::Kind(m_kind->currentData().toInt());
    m_count->setVisible(kind == AlertRule::Kind::Reconnects);
    m_value->setVisible(kind != AlertRule::Kind::IdGap && kind != AlertRule::Kind::Failed);
    m_value->setPlaceholderText(kind == AlertRule::Kind::Match
                                    ? tr("Filter, e.g. type == \"alarm\" && data.level > 2")
                                    : tr("Seconds"));
}

void AlertsPane::addRule()
{
    if (!m_workspace->connections()->entry(m_connection))
        return;
    AlertRule rule;
    rule.kind = AlertRule::Kind(m_kind->currentData().toInt());
    if (rule.kind == AlertRule::Kind::Match) {
        rule.expression = m_value->text().trimmed();
    } else if (rule.kind == AlertRule::Kind::Stall || rule.kind == AlertRule::Kind::Reconnects) {
        bool ok = false;
        rule.seconds = m_value->text().trimmed().toLongLong(&ok);
        if (!ok)
            rule.seconds = 0; // reported by validationError()
        rule.count = m_count->value();
    }
    rule.rateLimitSeconds = m_rateLimit->value();
    if (const QString error = rule.validationError(); !error.isEmpty()) {
        m_error->setText(error);
        return;
    }
    m_error->clear();
    QList<AlertRule> rules = m_workspace->alerts()->rules(m_connection);
    rules.append(rule);
    m_workspace->setAlertRules(m_connection, rules);
    m_value->clear();
}

void AlertsPane::removeRule()
{
    QList<AlertRule> rules = m_workspace->alerts()->rules(m_connection);
    const int row = m_rules->currentRow();
    if (row < 0 || row >= rules.size())
        return;
    rules.removeAt(row);
    m_workspace->setAlertRules(m_connection, rules);
}

void AlertsPane::applyRateLimit()
{
    QList<AlertRule> rules = m_workspace->alerts()->rules(m_connection);
    const int row = m_rules->currentRow();
    if (row < 0 || row >= rules.size() || rules.at(row).rateLimitSeconds == m_rateLimit->value())
        return;
    rules[row].rateLimitSeconds = m_rateLimit->value();
    m_workspace->setAlertRules(m_connection, rules);
}

void AlertsPane::updateSuppressed()
{
    const qint64 suppressed = m_workspace->alerts()->suppressed();
    m_suppressed->setText(suppressed > 0
                              ? tr("%1 further alerts held back by the rules' rate limits")
                                    .arg(suppressed)
                              : QString());
}

void AlertsPane::setJumpMessage(const QString &message)
{
    m_jump->setText(message);
    m_jump->setVisible(!message.isEmpty());
}

QString AlertsPane::jumpMessage() const
{
    return m_jump->text();
}

#include "views/exportconnectionsdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QVBoxLayout>

ExportConnectionsDialog::ExportConnectionsDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Export Connections"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Writes every connection to a JSON file that SSE Monitor "
                                    "can import and sse-monitor-cli --profiles-file can use.")));
    m_include = new QCheckBox(tr("&Include secret header values"));
    m_include->setObjectName(QStringLiteral("includeSecrets"));
    auto *warning = new QLabel(tr("The file will hold tokens, passwords and cookies in plain "
                                  "text. Keep it private."));
    warning->setStyleSheet(QStringLiteral("color: #d93535"));
    warning->setWordWrap(true);
    warning->hide();
    connect(m_include, &QCheckBox::toggled, warning, &QWidget::setVisible);
    layout->addWidget(m_include);
    layout->addWidget(warning);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

Sse::SecretHandling ExportConnectionsDialog::secretHandling() const
{
    return m_include->isChecked() ? Sse::SecretHandling::Include : Sse::SecretHandling::Exclude;
}

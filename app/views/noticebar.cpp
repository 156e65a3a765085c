#include "views/noticebar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

NoticeBar::NoticeBar(QWidget *parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("noticeBar"));
    setFrameShape(QFrame::StyledPanel);
    // The palette's tool-tip colours: a notice looks the same in the light and dark themes
    // and stands out from the panes without a colour of its own.
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::ToolTipBase);
    setForegroundRole(QPalette::ToolTipText);

    auto *icon = new QLabel;
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(size, size));
    m_text = new QLabel;
    m_text->setObjectName(QStringLiteral("noticeText"));
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::PlainText);
    m_detailsButton = new QToolButton;
    m_detailsButton->setObjectName(QStringLiteral("noticeDetails"));
    m_detailsButton->setText(tr("Details"));
    m_detailsButton->setCheckable(true);
    auto *dismissButton = new QToolButton;
    dismissButton->setObjectName(QStringLiteral("noticeDismiss"));
    dismissButton->setText(tr("Dismiss"));
    m_details = new QLabel;
    m_details->setObjectName(QStringLiteral("noticeDetailsText"));
    m_details->setWordWrap(true);
    m_details->setTextFormat(Qt::PlainText);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->hide();

    auto *row = new QHBoxLayout;
    row->addWidget(icon);
    row->addWidget(m_text, 1);
    row->addWidget(m_detailsButton);
    row->addWidget(dismissButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addLayout(row);
    layout->addWidget(m_details);

    m_text->setForegroundRole(QPalette::ToolTipText);
    m_details->setForegroundRole(QPalette::ToolTipText);
    connect(m_detailsButton, &QToolButton::toggled, this, &NoticeBar::toggleDetails);
    connect(dismissButton, &QToolButton::clicked, this, &NoticeBar::dismiss);
    hide();
}

void NoticeBar::showNotice(const QString &text, const QString &details)
{
    m_text->setText(text);
    m_details->setText(details);
    m_detailsButton->setVisible(!details.isEmpty());
    m_detailsButton->setChecked(false);
    show();
}

QString NoticeBar::text() const
{
    return m_text->text();
}

QString NoticeBar::details() const
{
    return m_details->text();
}

bool NoticeBar::detailsShown() const
{
    return m_details->isVisible();
}

void NoticeBar::dismiss()
{
    hide();
    emit dismissed();
}

void NoticeBar::toggleDetails()
{
    m_details->setVisible(m_detailsButton->isChecked());
}

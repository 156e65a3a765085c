#include "views/welcomepage.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

WelcomePage::WelcomePage(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->addStretch();
    auto *text = new QLabel(
        tr("<h2>SSE Monitor</h2><p>Watch, filter, chart and record Server-Sent Events.</p>"
           "<p>Connect to any <tt>text/event-stream</tt> URL, or try the built-in demo "
           "stream first.</p>"));
    text->setAlignment(Qt::AlignCenter);
    text->setTextFormat(Qt::RichText);
    layout->addWidget(text);
    auto *buttons = new QHBoxLayout;
    auto *demoButton = new QPushButton(tr("Open the &demo stream"));
    demoButton->setObjectName(QStringLiteral("demoButton"));
    connect(demoButton, &QPushButton::clicked, this, &WelcomePage::demoRequested);
    auto *newButton = new QPushButton(tr("&New connection…"));
    connect(newButton, &QPushButton::clicked, this, &WelcomePage::newConnectionRequested);
    buttons->addStretch();
    buttons->addWidget(demoButton);
    buttons->addWidget(newButton);
    buttons->addStretch();
    layout->addLayout(buttons);
    layout->addStretch();
}

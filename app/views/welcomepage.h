#pragma once

#include <QWidget>

/// Shown while there is no connection: what the program does, and two ways to start.
class WelcomePage : public QWidget
{
    Q_OBJECT
public:
    explicit WelcomePage(QWidget *parent = nullptr);

Q_SIGNALS:
    void demoRequested();
    void newConnectionRequested();
};

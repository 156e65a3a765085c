#pragma once

#include "session/notifier.h"

QT_BEGIN_NAMESPACE
class QSystemTrayIcon;
QT_END_NAMESPACE

/// The fallback without a D-Bus notification server: a balloon message of a tray icon.
class TrayNotifier : public Notifier
{
public:
    explicit TrayNotifier(QSystemTrayIcon *icon) : m_icon(icon) { }
    void notify(const QString &title, const QString &body) override;

private:
    QSystemTrayIcon *m_icon; // owned by the window
};

#pragma once

#include "session/notifier.h"

/// Freedesktop notifications over the D-Bus session bus
/// (org.freedesktop.Notifications.Notify), the desktop's own notification bubbles.
class DesktopNotifier : public Notifier
{
public:
    /// True when the session bus has a notification server.
    static bool isAvailable();
    void notify(const QString &title, const QString &body) override;
    /// Notifications sent so far (asynchronously; replies are not waited for).
    int sent() const { return m_sent; }

private:
    int m_sent = 0;
};

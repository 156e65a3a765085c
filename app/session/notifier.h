#pragma once

#include <QString>

/// Where an alert goes outside the window: a desktop notification. The AlertCenter calls it on
/// the GUI thread; implementations must not block (D-Bus calls are sent asynchronously).
class Notifier
{
public:
    virtual ~Notifier() = default;
    virtual void notify(const QString &title, const QString &body) = 0;
};

#include "views/traynotifier.h"

#include <QSystemTrayIcon>

void TrayNotifier::notify(const QString &title, const QString &body)
{
    m_icon->show();
    m_icon->showMessage(title, body, QSystemTrayIcon::Warning);
}

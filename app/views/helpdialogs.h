#pragma once

#include <QList>

QT_BEGIN_NAMESPACE
class QAction;
class QWidget;
QT_END_NAMESPACE

// Help > User Guide and Help > Keyboard Shortcuts: non-modal windows owned by `parent`.
namespace HelpDialogs {

/// The user guide (docs/USER-GUIDE.md, compiled in) in a text browser.
QWidget *showUserGuide(QWidget *parent);
/// Every action of `actions` that has a shortcut, with its menu text and keys.
QWidget *showShortcuts(QWidget *parent, const QList<QAction *> &actions);

} // namespace HelpDialogs

#pragma once

#include <QAction>
#include <QKeySequence>
#include <QString>

/// A QAction owned by \a owner, with its shortcut, its tip (tool tip and status tip) and the
/// slot it triggers. Panes and the window build their actions with it.
template<typename Owner, typename Slot>
QAction *makeAction(Owner *owner, const QString &text, const QKeySequence &shortcut,
                    const QString &tip, Slot slot)
{
    auto *action = new QAction(text, owner);
    if (!shortcut.isEmpty())
        action->setShortcut(shortcut);
    action->setToolTip(tip);
    action->setStatusTip(tip);
    QObject::connect(action, &QAction::triggered, owner, slot);
    return action;
}

#include "views/shortcutpassthrough.h"

#include <QAbstractSpinBox>
#include <QAction>
#include <QApplication>
#include <QKeyEvent>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTextEdit>

ShortcutPassThrough::ShortcutPassThrough(QWidget *window)
    : QObject(window), m_window(window)
{
    qApp->installEventFilter(this);
}

ShortcutPassThrough::~ShortcutPassThrough()
{
    qApp->removeEventFilter(this);
}

bool ShortcutPassThrough::isTextEditingKey(const QKeyEvent *event)
{
    const Qt::KeyboardModifiers modifiers =
            event->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier);
    if (modifiers == Qt::NoModifier)
        return true; // typing, moving, deleting; Shift only selects or types
    static const QKeySequence::StandardKey editing[] = {
        QKeySequence::Copy,          QKeySequence::Cut,
        QKeySequence::Paste,         QKeySequence::Undo,
        QKeySequence::Redo,          QKeySequence::SelectAll,
        QKeySequence::DeleteStartOfWord, QKeySequence::DeleteEndOfWord,
        QKeySequence::MoveToNextWord, QKeySequence::MoveToPreviousWord,
        QKeySequence::SelectNextWord, QKeySequence::SelectPreviousWord,
        QKeySequence::MoveToStartOfDocument, QKeySequence::MoveToEndOfDocument,
        QKeySequence::SelectStartOfDocument, QKeySequence::SelectEndOfDocument,
    };
    for (QKeySequence::StandardKey key : editing) {
        if (event->matches(key))
            return true;
    }
    return false;
}

bool ShortcutPassThrough::matchesWindowAction(const QKeyEvent *event) const
{
    const QKeySequence pressed(event->keyCombination());
    const QList<QAction *> actions = m_window->findChildren<QAction *>();
    for (const QAction *action : actions) {
        if (!action->isEnabled() || action->shortcutContext() == Qt::WidgetShortcut)
            continue;
        const QList<QKeySequence> shortcuts = action->shortcuts();
        for (const QKeySequence &shortcut : shortcuts) {
            if (shortcut.matches(pressed) == QKeySequence::ExactMatch)
                return true;
        }
    }
    return false;
}

bool ShortcutPassThrough::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::ShortcutOverride)
        return false;
    auto *widget = qobject_cast<QWidget *>(watched);
    if (!widget || widget->window() != m_window)
        return false;
    const bool textField = qobject_cast<QLineEdit *>(widget)
            || qobject_cast<QAbstractSpinBox *>(widget) || qobject_cast<QPlainTextEdit *>(widget)
            || qobject_cast<QTextEdit *>(widget);
    if (!textField)
        return false;
    const auto *key = static_cast<QKeyEvent *>(event);
    if (isTextEditingKey(key) || !matchesWindowAction(key))
        return false;
    // Not accepting the override (and stopping it here) leaves the key to the shortcut map.
    event->ignore();
    return true;
}

#pragma once

#include <QObject>

QT_BEGIN_NAMESPACE
class QKeyEvent;
class QWidget;
QT_END_NAMESPACE

// Lets the window's shortcuts through text fields.
//
// A QLineEdit claims every key it has a binding for (ShortcutOverride), and on Linux those
// include Ctrl+E, Ctrl+K, Ctrl+U and more (Emacs-style line editing), so Ctrl+E (Export) did
// nothing while the search field had the focus. This filter, installed on the application,
// watches text fields inside `window`: when a key would trigger one of the window's enabled
// actions and is not a key the field needs for editing (plain keys, copy/cut/paste, undo,
// redo, select all, word-wise moves and deletes), it refuses the field's claim, so the
// window shortcut fires.
class ShortcutPassThrough : public QObject
{
    Q_OBJECT

public:
    /// Watches text fields inside `window`, which also parents the filter.
    explicit ShortcutPassThrough(QWidget *window);
    ~ShortcutPassThrough() override;

    /// Keys a text field keeps for itself even when an action uses them.
    static bool isTextEditingKey(const QKeyEvent *event);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    bool matchesWindowAction(const QKeyEvent *event) const;

    QWidget *m_window;
};

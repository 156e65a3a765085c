#pragma once

#include <QStyledItemDelegate>

/// Edits a column whose cells may hold secrets (header values such as Authorization).
///
/// The model keeps the real text in ValueRole and what is shown in DisplayRole, which is a mask
/// while MaskedRole is true. So the view, tool tips and accessibility only ever see the mask,
/// and the owner decides when to reveal. The editor gets the real text, in a password field
/// while the cell is masked, and writes it back to ValueRole only; the owner updates
/// DisplayRole when it sees the change.
class SecretValueDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    enum Role {
        ValueRole = Qt::UserRole + 1, // QString: the real value
        MaskedRole, // bool: DisplayRole holds a mask
    };

    using QStyledItemDelegate::QStyledItemDelegate;

    /// What a masked cell shows: a fixed number of bullets, so the length does not leak.
    static QString mask(const QString &value);

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override;
    void setEditorData(QWidget *editor, const QModelIndex &index) const override;
    void setModelData(QWidget *editor, QAbstractItemModel *model,
                      const QModelIndex &index) const override;
};

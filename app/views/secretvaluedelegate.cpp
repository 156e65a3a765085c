#include "views/secretvaluedelegate.h"

#include <QLineEdit>

QString SecretValueDelegate::mask(const QString &value)
{
    return value.isEmpty() ? QString() : QString(8, QChar(0x2022));
}

QWidget *SecretValueDelegate::createEditor(QWidget *parent, const QStyleOptionViewItem &,
                                           const QModelIndex &index) const
{
    auto *editor = new QLineEdit(parent);
    editor->setFrame(false);
    const bool masked = index.data(MaskedRole).toBool();
    editor->setEchoMode(masked ? QLineEdit::Password : QLineEdit::Normal);
    editor->setAccessibleName(index.model()->headerData(index.column(), Qt::Horizontal).toString());
    return editor;
}

void SecretValueDelegate::setEditorData(QWidget *editor, const QModelIndex &index) const
{
    if (auto *lineEdit = qobject_cast<QLineEdit *>(editor))
        lineEdit->setText(index.data(ValueRole).toString());
}

void SecretValueDelegate::setModelData(QWidget *editor, QAbstractItemModel *model,
                                       const QModelIndex &index) const
{
    if (auto *lineEdit = qobject_cast<QLineEdit *>(editor))
        model->setData(index, lineEdit->text(), ValueRole);
}

#pragma once

#include "sselib/profile.h"

#include <QDialog>

QT_BEGIN_NAMESPACE
class QCheckBox;
QT_END_NAMESPACE

/// File > Export Connections: whether the profiles file gets the secret header values, with a
/// warning while it does.
class ExportConnectionsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ExportConnectionsDialog(QWidget *parent = nullptr);

    Sse::SecretHandling secretHandling() const;

private:
    QCheckBox *m_include = nullptr;
};

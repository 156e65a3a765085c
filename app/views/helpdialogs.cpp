#include "views/helpdialogs.h"

#include <QAction>
#include <QCoreApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QHeaderView>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace HelpDialogs {

namespace {

QDialog *makeWindow(QWidget *parent, const QString &objectName, const QString &title)
{
    // One window of each kind: asking again raises it.
    if (auto *existing = parent->findChild<QDialog *>(objectName)) {
        existing->raise();
        existing->activateWindow();
        return nullptr;
    }
    auto *dialog = new QDialog(parent);
    dialog->setObjectName(objectName);
    dialog->setWindowTitle(title);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    return dialog;
}

void finish(QDialog *dialog, QWidget *content)
{
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(content, 1);
    layout->addWidget(buttons);
    dialog->show();
}

} // namespace

QWidget *showUserGuide(QWidget *parent)
{
    QDialog *dialog = makeWindow(parent, QStringLiteral("userGuide"),
                                 QCoreApplication::translate("HelpDialogs", "User Guide"));
    if (!dialog)
        return parent->findChild<QDialog *>(QStringLiteral("userGuide"));
    auto *browser = new QTextBrowser(dialog);
    browser->setObjectName(QStringLiteral("guideText"));
    browser->setOpenExternalLinks(true);
    // Pictures are resolved against the compiled-in guide folder.
    browser->setSearchPaths({ QStringLiteral(":/docs") });
    QFile guide(QStringLiteral(":/docs/USER-GUIDE.md"));
    if (guide.open(QIODevice::ReadOnly))
        browser->setMarkdown(QString::fromUtf8(guide.readAll()));
    else
        browser->setPlainText(QCoreApplication::translate("HelpDialogs",
                                                          "The user guide is not available."));
    dialog->resize(860, 700);
    finish(dialog, browser);
    return dialog;
}

QWidget *showShortcuts(QWidget *parent, const QList<QAction *> &actions)
{
    QDialog *dialog = makeWindow(parent, QStringLiteral("shortcutList"),
                                 QCoreApplication::translate("HelpDialogs", "Keyboard Shortcuts"));
    if (!dialog)
        return parent->findChild<QDialog *>(QStringLiteral("shortcutList"));
    QList<QPair<QString, QString>> rows;
    for (const QAction *action : actions) {
        if (action->shortcut().isEmpty() || action->text().isEmpty())
            continue;
        QString text = action->text();
        text.remove(QLatin1Char('&'));
        text.remove(QStringLiteral("…"));
        rows.append({ text, action->shortcut().toString(QKeySequence::NativeText) });
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    auto *table = new QTableWidget(int(rows.size()), 2, dialog);
    table->setObjectName(QStringLiteral("shortcutTable"));
    table->setHorizontalHeaderLabels({ QCoreApplication::translate("HelpDialogs", "Command"),
                                       QCoreApplication::translate("HelpDialogs", "Keys") });
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    for (int row = 0; row < rows.size(); ++row) {
        table->setItem(row, 0, new QTableWidgetItem(rows.at(row).first));
        table->setItem(row, 1, new QTableWidgetItem(rows.at(row).second));
    }
    dialog->resize(440, 520);
    finish(dialog, table);
    return dialog;
}

} // namespace HelpDialogs

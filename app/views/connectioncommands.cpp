#include "views/connectioncommands.h"

#include "models/connectionmanager.h"
#include "models/secretstore.h"
#include "session/workspace.h"
#include "views/actions.h"
#include "views/apptheme.h"
#include "views/connectiondialog.h"
#include "views/connectionspane.h"
#include "views/exportconnectionsdialog.h"
#include "views/filelocations.h"
#include "views/mainstatusbar.h"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QSettings>
#include <QTimer>

ConnectionCommands::ConnectionCommands(Workspace *workspace, ConnectionsPane *connections,
                                       MainStatusBar *statusBar, QWidget *window)
    : QObject(window),
      m_workspace(workspace),
      m_connectionsPane(connections),
      m_statusBar(statusBar),
      m_window(window)
{
    createActions();
    connect(m_connectionsPane, &ConnectionsPane::editRequested, this,
            &ConnectionCommands::editConnection);
}

void ConnectionCommands::createActions()
{
    m_newAction = makeAction(this, tr("&New Connection…"), QKeySequence::New,
                             tr("Connect to a new SSE URL"), &ConnectionCommands::newConnection);
    m_newAction->setIcon(AppTheme::icon("list-add", "new-connection"));
    m_demoAction = makeAction(this, tr("Connect to the &Demo Stream"), QKeySequence(),
                              tr("Start the built-in demo server and connect to it"),
                              &ConnectionCommands::openDemo);
    m_exportConnectionsAction = makeAction(
        this, tr("E&xport Connections…"), QKeySequence(),
        tr("Save the connections as a JSON profiles file (also read by sse-monitor-cli)"),
        &ConnectionCommands::exportConnections);
    m_importConnectionsAction = makeAction(this, tr("&Import Connections…"), QKeySequence(),
                                           tr("Add the connections of a JSON profiles file"),
                                           &ConnectionCommands::importConnections);
    m_plainSecretsAction =
        makeAction(this, tr("Store Secrets in &Plain Text If No Keychain…"), QKeySequence(),
                   tr("Without a system keychain, keep secret header values unencrypted in "
                      "the settings file"),
                   &ConnectionCommands::setPlainTextSecrets);
    m_plainSecretsAction->setCheckable(true);
    m_plainSecretsAction->setChecked(m_workspace->secretStore()->plainTextFallback());
}

quint16 ConnectionCommands::addConnection(const QString &name, const Sse::ClientOptions &options)
{
    const quint16 id = m_workspace->addConnection(name, options);
    m_connectionsPane->selectConnection(id);
    return id;
}

quint16 ConnectionCommands::openDemo()
{
    const quint16 id = m_workspace->openDemo();
    m_connectionsPane->selectConnection(id);
    return id;
}

void ConnectionCommands::newConnection()
{
    ConnectionDialog dialog(m_window);
    dialog.setWindowTitle(tr("New Connection"));
    if (dialog.exec() == QDialog::Accepted) {
        // A default name (host and path) gets a number when another connection has it.
        const QString name = dialog.hasTypedName()
            ? dialog.name()
            : m_workspace->uniqueConnectionName(dialog.name());
        if (dialog.kind() == ConnectionDialog::Kind::Proxy)
            m_connectionsPane->selectConnection(m_workspace->addProxy(name, dialog.proxySettings()));
        else
            addConnection(name, dialog.options());
        m_workspace->saveConnections(); // secrets reach the keychain now, not only at exit
    }
}

void ConnectionCommands::editConnection(quint16 id)
{
    const ConnectionEntry *entry = m_workspace->connections()->entry(id);
    if (!entry || entry->offline)
        return;
    const QList<QByteArray> missing = entry->missingSecrets;
    ConnectionDialog dialog(m_window);
    dialog.setWindowTitle(tr("Edit Connection"));
    dialog.setAcceptText(tr("&Save"));
    dialog.setKindEditable(false);
    if (entry->proxyListener) {
        dialog.setProxy(entry->name, *entry->proxyListener);
        if (dialog.exec() == QDialog::Accepted)
            m_workspace->updateProxy(id, dialog.name(), dialog.proxySettings());
        return;
    }
    if (entry->parentId != 0)
        return; // an exchange is what the application sent: nothing to edit
    dialog.setConnection(entry->name, entry->options);
    if (!missing.isEmpty()) {
        // Straight to the value the keychain could not give, once the dialog shows.
        const QByteArray first = missing.first();
        QTimer::singleShot(0, &dialog, [&dialog, first] { dialog.focusSecret(first); });
    }
    if (dialog.exec() == QDialog::Accepted)
        m_workspace->updateConnection(id, dialog.name(), dialog.options());
    else
        m_workspace->cancelPendingStart(id);
}

void ConnectionCommands::exportConnections()
{
    ExportConnectionsDialog dialog(m_window);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const QString path = QFileDialog::getSaveFileName(
        m_window, tr("Export Connections"),
        FileLocations::documentsDirectory() + QStringLiteral("/sse-monitor-connections.json"),
        tr("JSON profiles (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (m_workspace->exportConnections(path, dialog.secretHandling(), &error))
        m_statusBar->showMessage(tr("Connections exported to %1").arg(path), 10000);
    else
        QMessageBox::warning(m_window, tr("Export Connections"), error);
}

void ConnectionCommands::importConnections()
{
    const QString path = QFileDialog::getOpenFileName(m_window, tr("Import Connections"),
                                                      QString(),
                                                      tr("JSON profiles (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    const SavedConnections::Import result = m_workspace->importConnections(path);
    if (!result.error.isEmpty()) {
        QMessageBox::warning(m_window, tr("Import Connections"), result.error);
        return;
    }
    QString text = tr("%1: %2 connections added (not started), %3 renamed, %4 skipped.")
                       .arg(QFileInfo(path).fileName())
                       .arg(result.added.size())
                       .arg(result.renamed)
                       .arg(result.skipped);
    if (result.problems.isEmpty()) {
        m_statusBar->showMessage(text, 15000);
        return;
    }
    text += QLatin1Char('\n') + tr("Not imported:") + QLatin1Char('\n')
        + result.problems.join(QLatin1Char('\n'));
    QMessageBox::warning(m_window, tr("Import Connections"), text);
}

void ConnectionCommands::setPlainTextSecrets(bool enabled)
{
    if (enabled) {
        const auto answer = QMessageBox::warning(
            m_window, tr("Store Secrets in Plain Text"),
            tr("When no system keychain is available, secret header values (tokens, "
               "passwords, cookies) will be written unencrypted to %1. Anyone who can read "
               "that file can use them.\n\nStore them in plain text?")
                .arg(QSettings().fileName()),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            m_plainSecretsAction->setChecked(false);
            return;
        }
    }
    m_workspace->setPlainTextSecrets(enabled);
}

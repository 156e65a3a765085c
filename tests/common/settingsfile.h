#pragma once

#include <QFile>
#include <QSettings>

/// The application's settings file as it lies on disk, after the last QSettings wrote it:
/// what a test reads to prove that a secret never reached it.
inline QByteArray settingsFileBytes()
{
    QSettings settings;
    settings.sync();
    QFile file(settings.fileName());
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

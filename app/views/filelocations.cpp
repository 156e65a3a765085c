#include "views/filelocations.h"

#include <QDateTime>
#include <QDir>
#include <QStandardPaths>

namespace FileLocations {

QString documentsDirectory()
{
    const QString directory = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return directory.isEmpty() ? QDir::homePath() : directory;
}

QString timestampedRecordingPath()
{
    return documentsDirectory() + QStringLiteral("/sse-monitor-")
        + QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))
        + QStringLiteral(".jsonl");
}

} // namespace FileLocations

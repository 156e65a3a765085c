#pragma once

#include <QString>

/// Where the file dialogs start.
namespace FileLocations {

/// The user's documents folder, or the home folder when the desktop has none.
QString documentsDirectory();
/// A new recording's suggested path: sse-monitor-YYYYMMDD-HHMMSS.jsonl in the documents folder.
QString timestampedRecordingPath();

} // namespace FileLocations

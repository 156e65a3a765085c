#pragma once

#include "sselib/profile.h"

#include <QString>

/// How Recorder::start() records. A plain value, copied to the writer thread.
struct RecorderOptions
{
    static constexpr qint64 DefaultQueueLimitBytes = 256 * 1024 * 1024;

    /// Start a new part once the current one holds this many bytes (0 = one file). Parts after
    /// the first are named like RecorderWorker::partPath(): "rec.jsonl", "rec.1.jsonl",
    /// "rec.2.jsonl", ... Each part starts with the header records of every connection, so each
    /// one can be opened on its own. A part is cut only between records.
    qint64 rotateBytes = 0;
    /// Also write the raw bytes given to Recorder::recordRaw() here (empty = no raw capture).
    /// The first connection that sends raw bytes gets this file; others get
    /// RecorderWorker::rawPath() ("raw.conn<ID>.sse"). Raw captures are never rotated.
    QString rawCapturePath;
    /// Request header values such as Authorization or X-API-Key are written masked unless
    /// this is Include (Sse::isSecretHeader() decides which).
    Sse::SecretHandling secrets = Sse::SecretHandling::Exclude;
    /// Bytes of events and raw data waiting for the writer thread. A batch that would go over
    /// it is dropped whole, counted (Recorder::eventsDropped()) and marked in the file.
    qint64 queueLimitBytes = DefaultQueueLimitBytes;
};

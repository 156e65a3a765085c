#pragma once

#include "recording/exportformatter.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

class QSaveFile;

/// The writing side of Exporter; lives on the export thread. Formats each batch with an
/// ExportFormatter and writes it to a QSaveFile, which is committed by finish() only: after an
/// error or a cancel the target is left as it was and the temporary file is removed.
class ExporterWorker : public QObject
{
    Q_OBJECT
public:
    ExporterWorker(ExportFormat format, const QString &path, const ExportOptions &options,
                   std::shared_ptr<std::atomic<bool>> cancelled);
    ~ExporterWorker() override;

    void open();
    void setConnectionName(quint16 connection, const QString &name);
    void write(const ExportEventList &events);
    /// Commits the file (or discards it if cancelled or failed) and emits done().
    void finish();

Q_SIGNALS:
    /// After each write(): the events written so far.
    void batchWritten(qint64 eventsWritten);
    /// The first error; later batches are skipped and finish() reports it again.
    void failed(const QString &message);
    void done(bool ok, const QString &message);

private:
    void fail(const QString &message);
    void discard();

    ExportFormatter m_formatter;
    QString m_path;
    std::shared_ptr<std::atomic<bool>> m_cancelled;
    std::unique_ptr<QSaveFile> m_file;
    QByteArray m_buffer;
    QString m_error;
    qint64 m_events = 0;
    bool m_finished = false;
};

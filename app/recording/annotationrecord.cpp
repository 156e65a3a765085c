#include "recording/annotationrecord.h"

#include "sselib/jsonlines.h"

#include <QJsonDocument>
#include <QJsonObject>

QByteArray AnnotationRecord::toLine() const
{
    Sse::JsonLines::TimeFormatter times;
    QByteArray out;
    out.reserve(160 + connection.size() + type.size() + note.size() * 3);
    out.append("{\"kind\":\"annotation\",\"time\":\"");
    times.append(out, timeMs);
    out.append("\",\"connection\":");
    Sse::JsonLines::appendString(out, connection);
    out.append(",\"event_time\":\"");
    times.append(out, eventTimeMs);
    out.append("\",\"event_index\":").append(QByteArray::number(eventIndex));
    out.append(",\"type\":");
    Sse::JsonLines::appendString(out, QByteArrayView(type));
    out.append(",\"marked\":").append(marked ? "true" : "false");
    out.append(",\"note\":");
    Sse::JsonLines::appendString(out, note);
    out.append("}\n");
    return out;
}

std::optional<AnnotationRecord> AnnotationRecord::fromLine(QByteArrayView line)
{
    if (!line.contains("\"annotation\""))
        return std::nullopt;
    const QJsonObject object = QJsonDocument::fromJson(line.toByteArray()).object();
    if (object.value(QLatin1String("kind")).toString() != QLatin1String("annotation"))
        return std::nullopt;
    const QJsonValue eventTime = object.value(QLatin1String("event_time"));
    const QJsonValue eventIndex = object.value(QLatin1String("event_index"));
    if (!eventTime.isString() || !eventIndex.isDouble() || eventIndex.toDouble() < 0)
        return std::nullopt;
    AnnotationRecord record;
    record.timeMs =
        Sse::JsonLines::parseTime(object.value(QLatin1String("time")).toString().toLatin1());
    record.connection = object.value(QLatin1String("connection")).toString();
    record.eventTimeMs = Sse::JsonLines::parseTime(eventTime.toString().toLatin1());
    record.eventIndex = eventIndex.toInt();
    record.type = object.value(QLatin1String("type")).toString().toUtf8();
    record.marked = object.value(QLatin1String("marked")).toBool();
    record.note = object.value(QLatin1String("note")).toString().left(MaximumNoteLength);
    return record;
}

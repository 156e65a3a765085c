#pragma once

#include <QByteArray>
#include <QList>

class ProbeStream;

/// The probe's streams in the Prometheus text exposition format, version 0.0.4: one family
/// per metric (HELP and TYPE lines, then one sample per stream, labelled `connection`). Costs
/// O(streams): every stream has a bounded number of type labels and histogram buckets.
namespace ProbeMetrics {

constexpr const char *ContentType = "text/plain; version=0.0.4; charset=utf-8";

/// \a value as a label value: backslash, double quote and line feed escaped.
QByteArray escapeLabelValue(const QByteArray &value);

QByteArray format(const QList<ProbeStream *> &streams);

} // namespace ProbeMetrics

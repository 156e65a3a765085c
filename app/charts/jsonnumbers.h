#pragma once

#include "sselib/jsonscan.h"

#include <QByteArrayView>

#include <memory>
#include <type_traits>

// Finds the numbers inside an event's data without building a QJsonDocument.
//
// Paths name a number by the keys and array indices that lead to it: `bid`,
// `usage.output_tokens`, `values[0]`, `a.b[2].c`, `[3]` for an element of a top-level
// array. Data that is a single JSON number (surrounding whitespace allowed) yields one
// value with the empty path. Keys are used byte for byte as they appear between the
// quotes: escapes are not decoded, and a key containing '.' or '[' can produce the same
// path as a nested member; extractNumber() then returns the first match in document order.
//
// Both entry points accept strict JSON only (RFC 8259). On malformed input, or when
// containers nest deeper than MaximumDepth, they report what was found before the
// problem and stop. Numbers that overflow a double are skipped; underflow gives ±0.
// Neither function allocates on the heap for paths up to 256 bytes, and neither throws.
namespace JsonNumbers {

/// Objects and arrays nested deeper than this stop the scan (hostile input guard).
constexpr int MaximumDepth = Sse::JsonScan::MaximumDepth;

using NumberVisitor = void (*)(void *context, QByteArrayView path, double value);

/// Calls `visitor(context, path, value)` for every number in `data`, in document order.
/// `path` points into a buffer that is reused for the next number: copy it to keep it.
/// Returns true when `data` was one complete, well-formed JSON value.
bool forEachNumber(QByteArrayView data, NumberVisitor visitor, void *context);

namespace Detail {

// The two halves of a plain (function pointer, context) visitor that calls \a callback: the
// convenience forms below take any callable and hand it to the allocation-free entry points.
template<typename Function, typename... Arguments>
void invoke(void *context, Arguments... arguments)
{
    (*static_cast<Function *>(context))(arguments...);
}

template<typename Callback>
void *contextOf(Callback &callback)
{
    return const_cast<void *>(static_cast<const void *>(std::addressof(callback)));
}

} // namespace Detail

/// Convenience form taking any callable `void(QByteArrayView path, double value)`.
template<typename Callback>
bool forEachNumber(QByteArrayView data, Callback &&callback)
{
    using Function = std::remove_reference_t<Callback>;
    return forEachNumber(data, &Detail::invoke<Function, QByteArrayView, double>,
                         Detail::contextOf(callback));
}

/// Looks for the number at `path` and stores it in `*value`. Faster than forEachNumber():
/// members off the path are skipped without converting or recording anything, and the
/// scan stops at the first match. Returns false if there is no number at `path` (including
/// when the path leads to a string, boolean, null, object or array).
bool extractNumber(QByteArrayView data, QByteArrayView path, double *value);

using StringVisitor = void (*)(void *context, QByteArrayView key, QByteArrayView value);

/// Calls `visitor(context, key, value)` for each member of a top-level object whose value is
/// a string: `key` as it appears between the quotes, `value` the raw (still escaped) content.
/// Both point into `data`. Stops at the first malformed byte; returns true when `data` was
/// one well-formed object. This is how the chart finds key fields to split a series by.
bool forEachTopLevelString(QByteArrayView data, StringVisitor visitor, void *context);

/// Convenience form taking any callable `void(QByteArrayView key, QByteArrayView value)`.
template<typename Callback>
bool forEachTopLevelString(QByteArrayView data, Callback &&callback)
{
    using Function = std::remove_reference_t<Callback>;
    return forEachTopLevelString(data, &Detail::invoke<Function, QByteArrayView, QByteArrayView>,
                                 Detail::contextOf(callback));
}

/// The raw content of the string member `key` of a top-level object, in `*value` (pointing
/// into `data`). False when `data` is no object or `key` is missing or not a string.
bool extractTopLevelString(QByteArrayView data, QByteArrayView key, QByteArrayView *value);

} // namespace JsonNumbers

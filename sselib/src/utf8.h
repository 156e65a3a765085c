#pragma once

#include <QByteArray>

namespace Sse {

/// True when no byte has the high bit set (fast path before UTF-8 validation).
bool isAscii(const char *bytes, qsizetype size);
/// Number of U+FFFD the WHATWG UTF-8 decoder would produce for these bytes.
int countUtf8Errors(const char *bytes, qsizetype size);
/// Decodes with replacement into \a out (cleared first); returns the error count.
int sanitizeUtf8(const char *bytes, qsizetype size, QByteArray &out);

} // namespace Sse

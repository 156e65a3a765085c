#pragma once

#include <QByteArrayView>
#include <QString>

namespace Sse {

/// Decodes at most \a maxBytes of UTF-8 \a bytes, cutting at a character boundary;
/// \a *truncated tells whether anything was cut.
QString utf8Prefix(QByteArrayView bytes, qsizetype maxBytes, bool *truncated);

/// One-line preview of at most \a maxCharacters UTF-16 units of UTF-8 \a bytes: line breaks
/// shown as U+23CE, tabs as spaces, an ellipsis when cut. Decodes at most 4 * maxCharacters
/// bytes, so its cost does not depend on the length of the text (types, ids and JSON strings
/// can be megabytes).
QString linePreview(QByteArrayView bytes, qsizetype maxCharacters);

} // namespace Sse

#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

// Helpers that read JSON text as written, for the event detail view.
//
// QJsonDocument sorts object keys, folds duplicate keys and turns every number into a double,
// so a 64-bit id prints as 1.2345678901234567e+19. Here the text is only re-indented or walked,
// never rebuilt: keys keep their order and numbers keep their digits.
//
// Everything except validate() expects text that validate() accepted. Nothing recurses, so the
// nesting depth costs no stack.
namespace JsonText {

enum class Kind { Object, Array, String, Number, Boolean, Null };

/// One value as a byte range of the document: [begin, end).
struct Value
{
    Kind kind = Kind::Null;
    qsizetype begin = 0;
    qsizetype end = 0;
};

/// One entry of an object or array. The key is empty for array elements.
struct Member
{
    QString key;
    Value value;
};

/// True when json is one JSON value (objects, arrays and bare scalars such as `42` alike),
/// with optional surrounding whitespace. On failure, *error (if given) says why.
bool validate(QByteArrayView json, QString *error = nullptr);

/// The top-level value of a valid document.
Value root(QByteArrayView json);

/// The first maximumCount entries of an object or array value, in document order.
/// *totalCount (if given) receives the number of entries, including those not returned.
QList<Member> members(QByteArrayView json, const Value &container, qsizetype maximumCount,
                      qsizetype *totalCount = nullptr);

/// The text of a string token (quotes included), with its escapes decoded.
QString decodeString(QByteArrayView token);

/// Indentation stops growing at this depth: deeper lines are indented like this level, so a
/// document nested a thousand levels deep does not turn each short line into kilobytes of spaces.
constexpr int MaximumIndentLevels = 32;

/// The document re-indented with indentWidth spaces per level (at most MaximumIndentLevels
/// levels) and ": " after keys. Empty objects and arrays stay on one line as {} and [].
///
/// With maximumBytes >= 0 the output stops once it reaches maximumBytes (it may end in the middle
/// of a token, at most one token plus one indentation past the limit); *truncated (if given) says
/// whether it stopped early. The work done is proportional to the output, not to the document.
QByteArray prettyPrint(QByteArrayView json, int indentWidth = 4, qsizetype maximumBytes = -1,
                       bool *truncated = nullptr);

/// The size prettyPrint() would return without a limit, computed without building it.
qsizetype prettySize(QByteArrayView json, int indentWidth = 4);

QString kindName(Kind kind);

} // namespace JsonText

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

// One value as a byte range of the document: [begin, end).
struct Value
{
    Kind kind = Kind::Null;
    qsizetype begin = 0;
    qsizetype end = 0;
};

// One entry of an object or array. The key is empty for array elements.
struct Member
{
    QString key;
    Value value;
};

// True when json is one JSON value (objects, arrays and bare scalars such as `42` alike),
// with optional surrounding whitespace. On failure, *error (if given) says why.
bool validate(QByteArrayView json, QString *error = nullptr);

// The top-level value of a valid document.
Value root(QByteArrayView json);

// The first maximumCount entries of an object or array value, in document order.
// *totalCount (if given) receives the number of entries, including those not returned.
QList<Member> members(QByteArrayView json, const Value &container, qsizetype maximumCount,
                      qsizetype *totalCount = nullptr);

// The text of a string token (quotes included), with its escapes decoded.
QString decodeString(QByteArrayView token);

// The document re-indented with indentWidth spaces per level and ": " after keys. Empty
// objects and arrays stay on one line as {} and [].
QByteArray prettyPrint(QByteArrayView json, int indentWidth = 4);

QString kindName(Kind kind);

} // namespace JsonText

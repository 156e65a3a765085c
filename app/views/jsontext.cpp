#include "views/jsontext.h"

#include "sselib/jsonscan.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <vector>

namespace JsonText {

namespace {

using Sse::JsonScan::Cursor;

// The tokens are read by Sse::JsonScan, the scanner the chart's number finder and the filter
// language share; these adapt its pointer cursor to the byte offsets that Value carries.

qsizetype offsetOf(QByteArrayView json, const Cursor &cursor)
{
    return cursor.position() - json.data();
}

qsizetype skipWhitespace(QByteArrayView json, qsizetype pos)
{
    Cursor cursor(json.sliced(qMin(pos, json.size())));
    cursor.skipWhitespace();
    return offsetOf(json, cursor);
}

// pos is at the opening quote of a string of valid text; returns the index after the closing
// one (the end of the text if there is none).
qsizetype stringEnd(QByteArrayView json, qsizetype pos)
{
    Cursor cursor(json.sliced(pos));
    QByteArrayView content;
    if (cursor.scanString(&content))
        return offsetOf(json, cursor);
    // validate() also takes what QJsonDocument takes, which lets raw control characters (a
    // tab) stand inside strings where the strict scanner stops: step over them.
    for (qsizetype i = offsetOf(json, cursor); i < json.size(); ++i) {
        if (json.at(i) == '\\')
            ++i;
        else if (json.at(i) == '"')
            return i + 1;
    }
    return json.size();
}

// pos is at the first byte of a value; returns the index after its last byte.
qsizetype valueEnd(QByteArrayView json, qsizetype pos)
{
    if (pos >= json.size())
        return pos;
    const char first = json.at(pos);
    if (first == '"')
        return stringEnd(json, pos);
    if (first == '{' || first == '[') {
        int depth = 0;
        qsizetype i = pos;
        while (i < json.size()) {
            const char c = json.at(i);
            if (c == '"') {
                i = stringEnd(json, i);
                continue;
            }
            if (c == '{' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return i + 1;
            }
            ++i;
        }
        return json.size();
    }
    qsizetype i = pos;
    while (i < json.size() && !Sse::JsonScan::isDelimiter(json.at(i)))
        ++i;
    return i;
}

Value valueAt(QByteArrayView json, qsizetype pos)
{
    Value value;
    value.begin = pos;
    value.end = valueEnd(json, pos);
    switch (pos < json.size() ? json.at(pos) : 'n') {
    case '{':
        value.kind = Kind::Object;
        break;
    case '[':
        value.kind = Kind::Array;
        break;
    case '"':
        value.kind = Kind::String;
        break;
    case 't':
    case 'f':
        value.kind = Kind::Boolean;
        break;
    case 'n':
        value.kind = Kind::Null;
        break;
    default:
        value.kind = Kind::Number;
        break;
    }
    return value;
}

// A validating scan that allocates nothing but one byte per nesting level (Cursor::skipValue()
// recurses and stops at Sse::JsonScan::MaximumDepth; the detail view takes any depth).
// QJsonDocument builds the whole document (16 bytes or more per element) just to say yes.
bool isValidJson(QByteArrayView json)
{
    enum class Expect { Value, ValueOrEnd, Key, KeyOrEnd, Colon, CommaOrEnd };
    std::vector<char> open; // '{' or '[' per level
    Expect expect = Expect::Value;
    Cursor cursor(json);
    QByteArrayView token;
    while (true) {
        cursor.skipWhitespace();
        if (expect == Expect::CommaOrEnd && open.empty())
            return cursor.atEnd();
        if (cursor.atEnd())
            return false;
        const char c = cursor.peek();
        switch (expect) {
        case Expect::ValueOrEnd:
            if (cursor.consume(']')) {
                open.pop_back();
                expect = Expect::CommaOrEnd;
                break;
            }
            Q_FALLTHROUGH();
        case Expect::Value: {
            if (c == '{' || c == '[') {
                cursor.consume(c);
                open.push_back(c);
                expect = c == '{' ? Expect::KeyOrEnd : Expect::ValueOrEnd;
                break;
            }
            bool scanned = false;
            if (c == '"')
                scanned = cursor.scanString(&token);
            else if (c == '-' || Sse::JsonScan::isDigit(c))
                scanned = cursor.scanNumber(&token);
            else
                scanned = cursor.scanLiteral();
            if (!scanned)
                return false;
            expect = Expect::CommaOrEnd;
            break;
        }
        case Expect::KeyOrEnd:
            if (cursor.consume('}')) {
                open.pop_back();
                expect = Expect::CommaOrEnd;
                break;
            }
            Q_FALLTHROUGH();
        case Expect::Key:
            if (c != '"' || !cursor.scanString(&token))
                return false;
            expect = Expect::Colon;
            break;
        case Expect::Colon:
            if (!cursor.consume(':'))
                return false;
            expect = Expect::Value;
            break;
        case Expect::CommaOrEnd:
            if (cursor.consume(','))
                expect = open.back() == '{' ? Expect::Key : Expect::Value;
            else if (cursor.consume(open.back() == '{' ? '}' : ']'))
                open.pop_back();
            else
                return false;
            break;
        }
    }
}

} // namespace

bool validate(QByteArrayView json, QString *error)
{
    // The cheap scan settles valid documents; QJsonDocument only runs to explain an error.
    if (isValidJson(json))
        return true;

    QJsonParseError parseError;
    const QByteArray bytes = json.toByteArray();
    if (!QJsonDocument::fromJson(bytes, &parseError).isNull())
        return true;

    // QJsonDocument only takes objects and arrays at the top. A bare scalar is valid JSON as
    // well, so try it as the only element of an array. "1, 2" also parses that way, hence the
    // element count.
    const qsizetype start = skipWhitespace(json, 0);
    if (start < json.size() && json.at(start) != '{' && json.at(start) != '[') {
        const QJsonDocument wrapped
                = QJsonDocument::fromJson(QByteArray('[' + bytes + ']'), nullptr);
        if (wrapped.isArray() && wrapped.array().size() == 1)
            return true;
    }
    if (error) {
        *error = QCoreApplication::translate("JsonText", "%1 at byte %2")
                         .arg(parseError.errorString())
                         .arg(parseError.offset);
    }
    return false;
}

Value root(QByteArrayView json)
{
    return valueAt(json, skipWhitespace(json, 0));
}

QList<Member> members(QByteArrayView json, const Value &container, qsizetype maximumCount,
                      qsizetype *totalCount)
{
    QList<Member> result;
    qsizetype count = 0;
    if (container.kind == Kind::Object || container.kind == Kind::Array) {
        const bool isObject = container.kind == Kind::Object;
        qsizetype pos = skipWhitespace(json, container.begin + 1);
        while (pos < container.end) {
            const char c = json.at(pos);
            if (c == '}' || c == ']')
                break;
            Member member;
            if (isObject) {
                const qsizetype keyEnd = stringEnd(json, pos);
                if (count < maximumCount)
                    member.key = decodeString(json.sliced(pos, keyEnd - pos));
                pos = skipWhitespace(json, keyEnd);
                pos = skipWhitespace(json, pos + 1); // the colon
            }
            member.value = valueAt(json, pos);
            if (count < maximumCount)
                result.append(member);
            ++count;
            pos = skipWhitespace(json, member.value.end);
            if (pos < json.size() && json.at(pos) == ',')
                pos = skipWhitespace(json, pos + 1);
        }
    }
    if (totalCount)
        *totalCount = count;
    return result;
}

QString decodeString(QByteArrayView token)
{
    if (token.size() >= 2 && token.front() == '"' && token.back() == '"')
        token = token.sliced(1, token.size() - 2);
    QByteArray text;
    text.reserve(token.size());
    Sse::JsonScan::appendDecodedString(token, &text);
    return QString::fromUtf8(text);
}

namespace {

// Walks the document the way prettyPrint() lays it out and hands each piece to the sink: a byte
// range of the input, a literal, or a line break with its indentation. The sink returns false
// to stop.
template<typename Sink>
void layOut(QByteArrayView json, int indentWidth, Sink &&sink)
{
    qsizetype depth = 0;
    const auto newLine = [&] {
        return sink.lineBreak(qMin<qsizetype>(depth, MaximumIndentLevels) * indentWidth);
    };

    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json.at(i);
        bool more = true;
        if (Sse::JsonScan::isWhitespace(c))
            continue;
        switch (c) {
        case '"': {
            const qsizetype end = stringEnd(json, i);
            more = sink.bytes(json.sliced(i, end - i));
            i = end - 1;
            break;
        }
        case '{':
        case '[': {
            const qsizetype next = skipWhitespace(json, i + 1);
            if (next < json.size() && (json.at(next) == '}' || json.at(next) == ']')) {
                const char pair[2] = {c, json.at(next)};
                more = sink.bytes(QByteArrayView(pair, 2));
                i = next;
                break;
            }
            more = sink.bytes(QByteArrayView(&c, 1));
            ++depth;
            more = more && newLine();
            break;
        }
        case '}':
        case ']':
            depth = qMax<qsizetype>(0, depth - 1);
            more = newLine() && sink.bytes(QByteArrayView(&c, 1));
            break;
        case ',':
            more = sink.bytes(",") && newLine();
            break;
        case ':':
            more = sink.bytes(": ");
            break;
        default:
            more = sink.bytes(QByteArrayView(&c, 1));
            break;
        }
        if (!more)
            return;
    }
}

} // namespace

QByteArray prettyPrint(QByteArrayView json, int indentWidth, qsizetype maximumBytes,
                       bool *truncated)
{
    struct Builder
    {
        QByteArray out;
        qsizetype limit;
        bool stopped = false;
        bool bytes(QByteArrayView piece)
        {
            out.append(piece);
            return check();
        }
        bool lineBreak(qsizetype indent)
        {
            out.append('\n');
            out.append(indent, ' ');
            return check();
        }
        bool check()
        {
            if (limit >= 0 && out.size() >= limit) {
                stopped = true;
                return false;
            }
            return true;
        }
    } builder{QByteArray(), maximumBytes};
    const qsizetype expected = json.size() + json.size() / 2;
    builder.out.reserve(maximumBytes >= 0 ? qMin(expected, maximumBytes + 256) : expected);
    layOut(json, indentWidth, builder);
    if (truncated)
        *truncated = builder.stopped;
    return builder.out;
}

qsizetype prettySize(QByteArrayView json, int indentWidth)
{
    struct Counter
    {
        qsizetype size = 0;
        bool bytes(QByteArrayView piece)
        {
            size += piece.size();
            return true;
        }
        bool lineBreak(qsizetype indent)
        {
            size += 1 + indent;
            return true;
        }
    } counter;
    layOut(json, indentWidth, counter);
    return counter.size;
}

QString kindName(Kind kind)
{
    switch (kind) {
    case Kind::Object:
        return QCoreApplication::translate("JsonText", "object");
    case Kind::Array:
        return QCoreApplication::translate("JsonText", "array");
    case Kind::String:
        return QCoreApplication::translate("JsonText", "string");
    case Kind::Number:
        return QCoreApplication::translate("JsonText", "number");
    case Kind::Boolean:
        return QCoreApplication::translate("JsonText", "boolean");
    case Kind::Null:
        return QCoreApplication::translate("JsonText", "null");
    }
    return {};
}

} // namespace JsonText

#include "views/jsontext.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <vector>

namespace JsonText {

namespace {

bool isWhitespace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

qsizetype skipWhitespace(QByteArrayView json, qsizetype pos)
{
    while (pos < json.size() && isWhitespace(json.at(pos)))
        ++pos;
    return pos;
}

// pos is at the opening quote; returns the index after the closing one.
qsizetype stringEnd(QByteArrayView json, qsizetype pos)
{
    for (qsizetype i = pos + 1; i < json.size(); ++i) {
        const char c = json.at(i);
        if (c == '\\')
            ++i;
        else if (c == '"')
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
    while (i < json.size()) {
        const char c = json.at(i);
        if (c == ',' || c == ']' || c == '}' || isWhitespace(c))
            break;
        ++i;
    }
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

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Reads the four hex digits after "\u" at pos; -1 when they are not there.
int readUnicodeEscape(QByteArrayView token, qsizetype pos)
{
    if (pos + 6 > token.size() || token.at(pos) != '\\' || token.at(pos + 1) != 'u')
        return -1;
    int unit = 0;
    for (qsizetype i = pos + 2; i < pos + 6; ++i) {
        const int digit = hexDigit(token.at(i));
        if (digit < 0)
            return -1;
        unit = unit * 16 + digit;
    }
    return unit;
}

} // namespace

namespace {

// Index after the string token starting at pos (a quote), or -1 if it is not valid JSON.
qsizetype scanString(QByteArrayView json, qsizetype pos)
{
    for (qsizetype i = pos + 1; i < json.size(); ++i) {
        const uchar c = uchar(json.at(i));
        if (c == '"')
            return i + 1;
        if (c < 0x20)
            return -1;
        if (c != '\\')
            continue;
        if (++i >= json.size())
            return -1;
        switch (json.at(i)) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            break;
        case 'u':
            for (int digit = 1; digit <= 4; ++digit) {
                if (i + digit >= json.size() || hexDigit(json.at(i + digit)) < 0)
                    return -1;
            }
            i += 4;
            break;
        default:
            return -1;
        }
    }
    return -1;
}

bool isDigit(QByteArrayView json, qsizetype pos)
{
    return pos < json.size() && json.at(pos) >= '0' && json.at(pos) <= '9';
}

// Index after the number token at pos, or -1.
qsizetype scanNumber(QByteArrayView json, qsizetype pos)
{
    if (pos < json.size() && json.at(pos) == '-')
        ++pos;
    if (!isDigit(json, pos))
        return -1;
    if (json.at(pos) == '0')
        ++pos;
    else
        while (isDigit(json, pos))
            ++pos;
    if (pos < json.size() && json.at(pos) == '.') {
        if (!isDigit(json, ++pos))
            return -1;
        while (isDigit(json, pos))
            ++pos;
    }
    if (pos < json.size() && (json.at(pos) == 'e' || json.at(pos) == 'E')) {
        ++pos;
        if (pos < json.size() && (json.at(pos) == '+' || json.at(pos) == '-'))
            ++pos;
        if (!isDigit(json, pos))
            return -1;
        while (isDigit(json, pos))
            ++pos;
    }
    return pos;
}

// A validating scan that allocates nothing but one byte per nesting level. QJsonDocument
// builds the whole document (16 bytes or more per element) just to say yes.
bool isValidJson(QByteArrayView json)
{
    enum class Expect { Value, ValueOrEnd, Key, KeyOrEnd, Colon, CommaOrEnd };
    std::vector<char> open; // '{' or '[' per level
    Expect expect = Expect::Value;
    qsizetype pos = skipWhitespace(json, 0);
    while (true) {
        if (expect == Expect::CommaOrEnd && open.empty())
            return skipWhitespace(json, pos) == json.size();
        pos = skipWhitespace(json, pos);
        if (pos >= json.size())
            return false;
        const char c = json.at(pos);
        switch (expect) {
        case Expect::ValueOrEnd:
            if (c == ']') {
                open.pop_back();
                ++pos;
                expect = Expect::CommaOrEnd;
                break;
            }
            Q_FALLTHROUGH();
        case Expect::Value:
            if (c == '{' || c == '[') {
                open.push_back(c);
                ++pos;
                expect = c == '{' ? Expect::KeyOrEnd : Expect::ValueOrEnd;
                break;
            }
            if (c == '"') {
                pos = scanString(json, pos);
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                pos = scanNumber(json, pos);
            } else {
                qsizetype end = -1;
                for (const QByteArrayView literal : {QByteArrayView("true"),
                                                     QByteArrayView("false"),
                                                     QByteArrayView("null")}) {
                    if (json.sliced(pos).startsWith(literal))
                        end = pos + literal.size();
                }
                pos = end;
            }
            if (pos < 0)
                return false;
            expect = Expect::CommaOrEnd;
            break;
        case Expect::KeyOrEnd:
            if (c == '}') {
                open.pop_back();
                ++pos;
                expect = Expect::CommaOrEnd;
                break;
            }
            Q_FALLTHROUGH();
        case Expect::Key:
            if (c != '"' || (pos = scanString(json, pos)) < 0)
                return false;
            expect = Expect::Colon;
            break;
        case Expect::Colon:
            if (c != ':')
                return false;
            ++pos;
            expect = Expect::Value;
            break;
        case Expect::CommaOrEnd:
            if (c == ',') {
                ++pos;
                expect = open.back() == '{' ? Expect::Key : Expect::Value;
            } else if (c == (open.back() == '{' ? '}' : ']')) {
                open.pop_back();
                ++pos;
            } else {
                return false;
            }
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

    QString result;
    result.reserve(token.size());
    qsizetype runStart = 0;
    qsizetype i = 0;
    while (i < token.size()) {
        if (token.at(i) != '\\') {
            ++i;
            continue;
        }
        result.append(QString::fromUtf8(token.sliced(runStart, i - runStart)));
        const char escaped = i + 1 < token.size() ? token.at(i + 1) : '\\';
        qsizetype consumed = 2;
        switch (escaped) {
        case 'b':
            result.append(u'\b');
            break;
        case 'f':
            result.append(u'\f');
            break;
        case 'n':
            result.append(u'\n');
            break;
        case 'r':
            result.append(u'\r');
            break;
        case 't':
            result.append(u'\t');
            break;
        case 'u': {
            const int unit = readUnicodeEscape(token, i);
            consumed = 6;
            if (unit < 0) {
                result.append(QChar::ReplacementCharacter);
                consumed = 2;
            } else if (QChar::isHighSurrogate(char16_t(unit))) {
                const int low = readUnicodeEscape(token, i + 6);
                if (low >= 0 && QChar::isLowSurrogate(char16_t(low))) {
                    result.append(QChar(char16_t(unit)));
                    result.append(QChar(char16_t(low)));
                    consumed = 12;
                } else {
                    result.append(QChar::ReplacementCharacter);
                }
            } else if (QChar::isLowSurrogate(char16_t(unit))) {
                result.append(QChar::ReplacementCharacter);
            } else {
                result.append(QChar(char16_t(unit)));
            }
            break;
        }
        default: // '"', '\\' and '/' stand for themselves
            result.append(QLatin1Char(escaped));
            break;
        }
        i += consumed;
        runStart = qMin(i, token.size());
    }
    result.append(QString::fromUtf8(token.sliced(runStart)));
    return result;
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
        switch (c) {
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            break;
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

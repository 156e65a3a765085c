#include "sselib/jsonpath.h"

#include "sselib/jsonscan.h"
#include "sselib/textpreview.h"

#include <QCoreApplication>

#include <algorithm>
#include <cstring>
#include <iterator>

namespace Sse {

namespace {

using JsonScan::Cursor;

enum class Walk { Error, Continue, Done };

// One path as a step tree: node i has read i steps, its only child is node i + 1.
class SinglePath
{
public:
    explicit SinglePath(const std::vector<JsonPath::Step> &steps) : m_steps(steps) { }

    int slot(int node) const { return size_t(node) == m_steps.size() ? 0 : -1; }
    bool hasMembers(int node) const
    {
        return size_t(node) < m_steps.size() && m_steps[size_t(node)].index < 0;
    }
    bool hasElements(int node) const
    {
        return size_t(node) < m_steps.size() && m_steps[size_t(node)].index >= 0;
    }
    int member(int node, QByteArrayView key) const
    {
        return QByteArrayView(m_steps[size_t(node)].name) == key ? node + 1 : -1;
    }
    int element(int node, qint64 index) const
    {
        return m_steps[size_t(node)].index == index ? node + 1 : -1;
    }

private:
    const std::vector<JsonPath::Step> &m_steps;
};

// The shared steps of a JsonPathSet.
class PathTree
{
public:
    explicit PathTree(const std::vector<JsonPathSet::Node> &nodes) : m_nodes(nodes) { }

    int slot(int node) const { return m_nodes[size_t(node)].slot; }
    bool hasMembers(int node) const { return has(node, false); }
    bool hasElements(int node) const { return has(node, true); }
    int member(int node, QByteArrayView key) const
    {
        for (int child : m_nodes[size_t(node)].children) {
            const JsonPath::Step &step = m_nodes[size_t(child)].step;
            if (step.index < 0 && step.name.size() == key.size()
                && std::memcmp(step.name.constData(), key.data(), size_t(key.size())) == 0) {
                return child;
            }
        }
        return -1;
    }
    int element(int node, qint64 index) const
    {
        for (int child : m_nodes[size_t(node)].children) {
            if (m_nodes[size_t(child)].step.index == index)
                return child;
        }
        return -1;
    }

private:
    bool has(int node, bool elements) const
    {
        for (int child : m_nodes[size_t(node)].children) {
            if ((m_nodes[size_t(child)].step.index >= 0) == elements)
                return true;
        }
        return false;
    }

    const std::vector<JsonPathSet::Node> &m_nodes;
};

// The one walk over the data for one path or a set of them: it descends only into the
// members and elements a path names, skips the rest with the scanner and records each path's
// value in its slot.
template<typename Tree>
class Walker
{
public:
    Walker(const Tree &tree, JsonPath::Value *values, int slotCount)
        : m_tree(tree)
        , m_values(values)
        , m_slotCount(slotCount)
    { }

    void resolve(QByteArrayView data)
    {
        Cursor cursor(data);
        cursor.skipWhitespace();
        walkValue(cursor, 0, 0);
        // A path without steps is the whole data: nothing may follow the value.
        const int root = m_tree.slot(0);
        if (root >= 0 && m_values[root].kind != JsonPath::Kind::Missing && !cursor.skipToEnd())
            m_values[root] = {};
    }

private:
    // The cursor is at a value whose path is the one of `node`.
    Walk walkValue(Cursor &cursor, int node, int depth)
    {
        if (cursor.atEnd())
            return Walk::Error;
        const int slot = m_tree.slot(node);
        const char first = cursor.peek();
        const char *start = cursor.position();
        if (first != '{' && first != '[') {
            if (slot < 0)
                return cursor.skipValue(depth) ? Walk::Continue : Walk::Error;
            JsonPath::Value value;
            if (!readScalar(cursor, &value))
                return Walk::Error;
            return record(slot, value);
        }
        Walk walk = Walk::Continue;
        if (first == '{' && m_tree.hasMembers(node))
            walk = walkObject(cursor, node, depth + 1);
        else if (first == '[' && m_tree.hasElements(node))
            walk = walkArray(cursor, node, depth + 1);
        else
            walk = cursor.skipValue(depth) ? Walk::Continue : Walk::Error;
        if (walk != Walk::Continue || slot < 0)
            return walk;
        // A path that ends at a container, with longer paths below it or not: the walk went
        // through the whole container (every slot cannot be filled before this one).
        return record(slot,
                      {first == '{' ? JsonPath::Kind::Object : JsonPath::Kind::Array,
                       QByteArrayView(start, cursor.position() - start)});
    }

    Walk walkObject(Cursor &cursor, int node, int depth)
    {
        if (depth > JsonScan::MaximumDepth)
            return Walk::Error;
        cursor.consume('{');
        cursor.skipWhitespace();
        if (cursor.consume('}'))
            return Walk::Continue;
        for (;;) {
            cursor.skipWhitespace();
            QByteArrayView key;
            if (cursor.atEnd() || cursor.peek() != '"' || !cursor.scanString(&key))
                return Walk::Error;
            cursor.skipWhitespace();
            if (!cursor.consume(':'))
                return Walk::Error;
            cursor.skipWhitespace();
            if (std::memchr(key.data(), '\\', size_t(key.size()))) {
                m_decoded.clear();
                JsonScan::appendDecodedString(key, &m_decoded);
                key = m_decoded;
            }
            const int child = m_tree.member(node, key);
            const Walk walk = child >= 0 ? walkValue(cursor, child, depth)
                                         : (cursor.skipValue(depth) ? Walk::Continue : Walk::Error);
            if (walk != Walk::Continue)
                return walk;
            cursor.skipWhitespace();
            if (cursor.consume(','))
                continue;
            return cursor.consume('}') ? Walk::Continue : Walk::Error;
        }
    }

    Walk walkArray(Cursor &cursor, int node, int depth)
    {
        if (depth > JsonScan::MaximumDepth)
            return Walk::Error;
        cursor.consume('[');
        cursor.skipWhitespace();
        if (cursor.consume(']'))
            return Walk::Continue;
        for (qint64 index = 0;; ++index) {
            cursor.skipWhitespace();
            const int child = m_tree.element(node, index);
            const Walk walk = child >= 0 ? walkValue(cursor, child, depth)
                                         : (cursor.skipValue(depth) ? Walk::Continue : Walk::Error);
            if (walk != Walk::Continue)
                return walk;
            cursor.skipWhitespace();
            if (cursor.consume(','))
                continue;
            return cursor.consume(']') ? Walk::Continue : Walk::Error;
        }
    }

    static bool readScalar(Cursor &cursor, JsonPath::Value *value)
    {
        const char first = cursor.peek();
        const char *start = cursor.position();
        if (first == '"') {
            value->kind = JsonPath::Kind::String;
            return cursor.scanString(&value->token);
        }
        if (first == 't' || first == 'f' || first == 'n') {
            if (!cursor.scanLiteral())
                return false;
            value->kind = first == 'n' ? JsonPath::Kind::Null : JsonPath::Kind::Boolean;
            value->token = QByteArrayView(start, cursor.position() - start);
            return true;
        }
        value->kind = JsonPath::Kind::Number;
        return cursor.scanNumber(&value->token);
    }

    // A repeated member name keeps its first value.
    Walk record(int slot, const JsonPath::Value &value)
    {
        if (m_values[slot].kind != JsonPath::Kind::Missing)
            return Walk::Continue;
        m_values[slot] = value;
        return ++m_found == m_slotCount ? Walk::Done : Walk::Continue;
    }

    const Tree &m_tree;
    JsonPath::Value *m_values;
    int m_slotCount;
    int m_found = 0;
    QByteArray m_decoded; // an escaped member name, decoded
};

qint64 arrayLength(QByteArrayView array)
{
    Cursor cursor(array);
    if (!cursor.consume('['))
        return 0;
    cursor.skipWhitespace();
    if (cursor.consume(']'))
        return 0;
    qint64 count = 0;
    for (;;) {
        cursor.skipWhitespace();
        if (!cursor.skipValue(1))
            return count;
        ++count;
        cursor.skipWhitespace();
        if (!cursor.consume(','))
            return count;
    }
}

// JSON's short escapes: the letter after the backslash, the character it stands for.
constexpr char16_t Escapes[][2] = {
    {u'"', u'"'},  {u'\\', u'\\'}, {u'/', u'/'},  {u'b', u'\b'},
    {u'f', u'\f'}, {u'n', u'\n'},  {u'r', u'\r'}, {u't', u'\t'},
};

bool isAsciiDigit(QChar c)
{
    return c.unicode() >= '0' && c.unicode() <= '9';
}

} // namespace

JsonPath JsonPath::parse(QStringView text)
{
    const QStringView t = text.trimmed();
    qsizetype position = 0;
    std::vector<Step> first;
    // An optional leading `data`, or a first name without its dot.
    if (t.startsWith(u"data") && (t.size() == 4 || t.at(4) == u'.' || t.at(4) == u'[')) {
        position = 4;
    } else if (!t.isEmpty() && isNameCharacter(t.at(0))) {
        ++position;
        while (position < t.size() && isNameContinuation(t.at(position)))
            ++position;
        first.push_back({t.first(position).toUtf8(), -1});
    }
    JsonPath path = parseSteps(t, &position);
    path.m_text = t.toString();
    if (!path.m_valid)
        return path;
    if (position < t.size()) {
        path.m_valid = false;
        path.m_steps.clear();
        path.m_error = QCoreApplication::translate("Sse::JsonPath", "unexpected '%1' in the path")
                           .arg(t.at(position));
        return path;
    }
    path.m_steps.insert(path.m_steps.begin(), first.begin(), first.end());
    return path;
}

JsonPath JsonPath::parseSteps(QStringView text, qsizetype *position)
{
    JsonPath path;
    const qsizetype start = *position;
    qsizetype &i = *position;
    const qsizetype n = text.size();
    auto fail = [&](qsizetype at, const QString &message) {
        i = at;
        path.m_error = message;
        path.m_steps.clear();
        return path;
    };
    while (i < n && (text.at(i) == u'.' || text.at(i) == u'[')) {
        Step step;
        if (text.at(i) == u'.') {
            const qsizetype begin = ++i;
            if (i < n && isNameCharacter(text.at(i))) {
                ++i;
                while (i < n && isNameContinuation(text.at(i)))
                    ++i;
            }
            if (i == begin)
                return fail(
                    i, QCoreApplication::translate("Sse::JsonPath", "expected a name after '.'"));
            step.name = text.sliced(begin, i - begin).toUtf8();
        } else {
            ++i;
            while (i < n && text.at(i).isSpace())
                ++i;
            const qsizetype at = i;
            if (i < n && text.at(i) == u'"') {
                qsizetype errorAt = 0;
                QString error;
                if (!parseQuoted(text, &i, &step.name, &errorAt, &error))
                    return fail(errorAt, error);
            } else {
                while (i < n && isAsciiDigit(text.at(i)))
                    ++i;
                bool ok = false;
                step.index = text.sliced(at, i - at).toLongLong(&ok);
                if (i == at || !ok)
                    return fail(
                        at,
                        QCoreApplication::translate(
                            "Sse::JsonPath", "expected an index or a quoted name after '['"));
            }
            while (i < n && text.at(i).isSpace())
                ++i;
            if (i >= n || text.at(i) != u']') {
                QString found = QCoreApplication::translate("Sse::JsonPath", "the end of the text");
                if (i < n) {
                    qsizetype end = i;
                    while (end < n && isNameCharacter(text.at(end)))
                        ++end;
                    found = QLatin1Char('\'')
                        + (end > i ? text.sliced(i, end - i) : text.sliced(i, 1)).toString()
                        + QLatin1Char('\'');
                }
                return fail(i,
                            QCoreApplication::translate("Sse::JsonPath",
                                                        "expected ']' after the index, found %1")
                                .arg(found));
            }
            ++i;
        }
        path.m_steps.push_back(std::move(step));
    }
    path.m_text = text.sliced(start, i - start).toString();
    path.m_valid = true;
    return path;
}

bool JsonPath::parseQuoted(QStringView text, qsizetype *position, QByteArray *out,
                           qsizetype *errorPosition, QString *error)
{
    const qsizetype start = *position;
    QString decoded;
    qsizetype i = start + 1;
    for (;;) {
        if (i >= text.size()) {
            *errorPosition = start;
            *error = QCoreApplication::translate("Sse::JsonPath", "unterminated string");
            return false;
        }
        const QChar c = text.at(i);
        if (c == u'"')
            break;
        if (c != u'\\') {
            decoded.append(c);
            ++i;
            continue;
        }
        if (i + 1 >= text.size()) {
            *errorPosition = start;
            *error = QCoreApplication::translate("Sse::JsonPath", "unterminated string");
            return false;
        }
        const QChar escape = text.at(i + 1);
        bool done = false;
        for (const auto &pair : Escapes) {
            if (escape == pair[0]) {
                decoded.append(QChar(pair[1]));
                i += 2;
                done = true;
                break;
            }
        }
        if (done)
            continue;
        bool ok = false;
        const ushort unit = escape == u'u' ? text.mid(i + 2, 4).toUShort(&ok, 16) : 0;
        if (!ok || i + 6 > text.size()) {
            *errorPosition = i;
            *error =
                QCoreApplication::translate("Sse::JsonPath", "invalid escape '\\%1' in a string")
                    .arg(escape);
            return false;
        }
        decoded.append(QChar(unit));
        i += 6;
    }
    // A lone surrogate from \uD800 becomes U+FFFD in the conversion, like in event data.
    *out = decoded.toUtf8();
    *position = i + 1;
    return true;
}

JsonPath::Value JsonPath::resolve(QByteArrayView data) const
{
    Value value;
    if (!m_valid)
        return value;
    const SinglePath tree(m_steps);
    Walker<SinglePath>(tree, &value, 1).resolve(data);
    return value;
}

QString JsonPath::compactText(const Value &value, int maxCharacters)
{
    switch (value.kind) {
    case Kind::Missing:
        return QString();
    case Kind::String: {
        if (!value.token.contains('\\'))
            return linePreview(value.token, maxCharacters);
        QByteArray decoded;
        JsonScan::appendDecodedString(value.token, &decoded);
        return linePreview(decoded, maxCharacters);
    }
    case Kind::Object:
        return QStringLiteral("{\u2026}");
    case Kind::Array:
        return QStringLiteral("[%1]").arg(arrayLength(value.token));
    case Kind::Null:
    case Kind::Boolean:
    case Kind::Number:
        return QString::fromLatin1(value.token);
    }
    return QString();
}

bool JsonPath::isName(QStringView key)
{
    if (key.isEmpty() || !isNameCharacter(key.front()))
        return false;
    for (QChar c : key.sliced(1)) {
        if (!isNameContinuation(c))
            return false;
    }
    return true;
}

void JsonPath::appendKey(QString &path, QStringView key)
{
    if (isName(key)) {
        path += QLatin1Char('.');
        path += key;
        return;
    }
    path += QLatin1String("[\"");
    for (QChar c : key) {
        const auto escape = std::find_if(std::begin(Escapes), std::end(Escapes),
                                         [c](const char16_t *pair) { return pair[1] == c; });
        if (escape != std::end(Escapes) && (*escape)[0] != u'/') { // '/' needs no escape
            path += QLatin1Char('\\');
            path += QChar((*escape)[0]);
        } else if (c.unicode() < 0x20) {
            path += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
        } else {
            path += c;
        }
    }
    path += QLatin1String("\"]");
}

void JsonPath::appendIndex(QString &path, qint64 index)
{
    path += QLatin1Char('[');
    path += QString::number(index);
    path += QLatin1Char(']');
}

int JsonPathSet::add(const JsonPath &path)
{
    int node = 0;
    for (const JsonPath::Step &step : path.steps()) {
        int next = -1;
        for (int child : m_nodes[size_t(node)].children) {
            if (m_nodes[size_t(child)].step == step) {
                next = child;
                break;
            }
        }
        if (next < 0) {
            m_nodes.push_back({step, -1, {}});
            next = int(m_nodes.size()) - 1;
            m_nodes[size_t(node)].children.push_back(next);
        }
        node = next;
    }
    Node &end = m_nodes[size_t(node)];
    if (end.slot < 0)
        end.slot = m_slotCount++;
    return end.slot;
}

void JsonPathSet::resolve(QByteArrayView data, JsonPath::Value *values) const
{
    if (m_slotCount == 0)
        return;
    const PathTree tree(m_nodes);
    Walker<PathTree>(tree, values, m_slotCount).resolve(data);
}

} // namespace Sse

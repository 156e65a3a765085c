#include "sselib/filterexpression.h"

#include "sselib/jsonpath.h"
#include "sselib/jsonscan.h"

#include <QRegularExpression>
#include <QVarLengthArray>

#include <charconv>
#include <cstring>
#include <cmath>
#include <optional>
#include <string_view>
#include <vector>

namespace Sse {

namespace {

using JsonScan::Cursor;

enum class Operator { Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual, Contains, Matches, In, Truthy };

// A value read from an event, or a literal. Strings keep their bytes as they are found: event
// fields are plain UTF-8, JSON strings may still hold escapes (`escaped`).
struct Value
{
    enum class Kind : quint8 { Missing, Null, False, True, Number, String, Container };
    Kind kind = Kind::Missing;
    bool escaped = false;
    double number = 0;
    QByteArrayView text; // string content, a number's JSON text, or a container's JSON text
};

struct Literal
{
    Value value;
    QByteArray bytes;             // owns the text of string literals
    bool numericString = false;   // a string literal that is a whole number
    double stringNumber = 0;
};

enum class FieldKind : quint8 { Type, Id, Data, Size, Connection, Time, Sequence, Marked, Path };

struct FieldRef
{
    FieldKind kind = FieldKind::Type;
    int slot = -1; // for paths: index of the resolved value
};

struct Node
{
    enum class Kind : quint8 { And, Or, Not, Test };
    Kind kind = Kind::Test;
    int left = -1;
    int right = -1;
    FieldRef field;
    Operator op = Operator::Truthy;
    std::vector<Literal> literals; // one, or the set of `in`
    QRegularExpression expression; // matches
};

bool parseWholeNumber(QByteArrayView text, double *value)
{
    if (text.isEmpty())
        return false;
    const char first = text.front();
    const char second = text.size() > 1 ? text[1] : '\0';
    // from_chars also takes "inf", "nan" and "1." ; a number starts with a digit.
    if (!(JsonScan::isDigit(first) || (first == '-' && JsonScan::isDigit(second))))
        return false;
    const char *end = text.data() + text.size();
    const auto [ptr, error] = std::from_chars(text.data(), end, *value);
    if (ptr != end || !JsonScan::isDigit(end[-1]))
        return false;
    if (error == std::errc::result_out_of_range)
        *value = first == '-' ? -HUGE_VAL : HUGE_VAL;
    else if (error != std::errc())
        return false;
    return true;
}

template<typename T>
bool compareOrdered(Operator op, const T &lhs, const T &rhs)
{
    switch (op) {
    case Operator::Equal: return lhs == rhs;
    case Operator::NotEqual: return lhs != rhs;
    case Operator::Less: return lhs < rhs;
    case Operator::LessEqual: return lhs <= rhs;
    case Operator::Greater: return lhs > rhs;
    case Operator::GreaterEqual: return lhs >= rhs;
    default: return false;
    }
}

// Decoded text of a string value: the view itself unless it holds escapes.
std::string_view plainText(const Value &value, QByteArray *scratch)
{
    if (!value.escaped)
        return std::string_view(value.text.data(), size_t(value.text.size()));
    scratch->clear();
    JsonScan::appendDecodedString(value.text, scratch);
    return std::string_view(scratch->constData(), size_t(scratch->size()));
}

// What contains and matches search: a string's text, any other value's JSON text.
std::string_view searchText(const Value &value, QByteArray *scratch)
{
    switch (value.kind) {
    case Value::Kind::String:
        return plainText(value, scratch);
    case Value::Kind::Number:
        if (value.text.isEmpty()) { // size, time and seq have no JSON text of their own
            *scratch = QByteArray::number(value.number, 'g', 17);
            return std::string_view(scratch->constData(), size_t(scratch->size()));
        }
        return std::string_view(value.text.data(), size_t(value.text.size()));
    case Value::Kind::Null: return "null";
    case Value::Kind::True: return "true";
    case Value::Kind::False: return "false";
    case Value::Kind::Container:
        return std::string_view(value.text.data(), size_t(value.text.size()));
    case Value::Kind::Missing: break;
    }
    return {};
}

bool compare(const Value &value, Operator op, const Literal &literal, QByteArray *scratch)
{
    using Kind = Value::Kind;
    const Value &rhs = literal.value;
    if (value.kind == Kind::Missing)
        return false;
    if (rhs.kind == Kind::Null || rhs.kind == Kind::True || rhs.kind == Kind::False) {
        if (op == Operator::Equal)
            return value.kind == rhs.kind;
        if (op == Operator::NotEqual)
            return value.kind != rhs.kind;
        return false;
    }
    if (rhs.kind == Kind::Number) {
        if (value.kind == Kind::Number)
            return compareOrdered(op, value.number, rhs.number);
        double number = 0;
        if (value.kind == Kind::String
            && parseWholeNumber(QByteArrayView(plainText(value, scratch)), &number)) {
            return compareOrdered(op, number, rhs.number);
        }
        return false;
    }
    // A string literal.
    if (value.kind == Kind::String) {
        // UTF-8 byte order is code point order.
        const std::string_view lhs = plainText(value, scratch);
        const std::string_view text(literal.bytes.constData(), size_t(literal.bytes.size()));
        return compareOrdered(op, lhs, text);
    }
    if (value.kind == Kind::Number && literal.numericString)
        return compareOrdered(op, value.number, literal.stringNumber);
    return false;
}

bool isTruthy(const Value &value)
{
    switch (value.kind) {
    case Value::Kind::Missing:
    case Value::Kind::Null:
    case Value::Kind::False:
        return false;
    case Value::Kind::Number:
        return value.number != 0;
    case Value::Kind::String:
        return !value.text.isEmpty(); // an escape never decodes to nothing
    case Value::Kind::True:
    case Value::Kind::Container:
        return true;
    }
    return false;
}

Value stringValue(QByteArrayView text)
{
    Value value;
    value.kind = Value::Kind::String;
    value.text = text;
    return value;
}

Value numberValue(double number)
{
    Value value;
    value.kind = Value::Kind::Number;
    value.number = number;
    return value;
}

} // namespace

class FilterExpression::Program
{
public:
    std::vector<Node> nodes;
    int root = -1;
    JsonPathSet paths; // every data path of the expression, resolved in one pass
    Fields fields;

    bool matches(const FilterFields &event) const;

private:
    // Per evaluation: the resolved paths (filled on first use) and a decoding buffer.
    struct State
    {
        const FilterFields &event;
        QVarLengthArray<JsonPath::Value, 8> values;
        bool resolved = false;
        QByteArray scratch;
    };

    bool evaluate(int index, State &state) const;
    Value fieldValue(const FieldRef &field, State &state) const;
};

bool FilterExpression::Program::matches(const FilterFields &event) const
{
    State state{event, {}, false, {}};
    state.values.resize(paths.size());
    return evaluate(root, state);
}

bool FilterExpression::Program::evaluate(int index, State &state) const
{
    const Node &node = nodes[size_t(index)];
    switch (node.kind) {
    case Node::Kind::And:
        return evaluate(node.left, state) && evaluate(node.right, state);
    case Node::Kind::Or:
        return evaluate(node.left, state) || evaluate(node.right, state);
    case Node::Kind::Not:
        return !evaluate(node.left, state);
    case Node::Kind::Test:
        break;
    }
    const Value value = fieldValue(node.field, state);
    switch (node.op) {
    case Operator::Truthy:
        return isTruthy(value);
    case Operator::In:
        for (const Literal &literal : node.literals) {
            if (compare(value, Operator::Equal, literal, &state.scratch))
                return true;
        }
        return false;
    case Operator::Contains: {
        if (value.kind == Value::Kind::Missing)
            return false;
        const QByteArray &needle = node.literals.front().bytes;
        return searchText(value, &state.scratch)
                       .find(std::string_view(needle.constData(), size_t(needle.size())))
                != std::string_view::npos;
    }
    case Operator::Matches: {
        if (value.kind == Value::Kind::Missing)
            return false;
        const std::string_view text = searchText(value, &state.scratch);
        return node.expression
                .match(QString::fromUtf8(text.data(), qsizetype(text.size())))
                .hasMatch();
    }
    default:
        return compare(value, node.op, node.literals.front(), &state.scratch);
    }
}

Value FilterExpression::Program::fieldValue(const FieldRef &field, State &state) const
{
    const FilterFields &event = state.event;
    switch (field.kind) {
    case FieldKind::Type: return stringValue(event.type);
    case FieldKind::Id: return stringValue(event.id);
    case FieldKind::Data: return stringValue(event.data);
    case FieldKind::Connection: return stringValue(event.connection);
    case FieldKind::Size: return numberValue(double(event.data.size()));
    case FieldKind::Time: return numberValue(double(event.timeMs));
    case FieldKind::Sequence: return numberValue(double(event.sequence));
    case FieldKind::Marked: {
        Value value;
        value.kind = event.marked ? Value::Kind::True : Value::Kind::False;
        return value;
    }
    case FieldKind::Path: break;
    }
    if (!state.resolved) {
        state.resolved = true;
        paths.resolve(event.data, state.values.data());
    }
    // The walker keeps JSON text; a number is converted when it is read.
    const JsonPath::Value &found = state.values[field.slot];
    Value value;
    value.text = found.token;
    switch (found.kind) {
    case JsonPath::Kind::Missing: break;
    case JsonPath::Kind::Null: value.kind = Value::Kind::Null; break;
    case JsonPath::Kind::Boolean:
        value.kind = found.token.front() == 't' ? Value::Kind::True : Value::Kind::False;
        break;
    case JsonPath::Kind::Number:
        value.kind = Value::Kind::Number;
        if (!JsonScan::convertNumber(found.token, &value.number))
            value.number = found.token.front() == '-' ? -HUGE_VAL : HUGE_VAL;
        break;
    case JsonPath::Kind::String:
        value.kind = Value::Kind::String;
        value.escaped = std::memchr(found.token.data(), '\\', size_t(found.token.size()))
                != nullptr;
        break;
    case JsonPath::Kind::Object:
    case JsonPath::Kind::Array: value.kind = Value::Kind::Container; break;
    }
    return value;
}

// --- parsing ---

namespace {

struct FieldName
{
    const char *name;
    FieldKind kind;
    FilterExpression::Field field;
};

constexpr FieldName fieldTable[] = {
    {"type", FieldKind::Type, FilterExpression::Field::Type},
    {"id", FieldKind::Id, FilterExpression::Field::Id},
    {"data", FieldKind::Data, FilterExpression::Field::Data},
    {"size", FieldKind::Size, FilterExpression::Field::Data},
    {"connection", FieldKind::Connection, FilterExpression::Field::Connection},
    {"time", FieldKind::Time, FilterExpression::Field::Time},
    {"seq", FieldKind::Sequence, FilterExpression::Field::Sequence},
    {"marked", FieldKind::Marked, FilterExpression::Field::Marked},
};

struct ParseError
{
    qsizetype position; // in UTF-16 units
    QString message;
};

bool isNameCharacter(QChar c)
{
    return JsonPath::isNameCharacter(c);
}

class Parser
{
    Q_DECLARE_TR_FUNCTIONS(Sse::FilterExpression)

public:
    Parser(const QString &text, FilterExpression::Marks marks, FilterExpression::Program *program)
        : m_text(text), m_marks(marks), m_program(program)
    {
    }

    // Throws nothing: the first error is kept and every rule returns -1 from then on.
    bool parse()
    {
        const int root = parseOr();
        if (root >= 0 && !m_error) {
            skipSpace();
            if (m_position < m_text.size()) {
                fail(m_position, tr("expected '&&', '||' or the end of the filter after '%1'")
                                         .arg(m_lastToken));
            }
        }
        m_program->root = root;
        return !m_error;
    }

    const ParseError &error() const { return *m_error; }

private:
    void skipSpace()
    {
        while (m_position < m_text.size() && m_text.at(m_position).isSpace())
            ++m_position;
    }

    bool atEnd() { skipSpace(); return m_position >= m_text.size(); }
    QChar peekChar() { skipSpace(); return m_position < m_text.size() ? m_text.at(m_position) : QChar(); }

    QStringView peekName()
    {
        skipSpace();
        qsizetype end = m_position;
        while (end < m_text.size() && isNameCharacter(m_text.at(end)))
            ++end;
        return QStringView(m_text).mid(m_position, end - m_position);
    }

    bool acceptWord(QLatin1StringView word)
    {
        const QStringView name = peekName();
        if (name != word)
            return false;
        m_lastToken = word;
        m_position += name.size();
        return true;
    }

    bool acceptSymbol(QLatin1StringView symbol)
    {
        skipSpace();
        if (!QStringView(m_text).mid(m_position).startsWith(symbol))
            return false;
        m_lastToken = symbol;
        m_position += symbol.size();
        return true;
    }

    void fail(qsizetype position, const QString &message)
    {
        if (!m_error)
            m_error = ParseError{position, message};
    }

    // What stands at the cursor, for messages: "'>'", "the end of the filter".
    QString found()
    {
        skipSpace();
        if (m_position >= m_text.size())
            return tr("the end of the filter");
        const QStringView name = peekName();
        if (!name.isEmpty())
            return QLatin1Char('\'') + name.toString() + QLatin1Char('\'');
        return QLatin1Char('\'') + QString(m_text.at(m_position)) + QLatin1Char('\'');
    }

    int addNode(Node node)
    {
        m_program->nodes.push_back(std::move(node));
        return int(m_program->nodes.size()) - 1;
    }

    int addBinary(Node::Kind kind, int left, int right)
    {
        Node node;
        node.kind = kind;
        node.left = left;
        node.right = right;
        return addNode(std::move(node));
    }

    int parseOr()
    {
        int left = parseAnd();
        while (left >= 0 && (acceptSymbol(QLatin1StringView("||")) || acceptWord(QLatin1StringView("or")))) {
            const int right = parseAnd();
            if (right < 0)
                return -1;
            left = addBinary(Node::Kind::Or, left, right);
        }
        return left;
    }

    int parseAnd()
    {
        int left = parseUnary();
        while (left >= 0 && (acceptSymbol(QLatin1StringView("&&")) || acceptWord(QLatin1StringView("and")))) {
            const int right = parseUnary();
            if (right < 0)
                return -1;
            left = addBinary(Node::Kind::And, left, right);
        }
        return left;
    }

    int parseUnary()
    {
        skipSpace();
        const bool bang = m_position < m_text.size() && m_text.at(m_position) == u'!'
                && !QStringView(m_text).mid(m_position).startsWith(u"!=");
        if (bang ? acceptSymbol(QLatin1StringView("!")) : acceptWord(QLatin1StringView("not"))) {
            const int operand = parseUnary();
            if (operand < 0)
                return -1;
            return addBinary(Node::Kind::Not, operand, -1);
        }
        if (acceptSymbol(QLatin1StringView("("))) {
            const qsizetype open = m_position - 1;
            const int inner = parseOr();
            if (inner < 0)
                return -1;
            if (!acceptSymbol(QLatin1StringView(")"))) {
                fail(m_position, tr("expected ')' to close the '(' at column %1, found %2")
                                         .arg(column(m_text, open))
                                         .arg(found()));
                return -1;
            }
            return inner;
        }
        return parseTest();
    }

    int parseTest()
    {
        Node node;
        if (!parseField(&node.field))
            return -1;
        const QString fieldToken = m_lastToken;
        struct Symbol { const char *text; Operator op; };
        static constexpr Symbol symbols[] = {
            {"==", Operator::Equal}, {"!=", Operator::NotEqual}, {"<=", Operator::LessEqual},
            {">=", Operator::GreaterEqual}, {"<", Operator::Less}, {">", Operator::Greater},
        };
        for (const Symbol &symbol : symbols) {
            if (acceptSymbol(QLatin1StringView(symbol.text))) {
                node.op = symbol.op;
                Literal literal;
                if (!parseLiteral(&literal))
                    return -1;
                if (node.op != Operator::Equal && node.op != Operator::NotEqual
                    && literal.value.kind != Value::Kind::Number
                    && literal.value.kind != Value::Kind::String) {
                    fail(m_literalStart, tr("expected a number or a string after '%1'")
                                                 .arg(QLatin1StringView(symbol.text)));
                    return -1;
                }
                node.literals.push_back(std::move(literal));
                return addNode(std::move(node));
            }
        }
        if (acceptSymbol(QLatin1StringView("="))) {
            fail(m_position - 1, tr("expected '==' instead of '='"));
            return -1;
        }
        if (acceptWord(QLatin1StringView("contains")) || acceptWord(QLatin1StringView("matches"))) {
            node.op = m_lastToken == QLatin1StringView("contains") ? Operator::Contains
                                                                   : Operator::Matches;
            const QString keyword = m_lastToken;
            Literal literal;
            skipSpace();
            const qsizetype start = m_position;
            if (peekChar() != u'"') {
                fail(start, tr("expected a string after '%1'").arg(keyword));
                return -1;
            }
            if (!parseLiteral(&literal))
                return -1;
            if (node.op == Operator::Matches) {
                node.expression = QRegularExpression(QString::fromUtf8(literal.bytes));
                if (!node.expression.isValid()) {
                    fail(start, tr("invalid regular expression: %1")
                                        .arg(node.expression.errorString()));
                    return -1;
                }
                node.expression.optimize();
            }
            node.literals.push_back(std::move(literal));
            return addNode(std::move(node));
        }
        if (acceptWord(QLatin1StringView("in"))) {
            node.op = Operator::In;
            if (!acceptSymbol(QLatin1StringView("{"))) {
                fail(m_position, tr("expected '{' after 'in'"));
                return -1;
            }
            for (;;) {
                Literal literal;
                if (!parseLiteral(&literal))
                    return -1;
                node.literals.push_back(std::move(literal));
                if (acceptSymbol(QLatin1StringView(",")))
                    continue;
                if (acceptSymbol(QLatin1StringView("}")))
                    break;
                fail(m_position, tr("expected ',' or '}' after '%1', found %2")
                                         .arg(m_lastToken, found()));
                return -1;
            }
            return addNode(std::move(node));
        }
        // A field alone; what follows must be a logical operator, ')' or the end.
        skipSpace();
        if (m_position < m_text.size()) {
            const QChar c = m_text.at(m_position);
            const QStringView name = peekName();
            const bool follows = c == u')' || c == u'&' || c == u'|'
                    || name == QLatin1StringView("and") || name == QLatin1StringView("or");
            if (!follows) {
                fail(m_position, tr("expected an operator, '&&', '||' or the end after '%1', "
                                    "found %2")
                                         .arg(fieldToken, found()));
                return -1;
            }
        }
        node.op = Operator::Truthy;
        return addNode(std::move(node));
    }

    bool parseField(FieldRef *field)
    {
        skipSpace();
        const qsizetype start = m_position;
        const QStringView name = peekName();
        if (name.isEmpty()) {
            fail(start, m_lastToken.isEmpty()
                                ? tr("expected a field (type, id, data, size, connection, "
                                     "time or seq), found %1")
                                          .arg(found())
                                : tr("expected a field after '%1', found %2")
                                          .arg(m_lastToken, found()));
            return false;
        }
        const FieldName *known = nullptr;
        for (const FieldName &entry : fieldTable) {
            if (name == QLatin1StringView(entry.name))
                known = &entry;
        }
        if (!known) {
            fail(start, tr("unknown field '%1' (fields: type, id, data, size, connection, time, "
                           "seq)")
                                .arg(name.toString()));
            return false;
        }
        if (known->kind == FieldKind::Marked && m_marks == FilterExpression::Marks::Unavailable) {
            fail(start, tr("'marked' is not available here: only the events of the event log "
                           "can be marked"));
            return false;
        }
        m_position += name.size();
        m_program->fields |= known->field;
        field->kind = known->kind;
        if (m_position < m_text.size()
            && (m_text.at(m_position) == u'.' || m_text.at(m_position) == u'[')) {
            if (known->kind != FieldKind::Data) {
                fail(m_position, tr("only data has a path, '%1' has none").arg(name.toString()));
                return false;
            }
            return parsePath(field, start);
        }
        m_lastToken = name.toString();
        return true;
    }

    // Steps follow the field without blanks: data.a.b[0]["c d"].
    bool parsePath(FieldRef *field, qsizetype start)
    {
        const JsonPath path = JsonPath::parseSteps(m_text, &m_position);
        if (!path.isValid()) {
            fail(m_position, path.errorString());
            return false;
        }
        field->kind = FieldKind::Path;
        field->slot = m_program->paths.add(path);
        m_lastToken = m_text.mid(start, m_position - start);
        return true;
    }

    bool parseLiteral(Literal *literal)
    {
        skipSpace();
        m_literalStart = m_position;
        const QString after = m_lastToken;
        if (m_position >= m_text.size()) {
            fail(m_position, tr("expected a value after '%1'").arg(after));
            return false;
        }
        const QChar c = m_text.at(m_position);
        if (c == u'"') {
            if (!parseString(literal))
                return false;
            literal->value = stringValue(literal->bytes);
            literal->numericString = parseWholeNumber(literal->bytes, &literal->stringNumber);
            return true;
        }
        if (c == u'-' || (c.unicode() < 0x80 && c.isDigit()))
            return parseNumber(literal);
        for (const auto &[word, kind] : {std::pair{"true", Value::Kind::True},
                                         std::pair{"false", Value::Kind::False},
                                         std::pair{"null", Value::Kind::Null}}) {
            if (acceptWord(QLatin1StringView(word))) {
                literal->value.kind = kind;
                return true;
            }
        }
        fail(m_position, tr("expected a value after '%1', found %2").arg(after, found()));
        return false;
    }

    bool parseNumber(Literal *literal)
    {
        const qsizetype start = m_position;
        qsizetype end = start;
        while (end < m_text.size()
               && (isNameCharacter(m_text.at(end)) || m_text.at(end) == u'.'
                   || m_text.at(end) == u'-' || m_text.at(end) == u'+')) {
            ++end;
        }
        const QByteArray token = QStringView(m_text).mid(start, end - start).toLatin1();
        Cursor cursor(token);
        QByteArrayView scanned;
        if (!cursor.scanNumber(&scanned) || !cursor.atEnd()) {
            fail(start, tr("invalid number '%1'").arg(QString::fromLatin1(token)));
            return false;
        }
        literal->value.kind = Value::Kind::Number;
        if (!JsonScan::convertNumber(scanned, &literal->value.number))
            literal->value.number = token.startsWith('-') ? -HUGE_VAL : HUGE_VAL;
        m_position = end;
        m_lastToken = QString::fromLatin1(token);
        return true;
    }

    // A double-quoted string with JSON escapes, into literal->bytes (UTF-8).
    bool parseString(Literal *literal)
    {
        const qsizetype start = m_position;
        qsizetype errorPosition = 0;
        QString error;
        if (!JsonPath::parseQuoted(m_text, &m_position, &literal->bytes, &errorPosition,
                                   &error)) {
            fail(errorPosition, error);
            return false;
        }
        m_lastToken = m_text.mid(start, m_position - start);
        return true;
    }

public:
    static QString located(int column, const QString &message)
    {
        return tr("column %1: %2").arg(column).arg(message);
    }

    static int column(const QString &text, qsizetype position)
    {
        int column = 1;
        for (qsizetype i = 0; i < position && i < text.size(); ++i) {
            if (!(text.at(i).isLowSurrogate() && i > 0 && text.at(i - 1).isHighSurrogate()))
                ++column;
        }
        return column;
    }

private:
    const QString &m_text;
    FilterExpression::Marks m_marks;
    FilterExpression::Program *m_program;
    qsizetype m_position = 0;
    qsizetype m_literalStart = 0;
    QString m_lastToken;
    std::optional<ParseError> m_error;
};

} // namespace

FilterExpression::FilterExpression() = default;
FilterExpression::~FilterExpression() = default;
FilterExpression::FilterExpression(const FilterExpression &other) = default;
FilterExpression &FilterExpression::operator=(const FilterExpression &other) = default;

FilterExpression FilterExpression::parse(const QString &text, Marks marks)
{
    FilterExpression expression;
    expression.m_text = text;
    if (text.trimmed().isEmpty())
        return expression;
    auto program = std::make_shared<Program>();
    Parser parser(text, marks, program.get());
    if (!parser.parse()) {
        const ParseError &error = parser.error();
        expression.m_errorColumn = Parser::column(text, error.position);
        expression.m_errorString = Parser::located(expression.m_errorColumn, error.message);
        return expression;
    }
    expression.m_program = std::move(program);
    return expression;
}

bool FilterExpression::isEmpty() const
{
    return !m_program && isValid();
}

FilterExpression::Fields FilterExpression::fields() const
{
    return m_program ? m_program->fields : Fields();
}

bool FilterExpression::matches(const FilterFields &event) const
{
    if (!isValid())
        return false;
    return !m_program || m_program->matches(event);
}

QStringList FilterExpression::fieldNames()
{
    QStringList names;
    for (const FieldName &entry : fieldTable)
        names.append(QLatin1StringView(entry.name));
    return names;
}

} // namespace Sse

#include "models/eventfilter.h"

#include "models/eventannotations.h"
#include "models/eventstore.h"

#include <QByteArrayView>
#include <QRegularExpression>
#include <QStringDecoder>
#include <QStringMatcher>

#include <algorithm>
#include <array>
#include <functional>
#include <optional>

// Compiled form of the search text. Immutable once built, shared between filter copies.
class EventFilter::TextMatcher
{
public:
    TextMatcher() = default;
    virtual ~TextMatcher() = default;
    virtual bool matches(QByteArrayView haystack) const = 0;

private:
    Q_DISABLE_COPY_MOVE(TextMatcher)
};

namespace {

// Case-sensitive: plain byte search. Valid UTF-8 needles only match at character boundaries,
// so a byte match is a character match.
class ByteMatcher final : public EventFilter::TextMatcher
{
public:
    explicit ByteMatcher(const QByteArray &needle)
        : m_needle(needle)
        , m_searcher(m_needle.constBegin(), m_needle.constEnd())
    {
    }

    bool matches(QByteArrayView haystack) const override
    {
        if (haystack.size() < m_needle.size())
            return false;
        const char *end = haystack.data() + haystack.size();
        return m_searcher(haystack.data(), end).first != end;
    }

private:
    const QByteArray m_needle; // declared before m_searcher, which points into it
    const std::boyer_moore_horspool_searcher<const char *> m_searcher;
};

inline uchar foldAscii(uchar c)
{
    return uchar(c - 'A') < 26u ? uchar(c | 0x20) : c;
}

// Case-insensitive with an all-ASCII needle: Horspool over bytes, folding A-Z on the fly.
// Bytes of multi-byte UTF-8 sequences are >= 0x80 and never equal an ASCII needle byte.
class FoldedByteMatcher final : public EventFilter::TextMatcher
{
public:
    explicit FoldedByteMatcher(const QByteArray &needle)
        : m_needle(needle.toLower())
    {
        const qsizetype length = m_needle.size();
        m_skip.fill(length);
        for (qsizetype i = 0; i + 1 < length; ++i)
            m_skip[uchar(m_needle.at(i))] = length - 1 - i;
    }

    bool matches(QByteArrayView haystack) const override
    {
        const qsizetype length = m_needle.size();
        const qsizetype total = haystack.size();
        const auto *text = reinterpret_cast<const uchar *>(haystack.data());
        const auto *pattern = reinterpret_cast<const uchar *>(m_needle.constData());
        for (qsizetype position = 0; position + length <= total;) {
            qsizetype i = length - 1;
            while (foldAscii(text[position + i]) == pattern[i]) {
                if (i == 0)
                    return true;
                --i;
            }
            position += m_skip[foldAscii(text[position + length - 1])];
        }
        return false;
    }

private:
    const QByteArray m_needle; // already folded to lower case
    std::array<qsizetype, 256> m_skip {};
};

// Fields up to this size are decoded into a reused per-thread buffer instead of a new QString.
constexpr qsizetype ScratchLimit = 64 * 1024;

// Runs `use` on the UTF-16 form of `bytes`. Saves one allocation per field on the decoding paths,
// which dominates a regex rescan of small events.
template<typename Use>
bool withDecoded(QByteArrayView bytes, Use use)
{
    if (bytes.size() > ScratchLimit)
        return use(QStringView(QString::fromUtf8(bytes)));
    thread_local QString scratch;
    if (scratch.size() < bytes.size()) // UTF-8 never needs more UTF-16 units than bytes
        scratch.resize(qMax(bytes.size(), qsizetype(256)));
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QChar *begin = scratch.data();
    const QChar *end = decoder.appendToBuffer(begin, bytes);
    return use(QStringView(begin, end - begin));
}

// Case-insensitive with a non-ASCII needle: byte folding cannot cover Unicode case pairs, so
// decode and let QStringMatcher fold.
class UnicodeMatcher final : public EventFilter::TextMatcher
{
public:
    explicit UnicodeMatcher(const QString &needle)
        : m_matcher(needle, Qt::CaseInsensitive)
    {
    }

    bool matches(QByteArrayView haystack) const override
    {
        if (haystack.isEmpty()) // the needle never is
            return false;
        return withDecoded(haystack, [this](QStringView text) {
            return m_matcher.indexIn(text) >= 0;
        });
    }

private:
    const QStringMatcher m_matcher;
};

class RegexMatcher final : public EventFilter::TextMatcher
{
public:
    explicit RegexMatcher(const QRegularExpression &expression)
        : m_expression(expression)
        , m_matchesEmpty(expression.match(QString()).hasMatch())
    {
    }

    bool matches(QByteArrayView haystack) const override
    {
        if (haystack.isEmpty()) // most events have no id
            return m_matchesEmpty;
        return withDecoded(haystack, [this](QStringView text) {
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
            return m_expression.matchView(text).hasMatch();
#else
            return m_expression.match(text).hasMatch();
#endif
        });
    }

private:
    const QRegularExpression m_expression;
    const bool m_matchesEmpty;
};

bool isAscii(const QByteArray &bytes)
{
    return std::all_of(bytes.cbegin(), bytes.cend(), [](char c) { return uchar(c) < 0x80; });
}

} // namespace

EventFilter::EventFilter() = default;

void EventFilter::setConnection(int connection)
{
    setConnections(connection < 0 ? QSet<quint16>() : QSet<quint16> { quint16(connection) });
}

void EventFilter::setConnections(const QSet<quint16> &connections)
{
    m_connections = connections;
    m_connection = connections.size() == 1 ? int(*connections.cbegin()) : -1;
    m_connectionMask.clear();
    if (connections.isEmpty())
        return;
    const quint16 highest = *std::max_element(connections.cbegin(), connections.cend());
    m_connectionMask.resize(size_t(highest) + 1, false);
    for (quint16 connection : connections)
        m_connectionMask[connection] = true;
}

void EventFilter::setHiddenConnectionTypes(const QSet<quint32> &keys)
{
    m_hiddenConnectionTypes = keys;
}

void EventFilter::setHiddenTypes(const QSet<quint16> &typeIndexes)
{
    m_hiddenTypes = typeIndexes;
    m_hiddenMask.clear();
    if (typeIndexes.isEmpty())
        return;
    const quint16 highest = *std::max_element(typeIndexes.cbegin(), typeIndexes.cend());
    m_hiddenMask.resize(size_t(highest) + 1, false);
    for (quint16 typeIndex : typeIndexes)
        m_hiddenMask[typeIndex] = true;
}

void EventFilter::setText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    compile();
}

void EventFilter::setMatchMode(MatchMode mode)
{
    if (mode == m_matchMode)
        return;
    m_matchMode = mode;
    compile();
}

void EventFilter::setCaseSensitivity(Qt::CaseSensitivity sensitivity)
{
    if (sensitivity == m_caseSensitivity)
        return;
    m_caseSensitivity = sensitivity;
    compile();
}

void EventFilter::compile()
{
    m_matcher.reset();
    m_errorString.clear();
    if (m_text.isEmpty())
        return;

    if (m_matchMode == MatchMode::RegularExpression) {
        QRegularExpression::PatternOptions options = QRegularExpression::UseUnicodePropertiesOption;
        if (m_caseSensitivity == Qt::CaseInsensitive)
            options |= QRegularExpression::CaseInsensitiveOption;
        QRegularExpression expression(m_text, options);
        if (!expression.isValid()) {
            m_errorString = tr("%1 (at offset %2)")
                                    .arg(expression.errorString())
                                    .arg(expression.patternErrorOffset());
            return;
        }
        expression.optimize();
        m_matcher = std::make_shared<RegexMatcher>(expression);
        return;
    }

    const QByteArray needle = m_text.toUtf8();
    if (m_caseSensitivity == Qt::CaseSensitive)
        m_matcher = std::make_shared<ByteMatcher>(needle);
    else if (isAscii(needle))
        m_matcher = std::make_shared<FoldedByteMatcher>(needle);
    else
        m_matcher = std::make_shared<UnicodeMatcher>(m_text);
}

void EventFilter::setExpression(const Sse::FilterExpression &expression)
{
    m_expression = expression.isValid() ? expression : Sse::FilterExpression();
    m_expressionFields = m_expression.fields();
}

bool EventFilter::acceptsEverything() const
{
    return m_connections.isEmpty() && m_hiddenTypes.isEmpty()
            && m_hiddenConnectionTypes.isEmpty() && !m_matcher && m_expression.isEmpty();
}

bool EventFilter::accepts(const EventStore &store, qint64 sequence) const
{
    const quint16 connection = store.connection(sequence);
    if (!m_connectionMask.empty()
        && (connection >= m_connectionMask.size() || !m_connectionMask[connection])) {
        return false;
    }
    // A marker (a reconnect) belongs to its connection, not to a type; a search or a display
    // filter is about events, so it hides markers.
    if (store.isMarker(sequence))
        return !m_matcher && m_expression.isEmpty();
    const quint16 type = store.typeIndex(sequence);
    if (isTypeHidden(type))
        return false;
    if (!m_hiddenConnectionTypes.isEmpty()
        && m_hiddenConnectionTypes.contains(connectionTypeKey(connection, type))) {
        return false;
    }
    // Short fields first: the type name and id are cheap to rule in.
    if (m_matcher && !m_matcher->matches(store.type(sequence))
        && !m_matcher->matches(store.id(sequence)) && !m_matcher->matches(store.data(sequence))) {
        return false;
    }
    if (m_expression.isEmpty())
        return true;
    // Only the fields the expression reads are looked up.
    using Field = Sse::FilterExpression::Field;
    Sse::FilterFields fields;
    QByteArray typeName;
    if (m_expressionFields & Field::Type) {
        typeName = store.type(sequence);
        fields.type = typeName;
    }
    if (m_expressionFields & Field::Id)
        fields.id = store.id(sequence);
    if (m_expressionFields & Field::Data)
        fields.data = store.data(sequence);
    if (m_expressionFields & Field::Connection) {
        const auto name = m_connectionNames.constFind(store.connection(sequence));
        if (name != m_connectionNames.constEnd())
            fields.connection = *name;
    }
    if (m_expressionFields & Field::Time)
        fields.timeMs = store.time(sequence);
    fields.sequence = sequence;
    if (m_expressionFields & Field::Marked)
        fields.marked = m_marks && m_marks->isMarked(sequence);
    return m_expression.matches(fields);
}

bool operator==(const EventFilter &lhs, const EventFilter &rhs)
{
    return lhs.m_connections == rhs.m_connections && lhs.m_hiddenTypes == rhs.m_hiddenTypes
            && lhs.m_hiddenConnectionTypes == rhs.m_hiddenConnectionTypes
            && lhs.m_text == rhs.m_text && lhs.m_matchMode == rhs.m_matchMode
            && lhs.m_caseSensitivity == rhs.m_caseSensitivity
            && lhs.m_expression == rhs.m_expression;
}

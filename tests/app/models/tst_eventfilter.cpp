#include "models/eventfilter.h"
#include "models/eventstore.h"

#include <QRegularExpression>
#include <QTest>

namespace {

Sse::Event makeEvent(const QByteArray &type, const QByteArray &data, const QByteArray &id = {})
{
    Sse::Event event;
    event.type = type;
    event.data = data;
    event.lastEventId = id;
    return event;
}

// Sequence: connection, type, id, data
//  0: 0 message  ""      {"v":1}
//  1: 1 tick     ""      Hello World
//  2: 0 tick     x-7     foo\nbar
//  3: 1 message  ""      ÄÖÜ straße
//  4: 0 alert    ""      hello
//  5: 2 Alert    HELLO   (empty)
void fillStore(EventStore &store)
{
    store.append(0, {makeEvent("message", R"({"v":1})")});
    store.append(1, {makeEvent("tick", "Hello World")});
    store.append(0, {makeEvent("tick", "foo\nbar", "x-7")});
    store.append(1, {makeEvent("message", "\xc3\x84\xc3\x96\xc3\x9c stra\xc3\x9f" "e")});
    store.append(0, {makeEvent("alert", "hello")});
    store.append(2, {makeEvent("Alert", QByteArray(), "HELLO")});
}

QList<qint64> acceptedSequences(const EventStore &store, const EventFilter &filter)
{
    QList<qint64> accepted;
    for (qint64 sequence = store.firstSequence(); sequence < store.endSequence(); ++sequence) {
        if (filter.accepts(store, sequence))
            accepted.append(sequence);
    }
    return accepted;
}

} // namespace

class tst_EventFilter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void defaultAcceptsEverything();
    void accepts_data();
    void accepts();
    void invalidRegularExpression();
    void equality();
    void copiesShareTheCompiledText();
};

void tst_EventFilter::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_EventFilter::defaultAcceptsEverything()
{
    EventStore store;
    fillStore(store);
    const EventFilter filter;
    QVERIFY(filter.acceptsEverything());
    QVERIFY(filter.isValid());
    QCOMPARE(filter.connection(), -1);
    QCOMPARE(filter.caseSensitivity(), Qt::CaseInsensitive);
    QCOMPARE(filter.matchMode(), EventFilter::MatchMode::Substring);
    QCOMPARE(acceptedSequences(store, filter), QList<qint64>({0, 1, 2, 3, 4, 5}));
}

void tst_EventFilter::accepts_data()
{
    QTest::addColumn<int>("connection");
    QTest::addColumn<QList<QByteArray>>("hiddenTypes");
    QTest::addColumn<QString>("text");
    QTest::addColumn<EventFilter::MatchMode>("mode");
    QTest::addColumn<Qt::CaseSensitivity>("sensitivity");
    QTest::addColumn<QList<qint64>>("expected");

    const auto substring = EventFilter::MatchMode::Substring;
    const auto regex = EventFilter::MatchMode::RegularExpression;
    const QList<QByteArray> none;

    QTest::newRow("connection 0") << 0 << none << QString() << substring << Qt::CaseInsensitive
                                  << QList<qint64>({0, 2, 4});
    QTest::newRow("connection 2") << 2 << none << QString() << substring << Qt::CaseInsensitive
                                  << QList<qint64>({5});
    QTest::newRow("unknown connection") << 9 << none << QString() << substring
                                        << Qt::CaseInsensitive << QList<qint64>();
    QTest::newRow("hide tick") << -1 << QList<QByteArray>({"tick"}) << QString() << substring
                               << Qt::CaseInsensitive << QList<qint64>({0, 3, 4, 5});
    QTest::newRow("hide message and alert")
            << -1 << QList<QByteArray>({"message", "alert"}) << QString() << substring
            << Qt::CaseInsensitive << QList<qint64>({1, 2, 5});
    QTest::newRow("hide tick on connection 0") << 0 << QList<QByteArray>({"tick"}) << QString()
                                               << substring << Qt::CaseInsensitive
                                               << QList<qint64>({0, 4});
    QTest::newRow("substring, any case") << -1 << none << QStringLiteral("hello") << substring
                                         << Qt::CaseInsensitive << QList<qint64>({1, 4, 5});
    QTest::newRow("substring, exact case") << -1 << none << QStringLiteral("hello") << substring
                                           << Qt::CaseSensitive << QList<qint64>({4});
    QTest::newRow("substring matches type name") << -1 << none << QStringLiteral("ALERT")
                                                 << substring << Qt::CaseInsensitive
                                                 << QList<qint64>({4, 5});
    QTest::newRow("substring matches id") << -1 << none << QStringLiteral("x-7") << substring
                                          << Qt::CaseSensitive << QList<qint64>({2});
    QTest::newRow("substring across newline") << -1 << none << QStringLiteral("o\nb")
                                              << substring << Qt::CaseSensitive
                                              << QList<qint64>({2});
    QTest::newRow("substring json") << -1 << none << QStringLiteral("\"v\":1") << substring
                                    << Qt::CaseSensitive << QList<qint64>({0});
    QTest::newRow("substring longer than data") << -1 << none
                                                << QStringLiteral("hello world and more")
                                                << substring << Qt::CaseInsensitive
                                                << QList<qint64>();
    QTest::newRow("non-ascii, any case") << -1 << none << QString::fromUtf8("\xc3\xa4\xc3\xb6")
                                         << substring << Qt::CaseInsensitive
                                         << QList<qint64>({3});
    QTest::newRow("non-ascii, exact case") << -1 << none << QString::fromUtf8("\xc3\xa4\xc3\xb6")
                                           << substring << Qt::CaseSensitive << QList<qint64>();
    QTest::newRow("non-ascii bytes, exact case") << -1 << none << QString::fromUtf8("stra\xc3\x9f")
                                                 << substring << Qt::CaseSensitive
                                                 << QList<qint64>({3});
    QTest::newRow("regex") << -1 << none << QStringLiteral("^h.llo$") << regex
                           << Qt::CaseSensitive << QList<qint64>({4});
    QTest::newRow("regex, any case") << -1 << none << QStringLiteral("^h.llo") << regex
                                     << Qt::CaseInsensitive << QList<qint64>({1, 4, 5});
    QTest::newRow("regex over type names") << -1 << none << QStringLiteral("^(tick|alert)$")
                                           << regex << Qt::CaseSensitive
                                           << QList<qint64>({1, 2, 4});
    QTest::newRow("regex, unicode class") << -1 << none << QStringLiteral("^\\w+ stra\\w+$")
                                          << regex << Qt::CaseSensitive << QList<qint64>({3});
    QTest::newRow("regex and connection") << 1 << none << QStringLiteral("o") << regex
                                          << Qt::CaseSensitive << QList<qint64>({1});
}

void tst_EventFilter::accepts()
{
    QFETCH(int, connection);
    QFETCH(QList<QByteArray>, hiddenTypes);
    QFETCH(QString, text);
    QFETCH(EventFilter::MatchMode, mode);
    QFETCH(Qt::CaseSensitivity, sensitivity);
    QFETCH(QList<qint64>, expected);

    EventStore store;
    fillStore(store);
    QSet<quint16> hidden;
    for (const QByteArray &name : hiddenTypes) {
        const int index = store.findType(name);
        QVERIFY(index >= 0);
        hidden.insert(quint16(index));
    }

    EventFilter filter;
    filter.setConnection(connection);
    filter.setHiddenTypes(hidden);
    filter.setText(text);
    filter.setMatchMode(mode);
    filter.setCaseSensitivity(sensitivity);
    QVERIFY(filter.isValid());
    QVERIFY(!filter.acceptsEverything());
    QCOMPARE(acceptedSequences(store, filter), expected);

    // The setters may run in any order: build it the other way round as well.
    EventFilter reversed;
    reversed.setCaseSensitivity(sensitivity);
    reversed.setMatchMode(mode);
    reversed.setText(text);
    reversed.setHiddenTypes(hidden);
    reversed.setConnection(connection);
    QCOMPARE(acceptedSequences(store, reversed), expected);
    QVERIFY(reversed == filter);
}

void tst_EventFilter::invalidRegularExpression()
{
    EventStore store;
    fillStore(store);
    EventFilter filter;
    filter.setMatchMode(EventFilter::MatchMode::RegularExpression);
    filter.setText(QStringLiteral("(unclosed"));
    QVERIFY(!filter.isValid());
    QVERIFY(!filter.errorString().isEmpty());
    // The broken text is ignored; the other criteria still apply.
    filter.setConnection(1);
    QCOMPARE(acceptedSequences(store, filter), QList<qint64>({1, 3}));

    filter.setText(QStringLiteral("(closed)"));
    QVERIFY(filter.isValid());
    QVERIFY(filter.errorString().isEmpty());

    // The same text is a fine substring.
    filter.setText(QStringLiteral("(unclosed"));
    filter.setMatchMode(EventFilter::MatchMode::Substring);
    QVERIFY(filter.isValid());
}

void tst_EventFilter::equality()
{
    EventFilter a;
    EventFilter b;
    QVERIFY(a == b);
    a.setText(QStringLiteral("x"));
    QVERIFY(a != b);
    b.setText(QStringLiteral("x"));
    QVERIFY(a == b);
    b.setHiddenTypes({3});
    QVERIFY(a != b);
    a.setHiddenTypes({3});
    a.setCaseSensitivity(Qt::CaseSensitive);
    QVERIFY(a != b);
}

void tst_EventFilter::copiesShareTheCompiledText()
{
    EventStore store;
    fillStore(store);
    EventFilter original;
    original.setText(QStringLiteral("hello"));
    EventFilter copy = original;
    original.setText(QStringLiteral("bar"));
    QCOMPARE(acceptedSequences(store, copy), QList<qint64>({1, 4, 5}));
    QCOMPARE(acceptedSequences(store, original), QList<qint64>({2}));
}

QTEST_GUILESS_MAIN(tst_EventFilter)
#include "tst_eventfilter.moc"

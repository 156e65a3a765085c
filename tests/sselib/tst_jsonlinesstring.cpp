// The JSON Lines writer's string escaping (Sse::JsonLines::appendString, used for every field
// of every record): against a plain byte-by-byte reference, on chosen strings around the
// eight-byte words the writer copies whole, and on many generated ones.

#include "sselib/jsonlines.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>
#include <QTimeZone>

namespace {

// What RFC 8259 asks of a string literal, one byte at a time: '"', '\\' and the controls
// below 0x20 escaped (the short forms where JSON has them), every other byte as it is.
QByteArray referenceLiteral(QByteArrayView text)
{
    QByteArray out = "\"";
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20)
                out += QByteArray("\\u00") + QByteArray::number(c, 16).rightJustified(2, '0');
            else
                out += char(c);
        }
    }
    return out + '"';
}

QByteArray written(QByteArrayView text)
{
    QByteArray out = "prefix:"; // not at the start of the buffer, as in a record
    Sse::JsonLines::appendString(out, text);
    return out.mid(7);
}

} // namespace

class TestJsonLinesString : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chosen_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("one byte") << QByteArray("a");
        QTest::newRow("seven") << QByteArray("abcdefg");
        QTest::newRow("eight") << QByteArray("abcdefgh");
        QTest::newRow("nine") << QByteArray("abcdefghi");
        QTest::newRow("quote first of a word") << QByteArray("\"bcdefgh12345678");
        QTest::newRow("quote last of a word") << QByteArray("abcdefg\"12345678");
        QTest::newRow("quote first of the tail") << QByteArray("abcdefgh\"");
        QTest::newRow("only quotes") << QByteArray(17, '"');
        QTest::newRow("only backslashes") << QByteArray(17, '\\');
        QTest::newRow("JSON data") << QByteArray(R"({"seq":7,"value":12.345,"name":"sensor-07"})");
        QTest::newRow("short escapes") << QByteArray("a\nb\rc\td\\e\"f");
        QByteArray controls;
        for (int c = 0; c < 0x20; ++c)
            controls += char(c);
        QTest::newRow("every control") << controls;
        QTest::newRow("NUL inside a word") << QByteArray("abc\0efgh", 8);
        QTest::newRow("DEL is not escaped") << QByteArray("a\x7f" "b");
        QTest::newRow("UTF-8") << QByteArray("名前 \xF0\x9F\x98\x80 café");
        QTest::newRow("broken UTF-8 kept as bytes") << QByteArray("\xC3\x28\xFF\xFE" "abcdefgh\x80");
        QTest::newRow("0x20 is not a control") << QByteArray("        x");
        QTest::newRow("0x1f next to 0x20") << QByteArray("\x1f \x1f \x1f \x1f ");
    }
    void chosen()
    {
        QFETCH(QByteArray, text);
        QCOMPARE(written(text), referenceLiteral(text));
    }

    // Strings of 0..80 bytes drawn mostly from the bytes that need escaping, so that every
    // position inside and across the eight-byte words meets each case.
    void generated()
    {
        static const char alphabet[] = {'a', 'Z', '0', ' ', '"', '\\', '\n', '\r', '\t', '\x01',
                                        '\x1f', '\x7f', char(0x80), char(0xC3), char(0xFF)};
        QRandomGenerator random(20261202);
        for (int round = 0; round < 20000; ++round) {
            QByteArray text(random.bounded(81), Qt::Uninitialized);
            for (char &c : text)
                c = random.bounded(3) == 0 ? alphabet[random.bounded(int(sizeof alphabet))]
                                           : char('a' + random.bounded(26));
            const QByteArray got = written(text);
            if (got != referenceLiteral(text))
                QFAIL(qPrintable(QStringLiteral("round %1: %2 gave %3")
                                     .arg(round)
                                     .arg(QString::fromLatin1(text.toHex()),
                                          QString::fromLatin1(got.toHex()))));
        }
    }

    // A whole event record reads back with the same fields (the writer's own path, not
    // appendString alone).
    void eventRecordReadsBack()
    {
        Sse::EventBatch batch;
        const QByteArray data("line \"one\"\\\ttab \x01 名前 and a long enough tail");
        batch.append("update", data, "id-\"7\"", 1764662400123);
        Sse::JsonLines::Writer writer;
        QByteArray out;
        writer.appendEvent(out, 3, batch.at(0));
        QVERIFY(out.endsWith('\n'));
        QJsonParseError error;
        const QJsonObject record = QJsonDocument::fromJson(out, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(record.value(QLatin1String("kind")).toString(), QStringLiteral("event"));
        QCOMPARE(record.value(QLatin1String("seq")).toInteger(), 3);
        QCOMPARE(record.value(QLatin1String("time")).toString(),
                 QStringLiteral("2025-12-02T08:00:00.123Z"));
        QCOMPARE(record.value(QLatin1String("type")).toString(), QStringLiteral("update"));
        QCOMPARE(record.value(QLatin1String("data")).toString().toUtf8(), data);
        QCOMPARE(record.value(QLatin1String("id")).toString(), QStringLiteral("id-\"7\""));
    }

    // The time member: the writer keeps the text of the current second and adds the
    // milliseconds; one writer is used for all rows, so each row also changes the second.
    void times_data()
    {
        QTest::addColumn<qint64>("ms");
        QTest::newRow("epoch") << qint64(0);
        QTest::newRow("just before the epoch") << qint64(-1);
        QTest::newRow("a second later") << qint64(1000);
        QTest::newRow("2026") << qint64(1796212800999);
        QTest::newRow("same second, other ms") << qint64(1796212800001);
        QTest::newRow("year 9999") << qint64(253402300799999);
        QTest::newRow("year 999") << qint64(-30610224000000 - 86400000LL * 365);
    }
    void times()
    {
        QFETCH(qint64, ms);
        static Sse::JsonLines::TimeFormatter formatter;
        QByteArray out;
        formatter.append(out, ms);
        const QDateTime time = QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
        QCOMPARE(out, time.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ")).toLatin1());
    }
};

QTEST_GUILESS_MAIN(TestJsonLinesString)
#include "tst_jsonlinesstring.moc"

// The models of the connection tabs: the statistics stay bounded however many event types a
// stream has, and update in place.

#include "models/connectionlogmodel.h"
#include "models/connectionmanager.h"
#include "models/statisticsmodel.h"
#include "sanitizers.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

Sse::EventList eventsOfTypes(int types, int perType = 1)
{
    Sse::EventList events;
    events.reserve(types * perType);
    for (int repeat = 0; repeat < perType; ++repeat) {
        for (int i = 0; i < types; ++i)
            events.append({"type-" + QByteArray::number(i), "x", {}, 1000 + i, -1});
    }
    return events;
}

} // namespace

class TestConnectionModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void statisticsShowMostFrequentTypes();
    void statisticsStayBounded();
    void statisticsUpdateInPlace();
    void connectionLogFollowsItsConnection();
};

void TestConnectionModels::statisticsShowMostFrequentTypes()
{
    ConnectionManager connections;
    const quint16 id = connections.addOffline(u"file"_s, QUrl(u"file:///x"_s));
    Sse::EventList events = eventsOfTypes(3);
    events.append({"type-2", "x", {}, 2000, -1});
    events.append({"type-2", "x", {}, 2001, -1});
    events.append({"type-1", "x", {}, 2002, -1});
    connections.ingestOffline(id, events);
    StatisticsModel model(&connections);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setConnection(id);
    QCOMPARE(model.rowCount(), 1 + 3 + 1); // total, three types, reconnects
    QCOMPARE(model.rowKind(0), StatisticsModel::RowKind::Total);
    QCOMPARE(model.index(0, StatisticsModel::EventsColumn).data().toString(), u"6"_s);
    QCOMPARE(model.index(1, StatisticsModel::TypeColumn).data().toString(), u"type-2"_s);
    QCOMPARE(model.index(1, StatisticsModel::EventsColumn).data().toString(), u"3"_s);
    QCOMPARE(model.index(2, StatisticsModel::TypeColumn).data().toString(), u"type-1"_s);
    QCOMPARE(model.index(3, StatisticsModel::TypeColumn).data().toString(), u"type-0"_s);
    QCOMPARE(model.rowKind(4), StatisticsModel::RowKind::Reconnects);
}

void TestConnectionModels::statisticsStayBounded()
{
    SSE_SKIP_MEMORY_FIGURES_UNDER_SANITIZER(); // 200,000 types: past the timeout under ASan
    ConnectionManager connections;
    const quint16 id = connections.addOffline(u"file"_s, QUrl(u"file:///x"_s));
    constexpr int types = 200000;
    connections.ingestOffline(id, eventsOfTypes(types));
    StatisticsModel model(&connections);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setConnection(id);
    QCOMPARE(model.rowCount(), 1 + StatisticsModel::MaximumTypeRows + 1 + 1);
    // The connection's type table keeps 1,000 names and one overflow row for the rest.
    const ConnectionEntry *entry = connections.entry(id);
    constexpr int kept = int(Sse::ClientStatistics::MaximumTypes);
    QCOMPARE(entry->types.size(), kept + 1);
    QCOMPARE(entry->types.value(Sse::ClientStatistics::OtherTypes).count, types - kept);
    QCOMPARE(model.hiddenTypeCount(), kept + 1 - StatisticsModel::MaximumTypeRows);
    const int more = 1 + StatisticsModel::MaximumTypeRows;
    QCOMPARE(model.rowKind(more), StatisticsModel::RowKind::MoreTypes);
    QVERIFY(model.index(more, 0).data().toString().contains(u"901"_s));
    // One refresh is one pass over the counts, not a rebuild of 200,000 rows.
    QElapsedTimer clock;
    clock.start();
    model.refresh();
    QVERIFY2(clock.elapsed() < 250, qPrintable(QString::number(clock.elapsed())));
}

void TestConnectionModels::statisticsUpdateInPlace()
{
    ConnectionManager connections;
    const quint16 id = connections.addOffline(u"file"_s, QUrl(u"file:///x"_s));
    connections.ingestOffline(id, eventsOfTypes(2));
    StatisticsModel model(&connections);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setConnection(id);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    connections.ingestOffline(id, eventsOfTypes(4));
    model.refresh();
    QCOMPARE(reset.size(), 0);
    QCOMPARE(inserted.size(), 1); // the two new types
    QCOMPARE(model.rowCount(), 1 + 4 + 1);
    QCOMPARE(model.index(0, StatisticsModel::EventsColumn).data().toString(), u"6"_s);
    // Past the limit the "more" row appears, once.
    connections.ingestOffline(id, eventsOfTypes(StatisticsModel::MaximumTypeRows + 5));
    model.refresh();
    model.refresh();
    QCOMPARE(model.rowCount(), 1 + StatisticsModel::MaximumTypeRows + 2);
    QCOMPARE(reset.size(), 0);
}

void TestConnectionModels::connectionLogFollowsItsConnection()
{
    ConnectionManager connections;
    const quint16 id = connections.add(u"never"_s, Sse::ClientOptions(),
                                       ConnectionManager::Start::Later);
    ConnectionLogModel model(&connections);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setConnection(id);
    const int before = model.rowCount();
    connections.open(id); // an invalid URL: the connection logs its attempt and its failure
    QTRY_VERIFY(model.rowCount() > before);
    QCOMPARE(model.rowCount(), int(connections.entry(id)->log.size()));
    connections.remove(id);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.connection(), quint16(0));
}

QTEST_GUILESS_MAIN(TestConnectionModels)
#include "tst_connectionmodels.moc"

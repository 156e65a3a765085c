#include "models/eventfilter.h"
#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "models/typelistmodel.h"

#include <QAbstractItemModelTester>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

namespace {

using Tester = QAbstractItemModelTester;

Sse::EventList eventsOfType(const QByteArray &type, int count)
{
    Sse::EventList events;
    for (int i = 0; i < count; ++i) {
        Sse::Event event;
        event.type = type;
        event.data = type + QByteArray::number(i);
        events.append(event);
    }
    return events;
}

QSet<quint32> hiddenSetFrom(const QSignalSpy &spy, int signal)
{
    return spy.at(signal).at(0).value<QSet<quint32>>();
}

} // namespace

class tst_TypeListModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void refreshAppendsNewTypes();
    void singleConnectionLabelsHaveNoPrefix();
    void showOnlyAndShowAll();
    void refreshReportsCountsOnce();
    void refreshWithoutChangesIsQuiet();
    void countsFollowEviction();
    void checkStateToggles();
    void setHiddenTypes();
    void roles();
    void drivesTheEventLogFilter();
};

void tst_TypeListModel::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_TypeListModel::refreshAppendsNewTypes()
{
    EventStore store;
    TypeListModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    model.refresh(store);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(inserted.count(), 0);

    store.append(0, eventsOfType("message", 5));
    store.append(1, eventsOfType("tick", 2));
    store.append(0, eventsOfType("alert", 1));
    model.refresh(store);
    // One insertion per new (connection, type) pair, each connection's rows kept together.
    QCOMPARE(inserted.count(), 3);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0).data().toString(), QStringLiteral("#0 \u00b7 message (5)"));
    QCOMPARE(model.index(1).data().toString(), QStringLiteral("#0 \u00b7 alert (1)"));
    QCOMPARE(model.index(2).data().toString(), QStringLiteral("#1 \u00b7 tick (2)"));
    QCOMPARE(inserted.constLast().at(1).toInt(), 1); // alert went in after message
    for (int row = 0; row < 3; ++row)
        QCOMPARE(model.index(row).data(Qt::CheckStateRole).toInt(), int(Qt::Checked));

    model.setConnectionName(1, QStringLiteral("ticks"));
    QCOMPARE(model.index(2).data().toString(), QStringLiteral("ticks \u00b7 tick (2)"));

    store.append(2, eventsOfType("late", 4));
    store.append(1, eventsOfType("message", 3)); // same type, other connection: its own row
    model.refresh(store);
    QCOMPARE(inserted.count(), 5);
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.index(3).data().toString(), QStringLiteral("ticks \u00b7 message (3)"));
    QCOMPARE(model.index(4).data().toString(), QStringLiteral("#2 \u00b7 late (4)"));
    QCOMPARE(model.index(3).data(TypeListModel::KeyRole).value<quint32>(),
             EventFilter::connectionTypeKey(1, 0));
}

void tst_TypeListModel::singleConnectionLabelsHaveNoPrefix()
{
    EventStore store;
    TypeListModel model;
    store.append(3, eventsOfType("message", 5));
    model.refresh(store);
    QCOMPARE(model.index(0).data().toString(), QStringLiteral("message (5)"));
}

void tst_TypeListModel::showOnlyAndShowAll()
{
    EventStore store;
    TypeListModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    store.append(0, eventsOfType("a", 1));
    store.append(1, eventsOfType("a", 1));
    store.append(1, eventsOfType("b", 1));
    model.refresh(store);
    QSignalSpy hidden(&model, &TypeListModel::hiddenTypesChanged);
    model.showOnly(model.rowOf(1, 1));
    QCOMPARE(hidden.count(), 1);
    QCOMPARE(model.hiddenTypes(), QSet<quint32>({ EventFilter::connectionTypeKey(0, 0),
                                                  EventFilter::connectionTypeKey(1, 0) }));
    model.showAll();
    QCOMPARE(hidden.count(), 2);
    QVERIFY(model.hiddenTypes().isEmpty());
}

void tst_TypeListModel::refreshReportsCountsOnce()
{
    EventStore store;
    TypeListModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    store.append(0, eventsOfType("a", 1));
    store.append(0, eventsOfType("b", 1));
    store.append(0, eventsOfType("c", 1));
    model.refresh(store);

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    store.append(0, eventsOfType("a", 10));
    store.append(0, eventsOfType("c", 3));
    model.refresh(store);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.constFirst().at(0).toModelIndex(), model.index(0));
    QCOMPARE(changed.constFirst().at(1).toModelIndex(), model.index(2));
    QCOMPARE(model.index(0).data().toString(), QStringLiteral("a (11)"));
    QCOMPARE(model.index(1).data().toString(), QStringLiteral("b (1)"));
    QCOMPARE(model.index(2).data().toString(), QStringLiteral("c (4)"));
}

void tst_TypeListModel::refreshWithoutChangesIsQuiet()
{
    EventStore store;
    TypeListModel model;
    store.append(0, eventsOfType("a", 2));
    model.refresh(store);

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.refresh(store);
    QCOMPARE(changed.count(), 0);
    QCOMPARE(inserted.count(), 0);
}

void tst_TypeListModel::countsFollowEviction()
{
    EventStore store(32);
    TypeListModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    store.append(0, eventsOfType("old", 30));
    model.refresh(store);
    QCOMPARE(model.index(0).data(TypeListModel::CountRole).toLongLong(), 30);

    store.append(0, eventsOfType("new", 60));
    model.refresh(store);
    // Every "old" event is gone, but the type stays listed.
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0).data().toString(), QStringLiteral("old (0)"));
    QCOMPARE(model.index(1).data(TypeListModel::CountRole).toLongLong(), store.size());

    store.clear();
    model.refresh(store);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1).data().toString(), QStringLiteral("new (0)"));
}

void tst_TypeListModel::checkStateToggles()
{
    EventStore store;
    TypeListModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    store.append(0, eventsOfType("a", 1));
    store.append(0, eventsOfType("b", 1));
    store.append(0, eventsOfType("c", 1));
    model.refresh(store);
    QVERIFY(model.flags(model.index(1)).testFlag(Qt::ItemIsUserCheckable));

    QSignalSpy hidden(&model, &TypeListModel::hiddenTypesChanged);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    QVERIFY(model.setData(model.index(1), Qt::Unchecked, Qt::CheckStateRole));
    QCOMPARE(hidden.count(), 1);
    QCOMPARE(hiddenSetFrom(hidden, 0), QSet<quint32>({1}));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.index(1).data(Qt::CheckStateRole).toInt(), int(Qt::Unchecked));

    QVERIFY(model.setData(model.index(2), Qt::Unchecked, Qt::CheckStateRole));
    QCOMPARE(hiddenSetFrom(hidden, 1), QSet<quint32>({1, 2}));
    QCOMPARE(model.hiddenTypes(), QSet<quint32>({1, 2}));

    // Same state again: accepted, but nothing to report.
    QVERIFY(model.setData(model.index(2), Qt::Unchecked, Qt::CheckStateRole));
    QCOMPARE(hidden.count(), 2);

    QVERIFY(model.setData(model.index(1), Qt::Checked, Qt::CheckStateRole));
    QCOMPARE(hiddenSetFrom(hidden, 2), QSet<quint32>({2}));
    QCOMPARE(model.index(1).data(Qt::CheckStateRole).toInt(), int(Qt::Checked));

    // Only the check state is editable.
    QVERIFY(!model.setData(model.index(0), QStringLiteral("x"), Qt::EditRole));
    QCOMPARE(hidden.count(), 3);
}

void tst_TypeListModel::setHiddenTypes()
{
    EventStore store;
    TypeListModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    store.append(0, eventsOfType("a", 1));
    store.append(0, eventsOfType("b", 1));
    model.refresh(store);

    QSignalSpy hidden(&model, &TypeListModel::hiddenTypesChanged);
    model.setHiddenTypes({0});
    QCOMPARE(hidden.count(), 1);
    QCOMPARE(model.index(0).data(Qt::CheckStateRole).toInt(), int(Qt::Unchecked));
    model.setHiddenTypes({0});
    QCOMPARE(hidden.count(), 1);
    model.setHiddenTypes({});
    QCOMPARE(hidden.count(), 2);
    QCOMPARE(model.index(0).data(Qt::CheckStateRole).toInt(), int(Qt::Checked));
}

void tst_TypeListModel::roles()
{
    EventStore store;
    TypeListModel model;
    store.append(0, eventsOfType("first", 2));
    store.append(0, eventsOfType("second", 3));
    model.refresh(store);

    const QModelIndex second = model.index(1);
    QCOMPARE(second.data(TypeListModel::TypeIndexRole).value<quint16>(), quint16(1));
    QCOMPARE(second.data(TypeListModel::CountRole).toLongLong(), 3);
    QCOMPARE(second.data(TypeListModel::TypeNameRole).toString(), QStringLiteral("second"));
    QVERIFY(!second.data(Qt::DecorationRole).isValid());
}

void tst_TypeListModel::drivesTheEventLogFilter()
{
    // The wiring the main window is expected to do.
    EventLogModel log;
    TypeListModel types;
    Tester logTester(&log, Tester::FailureReportingMode::QtTest);
    Tester typesTester(&types, Tester::FailureReportingMode::QtTest);
    connect(&log, &EventLogModel::countsChanged, &types, [&] { types.refresh(log.store()); });
    connect(&types, &TypeListModel::hiddenTypesChanged, &log, [&](const QSet<quint32> &hidden) {
        EventFilter filter = log.filter();
        filter.setHiddenConnectionTypes(hidden);
        log.setFilter(filter);
    });

    log.ingest(0, eventsOfType("message", 4));
    log.ingest(1, eventsOfType("tick", 6));
    log.flush();
    QCOMPARE(types.rowCount(), 2);
    QCOMPARE(types.index(1).data().toString(), QStringLiteral("#1 \u00b7 tick (6)"));

    QSignalSpy finished(&log, &EventLogModel::rescanFinished);
    types.setData(types.index(1), Qt::Unchecked, Qt::CheckStateRole);
    QVERIFY(finished.wait());
    QCOMPARE(log.rowCount(), 4);
    QCOMPARE(log.acceptedCount(), 4);
    QCOMPARE(log.totalCount(), 10);

    // Hidden events are still counted in the type list.
    log.ingest(1, eventsOfType("tick", 1));
    log.flush();
    QCOMPARE(log.rowCount(), 4);
    QCOMPARE(types.index(1).data().toString(), QStringLiteral("#1 \u00b7 tick (7)"));
}

QTEST_GUILESS_MAIN(tst_TypeListModel)
#include "tst_typelistmodel.moc"

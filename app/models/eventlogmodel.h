#pragma once

#include "models/eventannotations.h"
#include "models/eventfilter.h"
#include "models/fieldcolumn.h"

#include "sselib/jsonpath.h"
#include "sselib/sseevent.h"

#include <QAbstractTableModel>
#include <QCache>
#include <QHash>
#include <QTimer>

#include <deque>
#include <memory>
#include <vector>

class ColouringRules;
class EventStore;

// Table model of the event log: the events of an EventStore that the current EventFilter
// accepts, oldest first.
//
// Rate handling: ingest() stores a batch, tests each new event against the filter once and queues
// the accepted sequence numbers. Only flush() touches the rows: one beginRemoveRows(0, k-1) for
// events the store evicted and one beginInsertRows for everything queued. A single-shot timer
// started by ingest() calls flush() after flushInterval() ms (40 ms = 25 Hz by default), so an
// idle model does not wake up. In FlushMode::WhenAsked there is no timer: the owner calls
// flush() on its own tick (the window's, on the tick that repaints the connection counters, so
// that the log and the totals on screen never disagree).
//
// Pause freezes the visible rows: events are still stored, filtered and counted, and queue up
// as pendingCount() until setPaused(false) inserts them in one batch. Evicted rows are removed
// even while paused, because their bytes are gone.
//
// setFilter() rescans the store in time slices on the event loop (about 10 ms each) and swaps
// the result in with one model reset. Events ingested during the rescan are tested with the new
// filter and queued, so none is lost or shown twice. While it runs the visible rows still show
// the previous filter and no rows are inserted.
//
// Display strings are only built in data(). GUI thread only.
class EventLogModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        TimeColumn,
        ConnectionColumn,
        TypeColumn,
        IdColumn,
        SizeColumn,
        DataColumn,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        SequenceRole = Qt::UserRole + 1, // qint64 sequence number of the row's event
        MarkerRole,                      // bool: a marker row (a reconnect), not an event
        RuleRole,                        // int: index of the colouring rule that matched, -1
        UserMarkRole,                    // bool: the user marked the event (Ctrl+M)
        NoteRole,                        // QString: the user's note on the event
    };
    Q_ENUM(Role)

    // How the Time column shows an event's receive time (View > Time Display Format).
    enum class TimeFormat {
        TimeOfDay,      // 14:03:07.125
        DateAndTime,    // 2026-12-02 14:03:07.125
        SinceFirst,     // seconds since the first event shown
        SincePrevious,  // seconds since the previous event shown
        SinceReference, // seconds since the time reference (the first event shown if none)
    };
    Q_ENUM(TimeFormat)

    // Who inserts the queued rows: the model's own timer, or the owner calling flush().
    enum class FlushMode {
        OnTimer,
        WhenAsked,
    };
    Q_ENUM(FlushMode)

    static constexpr int DefaultFlushInterval = 40;
    static constexpr int PreviewLength = 200;        // characters shown in the Data column
    static constexpr qsizetype ToolTipBytes = 2048;  // data bytes shown in the Data tooltip

    // One-line preview of at most maxCharacters UTF-16 units of UTF-8 bytes: line breaks shown
    // as U+23CE, tabs as spaces, an ellipsis when cut. Decodes at most 4 * maxCharacters bytes,
    // so its cost does not depend on the length of the text (types and ids can be megabytes).
    static QString linePreview(QByteArrayView bytes, qsizetype maxCharacters = PreviewLength);
    static constexpr qsizetype MaximumCapacity = 1'000'000'000;

    explicit EventLogModel(QObject *parent = nullptr);
    // Takes over the given store; events already in it are shown.
    explicit EventLogModel(std::unique_ptr<EventStore> store, QObject *parent = nullptr);
    ~EventLogModel() override;

    const EventStore &store() const { return *m_store; }
    qsizetype capacity() const;
    void setCapacity(qsizetype events); // at most MaximumCapacity; evicts and flushes at once
    qsizetype byteBudget() const;
    void setByteBudget(qsizetype bytes); // see EventStore::setByteBudget; evicts and flushes

    QString connectionName(quint16 connection) const;
    void setConnectionName(quint16 connection, const QString &name);

    void ingest(quint16 connection, const Sse::EventList &events);
    void ingest(quint16 connection, const Sse::EventBatch &events);
    // A marker row, e.g. "reconnected · Last-Event-ID 899 · after 2.0 s": stored and bounded
    // like an event (EventStore::appendMarker), shown in italics, never exported as an event.
    // Shown while the connection is in scope and no search or display filter is set.
    void addMarker(quint16 connection, qint64 timeMs, const QString &text);
    void flush();
    int flushInterval() const { return m_flushTimer.interval(); }
    void setFlushInterval(int milliseconds);
    FlushMode flushMode() const { return m_flushMode; }
    void setFlushMode(FlushMode mode);

    bool isPaused() const { return m_paused; }
    void setPaused(bool paused);
    // Accepted events not yet inserted as rows (the "N new" badge while paused).
    qsizetype pendingCount() const { return qsizetype(m_pending.size()); }

    const EventFilter &filter() const { return m_filter; }
    void setFilter(const EventFilter &filter);
    // Adds \a connection to a filter that shows only some connections, without a rescan: for
    // a connection just added, with nothing stored yet (a selected proxy's new exchange). A
    // connection with stored events gets the full setFilter().
    void addFilterConnection(quint16 connection);
    bool isRescanning() const { return m_rescanning; }
    // Caps the events tested per rescan slice (0 = only the time budget applies). For tests.
    void setRescanSliceLimit(int events) { m_rescanSliceLimit = qMax(0, events); }

    void clear();

    qsizetype visibleCount() const { return qsizetype(m_rows.size()); }
    // Visible plus pending; while a rescan runs, what the rescan has accepted so far plus pending.
    qsizetype acceptedCount() const;
    qsizetype totalCount() const;
    qint64 evictedCount() const;

    // Alert marks: the event's Time cell gets a bell and \a note as its tool tip. At most
    // MaximumMarks are kept (the oldest go); clear() drops them.
    static constexpr int MaximumMarks = 1000;
    void markEvent(qint64 sequence, const QString &note);
    bool isMarked(qint64 sequence) const { return m_marks.contains(sequence); }

    // User marks and notes (see EventAnnotations), dropped with the events the store evicts.
    // The setters return false when the annotation budget has no room (nothing changes).
    const EventAnnotations &annotations() const { return m_annotations; }
    bool setMarked(qint64 sequence, bool marked);
    // The same for many events with one annotationsChanged() and one dataChanged(); returns
    // the sequences whose mark changed. *refused gets the number the budget had no room for.
    QList<qint64> setMarked(const QList<qint64> &sequences, bool marked,
                            qsizetype *refused = nullptr);
    bool setNote(qint64 sequence, const QString &note);

    // The time reference: its row shows *REF* and SinceReference counts from it; -1 for none.
    // It goes when its event is evicted.
    qint64 timeReference() const { return m_timeReference; }
    void setTimeReference(qint64 sequence);
    TimeFormat timeFormat() const { return m_timeFormat; }
    void setTimeFormat(TimeFormat format);
    // The Time column text of \a row in the current format.
    QString timeText(int row) const;

    // The closest earlier event of the same connection and type as \a sequence, looking back
    // at most \a maximumSteps events; -1 if none.
    qint64 previousOfSameType(qint64 sequence, qint64 maximumSteps = 1'000'000) const;

    qint64 sequenceAt(int row) const; // -1 if row is out of range
    int rowOfSequence(qint64 sequence) const; // -1 if not visible

    // --- columns from fields and colouring rules (see fieldcolumn.h, colouringrules.h) ---
    // Field columns come after DataColumn: column ColumnCount + i shows fieldColumns()[i].
    // Values are formatted in data() for the rows drawn and cached, at most
    // FieldCacheBytes of text.
    static constexpr qsizetype FieldCacheBytes = 4 * 1024 * 1024;
    FieldColumnList fieldColumns() const { return m_fieldColumns; }
    void setFieldColumns(const FieldColumnList &columns);
    void addFieldColumn(const FieldColumn &column);
    // The field value of event \a sequence for field column \a fieldIndex (0-based).
    Sse::JsonPath::Value fieldValue(qint64 sequence, int fieldIndex) const;
    // Colours rows by the first matching rule; null (the default) colours nothing. Not owned.
    void setColouringRules(ColouringRules *rules);
    ColouringRules *colouringRules() const { return m_colouringRules; }

    // Sorting by a field column: keys are computed in slices on the event loop (as a rescan),
    // then sorted at once and the rows put in order with one layout change; arriving rows are
    // merged into place at each flush. Any other column (or -1) restores arrival order. The
    // keys take about 40 bytes per row (plus a string value's first 200 characters) while the
    // log is sorted.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }
    bool isSorting() const { return m_sortTimer.isActive(); }

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    // At most once per flush(), and after clear() and a finished rescan.
    void countsChanged();
    void pausedChanged(bool paused);
    void rescanProgress(int percent);
    void rescanFinished();
    void sortFinished();
    void fieldColumnsChanged();
    // A mark or note was set or removed, or evicted events took some with them.
    void annotationsChanged();
    void timeReferenceChanged(qint64 sequence);
    void timeFormatChanged(EventLogModel::TimeFormat format);

private:
    // Queues the rows of the events appended to the store from sequence \a begin on.
    void queueAppended(qint64 begin);
    void rescanSlice();
    void finishRescan();
    void stopRescan();
    void refilterForMarks();
    void emitCountsIfDirty();
    QHash<quint16, QByteArray> connectionNamesUtf8() const;
    QVariant displayData(qint64 sequence, int column) const;
    QVariant markerData(qint64 sequence, int column, int role) const;
    QVariant annotationData(qint64 sequence, int column, int role) const;
    void dropEvictedAnnotations();
    void emitRowChanged(qint64 sequence);

    std::unique_ptr<EventStore> m_store;
    QHash<qint64, QString> m_marks;
    std::deque<qint64> m_markOrder; // oldest first, for the bound
    EventAnnotations m_annotations;
    qint64 m_timeReference = -1;
    TimeFormat m_timeFormat = TimeFormat::TimeOfDay;
    EventFilter m_filter;

    // Sequence numbers, ascending. Every pending number is larger than every row's.
    std::deque<qint64> m_rows;
    std::vector<qint64> m_pending;
    // Events below this sequence were decided when rows were last inserted; a paused model keeps
    // the accepted ones among them visible and the later ones pending.
    qint64 m_visibleEnd = 0;

    QTimer m_flushTimer;
    FlushMode m_flushMode = FlushMode::OnTimer;
    bool m_paused = false;
    bool m_countsDirty = false;

    QTimer m_rescanTimer;
    bool m_rescanning = false;
    qint64 m_rescanNext = 0;
    qint64 m_rescanEnd = 0;
    qint64 m_rescanBegin = 0;
    int m_rescanPercent = -1;
    int m_rescanSliceLimit = 0;
    std::deque<qint64> m_rescanRows;

    QHash<quint16, QString> m_connectionNames;

    // Columns from fields, colouring and sorting.
    struct SortKey
    {
        qint64 sequence = 0;
        double number = 0;
        QString text;
        quint8 rank = 0; // numbers, strings, other values, missing
    };
    QVariant fieldData(qint64 sequence, int fieldIndex, int role) const;
    QVariant ruleData(qint64 sequence, int role) const;
    SortKey sortKey(qint64 sequence) const;
    bool sortLess(const SortKey &a, const SortKey &b) const;
    void startSort();
    void sortSlice();
    void finishSort();
    void stopSort();
    // flush() while the rows are sorted: evictions and arrivals as one layout change.
    void flushSorted();
    template<typename Change>
    void changeLayout(Change &&change);

    FieldColumnList m_fieldColumns;
    std::vector<Sse::JsonPath> m_fieldPaths;
    mutable QCache<quint64, QString> m_fieldCache{FieldCacheBytes};
    ColouringRules *m_colouringRules = nullptr;
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    bool m_sorted = false;              // m_sortKeys is the display order
    std::vector<SortKey> m_sortKeys;    // sorted rows, or the keys being computed
    std::vector<qint64> m_sortSnapshot; // the rows whose keys are being computed
    size_t m_sortNext = 0;
    QTimer m_sortTimer;
};

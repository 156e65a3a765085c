#pragma once

#include "seriescatalog.h"

#include <QHash>
#include <QList>
#include <QPair>
#include <QString>
#include <QWidget>

#include <functional>

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QDateTimeAxis;
class QLineEdit;
class QLineSeries;
class QListWidget;
class QListWidgetItem;
class QTimer;
class QToolButton;
class QValueAxis;
QT_END_NAMESPACE

class EventStore;
class FilterBar;

// The numeric charts: a checkable list of the series a SeriesCatalog discovered, and a
// chart of the checked ones over a rolling window.
//
// This is the only class that includes Qt Charts (deprecated since Qt 6.10), so a later
// move to another plotting backend stays inside this file pair.
//
// Updates are coalesced: a change (new samples, a different selection, a resize) starts
// a 40 ms single-shot timer (at most 25 updates per second, none while nothing changes).
// A tick decimates each series' window to about two points per horizontal pixel (min/max
// per pixel), sets each axis range once, and gives each line series one replace() with
// its points. While following, the window ends at the wall clock ("now", or the newest
// sample if that is later), and a clock timer moves it on when nothing arrives, so a stalled
// stream shows as a gap reaching to now instead of a still picture that looks live.
//
// x values are milliseconds since the Unix epoch (QDateTimeAxis). Value axes: series are
// grouped by magnitude (a group ends where the next series is more than ~10x larger) and
// each group gets its own axis, alternately left and right, at most MaximumValueAxes; the
// group of the first plotted series has the left axis. Each axis spans its series' window
// tightly (5 % padding). The axis labels take the colour of the first series on them once
// there is more than one axis.
//
// A series ticked in the list is back-filled by the catalog from the stored events, up to
// the window (SeriesCatalog::setBackfillSpanMs() follows it). The chart and the legend
// follow the widget palette (light or dark).
//
// The chart filter above the plot (a FilterBar, the event log's filter entry: the same
// language, colours, error label, completion, recent and saved filters) limits which events
// feed the plotted series (SeriesCatalog::setFilter()). An invalid text turns red and the chart
// keeps the filter in force. The filter and the window choice are kept in the settings
// (FilterKey, WindowKey) and restored by the next panel.
class ChartPanel : public QWidget
{
    Q_OBJECT
    Q_PROPERTY(bool paused READ isPaused WRITE setPaused NOTIFY pausedChanged)

public:
    static constexpr int DefaultWindowSeconds = 60;
    static constexpr int MaximumValueAxes = 4;
    static constexpr const char *FilterKey = "chart/filter";
    static constexpr const char *WindowKey = "chart/window"; // seconds > 0, points < 0

    /// `catalog` must outlive the panel; so must `store`, which offers the chart filter the
    /// JSON paths of its newest events for completion (optional).
    explicit ChartPanel(SeriesCatalog *catalog, const EventStore *store = nullptr,
                        QWidget *parent = nullptr);
    ~ChartPanel() override;

    /// Name shown for `connection` in the series list and legend.
    void setConnectionName(quint16 connection, const QString &name);
    QString connectionName(quint16 connection) const;

    /// Same as ticking the series in the list; forwards to SeriesCatalog::setPlotted().
    void setPlotted(const SeriesKey &key, bool plotted);
    QList<SeriesKey> plottedSeries() const;

    /// Points currently in the line series of `key` (0 if it is not plotted).
    int pointCount(const SeriesKey &key) const;
    /// Whether `key` is drawn against a right-hand value axis.
    bool isOnRightAxis(const SeriesKey &key) const;
    /// Index of the value axis `key` is drawn against (-1 if it is not plotted).
    int axisIndex(const SeriesKey &key) const;
    /// Value axes currently shown (at least 1).
    int visibleValueAxisCount() const;
    /// The range of value axis `index` ({0, 0} for an index out of range).
    QPair<double, double> valueAxisRange(int index) const;
    /// The time range on screen, ms since the epoch.
    QPair<qint64, qint64> timeRange() const;
    /// Name of `key` in the list and legend: unique even when connections share a name.
    QString seriesDisplayName(const SeriesKey &key) const;
    /// The hint shown over the chart (empty when the chart has something to show).
    QString emptyStateText() const;
    /// The chart filter entry.
    FilterBar *filterBar() const { return m_filterBar; }
    /// Sets the chart filter's text and applies it at once when it is valid.
    void setFilterText(const QString &text);

    /// The wall clock the window follows (for tests); ms since the epoch.
    void setClock(std::function<qint64()> clock);
    /// Number of decimation buckets: the plot area's width in pixels.
    int bucketCount() const;

    /// Rolling window of the last `seconds` seconds. Resumes following the stream.
    void setWindowSeconds(int seconds);
    /// 0 while the window is a point count.
    int windowSeconds() const { return m_windowSeconds; }
    /// Rolling window of the last `points` samples of each series. Resumes following.
    void setWindowPoints(int points);
    /// 0 while the window is a time span.
    int windowPoints() const { return m_windowPoints; }

    /// Freezes the view; the catalog keeps recording. Unpausing also drops a zoom.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    /// Returns to automatic axis ranges and resumes following.
    void resetZoom();

    /// OpenGL line rendering, off by default. Refused on the offscreen platform, where
    /// Qt 6.4 crashes with it.
    void setOpenGLEnabled(bool enabled);
    bool isOpenGLEnabled() const { return m_openGL; }

    /// Updates the chart now instead of at the next timer tick.
    void refresh();

Q_SIGNALS:
    void pausedChanged(bool paused);

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Plot
    {
        SeriesKey key;
        QLineSeries *series = nullptr; // owned by m_chart
        int axis = 0; // index into m_valueAxes
        bool hasRange = false;
        double minimum = 0;
        double maximum = 0;
    };

    void scheduleRefresh();
    void addListItems(const QList<SeriesKey> &keys);
    void handlePlottedChanged(const SeriesKey &key, bool plotted);
    void handleCatalogCleared();
    void handleItemChanged(QListWidgetItem *item);
    void handleWindowActivated(int index);
    void handleAxisRangeChanged();
    void applyFilter(const QString &text);
    void applyChartFilter(const Sse::FilterExpression &expression);
    void restoreSettings();
    void syncWindowCombo();
    void assignAxes();
    void moveToAxis(Plot &plot, int axis);
    QValueAxis *valueAxis(int index);
    void applyRanges(qint64 fromMs, qint64 toMs);
    void applyPalette();
    void updateEmptyState();
    void updateClockTimer();
    void renameAll();
    QString connectionLabel(quint16 connection) const;
    /// A printf format for value labels from \a minimum to \a maximum in \a ticks ticks.
    static QString labelFormat(double minimum, double maximum, int ticks);
    QString seriesName(const Plot &plot) const;
    int plotIndex(const SeriesKey &key) const;

    SeriesCatalog *m_catalog;
    QListWidget *m_list = nullptr;
    QLineEdit *m_filter = nullptr; // filters the series list by name
    FilterBar *m_filterBar = nullptr; // the chart filter
    QComboBox *m_windowCombo = nullptr;
    QToolButton *m_pauseButton = nullptr;
    QToolButton *m_resetZoomButton = nullptr;
    QChartView *m_chartView = nullptr;
    QChart *m_chart = nullptr; // owned by m_chartView
    QDateTimeAxis *m_axisX = nullptr; // axes owned by m_chart
    QList<QValueAxis *> m_valueAxes; // [0] is the left axis; created as needed
    QLabel *m_emptyLabel = nullptr;
    QTimer *m_refreshTimer = nullptr;
    QTimer *m_clockTimer = nullptr; // moves a following window on when nothing arrives
    std::function<qint64()> m_clock;

    QList<Plot> m_plots; // in plotting order
    QHash<SeriesKey, QListWidgetItem *> m_items;
    QList<SeriesKey> m_itemKeys; // item->data(Qt::UserRole) indexes this list
    QHash<quint16, QString> m_connectionNames;

    int m_windowSeconds = DefaultWindowSeconds;
    int m_windowPoints = 0;
    bool m_paused = false;
    bool m_zoomed = false;
    bool m_openGL = false;
    bool m_updatingAxes = false; // true while we change the chart ourselves
    bool m_updatingList = false;
    qint64 m_viewFromMs = 0; // the window on screen, kept while paused
    qint64 m_viewToMs = 0;
};

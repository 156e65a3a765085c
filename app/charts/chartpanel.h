#pragma once

#include "seriescatalog.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QWidget>

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
class QComboBox;
class QDateTimeAxis;
class QLineEdit;
class QLineSeries;
class QListWidget;
class QListWidgetItem;
class QTimer;
class QToolButton;
class QValueAxis;
QT_END_NAMESPACE

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
// its points. The window ends at the newest sample of the plotted series, so a stream
// that goes quiet leaves a still picture.
//
// x values are milliseconds since the Unix epoch (QDateTimeAxis). A series whose values
// are more than ~10x larger or smaller than the first plotted series goes on the right axis.
class ChartPanel : public QWidget
{
    Q_OBJECT
    Q_PROPERTY(bool paused READ isPaused WRITE setPaused NOTIFY pausedChanged)

public:
    static constexpr int DefaultWindowSeconds = 60;

    /// `catalog` must outlive the panel.
    explicit ChartPanel(SeriesCatalog *catalog, QWidget *parent = nullptr);
    ~ChartPanel() override;

    /// Name shown for `connection` in the series list and legend.
    void setConnectionName(quint16 connection, const QString &name);
    QString connectionName(quint16 connection) const;

    /// Same as ticking the series in the list; forwards to SeriesCatalog::setPlotted().
    void setPlotted(const SeriesKey &key, bool plotted);
    QList<SeriesKey> plottedSeries() const;

    /// Points currently in the line series of `key` (0 if it is not plotted).
    int pointCount(const SeriesKey &key) const;
    /// Whether `key` is drawn against the right-hand value axis.
    bool isOnRightAxis(const SeriesKey &key) const;
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

private:
    struct Plot
    {
        SeriesKey key;
        QLineSeries *series = nullptr; // owned by m_chart
        bool onRightAxis = false;
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
    void syncWindowCombo();
    void assignAxes();
    void applyRanges(qint64 fromMs, qint64 toMs);
    QString seriesName(const Plot &plot) const;
    int plotIndex(const SeriesKey &key) const;

    SeriesCatalog *m_catalog;
    QListWidget *m_list = nullptr;
    QLineEdit *m_filter = nullptr;
    QComboBox *m_windowCombo = nullptr;
    QToolButton *m_pauseButton = nullptr;
    QToolButton *m_resetZoomButton = nullptr;
    QChartView *m_chartView = nullptr;
    QChart *m_chart = nullptr; // owned by m_chartView
    QDateTimeAxis *m_axisX = nullptr; // axes owned by m_chart
    QValueAxis *m_axisLeft = nullptr;
    QValueAxis *m_axisRight = nullptr;
    QTimer *m_refreshTimer = nullptr;

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

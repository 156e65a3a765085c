#include "chartpanel.h"

#include "views/filterbar.h"

#include <QBoxLayout>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QGuiApplication>
#include <QLabel>
#include <QLegend>
#include <QLineEdit>
#include <QLineSeries>
#include <QListWidget>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QScopedValueRollback>
#include <QSettings>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTimer>
#include <QToolButton>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

Q_LOGGING_CATEGORY(lcCharts, "ssemonitor.charts")

// Series list rows never wider than the list: a list view that flows top to bottom draws each
// row across the whole viewport, so long names are cut there ("…") rather than clipped past a
// horizontal scroll bar.
class FitWidthDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        return {1, QStyledItemDelegate::sizeHint(option, index).height()};
    }
};

// 40 ms: at most 25 chart updates per second.
constexpr int RefreshIntervalMs = 40;

// Axis grouping: neighbours in magnitude order go on separate axes when one is more than
// SplitRatio times the other, and back on one axis below RejoinRatio, so a series near the
// limit does not flip on every tick.
constexpr double SplitRatio = 10.0;
constexpr double RejoinRatio = 5.0;

constexpr int MinimumBuckets = 16;
constexpr int MaximumBuckets = 4096;

struct WindowChoice
{
    const char *label;
    int seconds; // 0 for a point count
    int points;
};

constexpr WindowChoice windowChoices[] = {
    { "10 s", 10, 0 },
    { "30 s", 30, 0 },
    { "1 min", 60, 0 },
    { "5 min", 300, 0 },
    { "15 min", 900, 0 },
    { "Last 1,000 points", 0, 1000 },
    { "Last 10,000 points", 0, 10000 },
    { "Last 100,000 points", 0, 100000 },
};

// Encodes a window in one combo item datum: seconds as positive, points as negative.
int windowData(int seconds, int points)
{
    return seconds > 0 ? seconds : -points;
}

double magnitude(double minimum, double maximum)
{
    return qMax(std::abs(minimum), std::abs(maximum));
}

} // namespace

ChartPanel::ChartPanel(SeriesCatalog *catalog, const EventStore *store, QWidget *parent)
    : QWidget(parent)
    , m_catalog(catalog)
{
    Q_ASSERT(catalog);

    m_filterBar = new FilterBar(store, this);
    // Names of its own: the event log's filter bar keeps the display filter names.
    m_filterBar->setObjectName(QStringLiteral("chartFilterBar"));
    m_filterBar->edit()->setObjectName(QStringLiteral("chartFilterEdit"));
    m_filterBar->statusLabel()->setObjectName(QStringLiteral("chartFilterStatus"));
    m_filterBar->filtersButton()->setObjectName(QStringLiteral("chartFiltersButton"));
    m_filterBar->edit()->setPlaceholderText(
        tr("Only matching events feed the chart, e.g. type == \"trade\""));
    m_filterBar->edit()->setAccessibleName(tr("Chart filter"));
    // A narrower error label than the log's (the full error is in its tooltip), so the entry
    // keeps room in a bottom tab.
    m_filterBar->statusLabel()->setFixedWidth(
        m_filterBar->statusLabel()->fontMetrics().averageCharWidth() * 30);
    // Its own label, without the log filter's Alt+L (the bar's label is the edit's buddy).
    for (QLabel *label : m_filterBar->findChildren<QLabel *>()) {
        if (label->buddy() == m_filterBar->edit())
            label->setText(tr("Chart filter:"));
    }

    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter series"));
    m_filter->setAccessibleName(tr("Filter series"));
    m_filter->setClearButtonEnabled(true);

    m_list = new QListWidget(this);
    m_list->setUniformItemSizes(true);
    m_list->setItemDelegate(new FitWidthDelegate(m_list));
    // The middle goes: the connection and the split value at the end tell series apart.
    m_list->setTextElideMode(Qt::ElideMiddle);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setSortingEnabled(true);
    m_list->setToolTip(tr("Tick a series to plot it"));
    m_list->setAccessibleName(tr("Series"));

    m_windowCombo = new QComboBox(this);
    m_windowCombo->setAccessibleName(tr("Time window"));
    for (const WindowChoice &choice : windowChoices)
        m_windowCombo->addItem(tr(choice.label), windowData(choice.seconds, choice.points));

    m_pauseButton = new QToolButton(this);
    m_pauseButton->setText(tr("Pause"));
    m_pauseButton->setCheckable(true);
    m_pauseButton->setToolTip(tr("Freeze the chart; recording continues"));

    m_resetZoomButton = new QToolButton(this);
    m_resetZoomButton->setText(tr("Reset zoom"));
    m_resetZoomButton->setToolTip(tr("Automatic ranges; follow the stream again"));

    m_chart = new QChart;
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->legend()->setVisible(true);
    m_chart->legend()->setAlignment(Qt::AlignBottom);

    m_axisX = new QDateTimeAxis(m_chart);
    m_axisX->setFormat(QStringLiteral("hh:mm:ss"));
    m_axisX->setTickCount(6);
    m_clock = [] { return QDateTime::currentMSecsSinceEpoch(); };
    {
        const QScopedValueRollback<bool> guard(m_updatingAxes, true);
        m_chart->addAxis(m_axisX, Qt::AlignBottom);
        valueAxis(0);
        m_viewToMs = m_clock();
        m_viewFromMs = m_viewToMs - qint64(m_windowSeconds) * 1000;
        applyRanges(m_viewFromMs, m_viewToMs);
    }

    m_chartView = new QChartView(m_chart, this);
    m_chartView->setRubberBand(QChartView::RectangleRubberBand);
    m_chartView->setMinimumSize(320, 200);
    m_chartView->setAccessibleName(tr("Chart"));
    m_chartView->setAccessibleDescription(tr("Drag a rectangle to zoom in; right-click to zoom "
                                             "out"));
    m_chartView->viewport()->setAccessibleName(tr("Chart"));

    // The empty-state hint sits over the plot; it lets clicks through to the chart.
    m_emptyLabel = new QLabel(m_chartView->viewport());
    m_emptyLabel->setObjectName(QStringLiteral("chartEmptyState"));
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setWordWrap(true);
    m_emptyLabel->setAttribute(Qt::WA_TransparentForMouseEvents);
    auto *overlay = new QVBoxLayout(m_chartView->viewport());
    overlay->addWidget(m_emptyLabel);

    auto *listSide = new QWidget(this);
    auto *listLayout = new QVBoxLayout(listSide);
    listLayout->setContentsMargins(0, 0, 0, 0);
    listLayout->addWidget(m_filter);
    listLayout->addWidget(m_list);

    auto *chartSide = new QWidget(this);
    auto *controls = new QHBoxLayout;
    auto *windowLabel = new QLabel(tr("&Window:"), chartSide);
    windowLabel->setBuddy(m_windowCombo);
    controls->addWidget(windowLabel);
    controls->addWidget(m_windowCombo);
    controls->addWidget(m_pauseButton);
    controls->addWidget(m_resetZoomButton);
    controls->addStretch();
    auto *chartLayout = new QVBoxLayout(chartSide);
    chartLayout->setContentsMargins(0, 0, 0, 0);
    chartLayout->addLayout(controls);
    chartLayout->addWidget(m_chartView, 1);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(listSide);
    splitter->addWidget(chartSide);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({ 260, 740 });
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_filterBar->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    layout->addWidget(m_filterBar); // across the panel: it applies to every series
    layout->addWidget(splitter, 1);

    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(RefreshIntervalMs);
    connect(m_refreshTimer, &QTimer::timeout, this, &ChartPanel::refresh);
    m_clockTimer = new QTimer(this);
    connect(m_clockTimer, &QTimer::timeout, this, &ChartPanel::scheduleRefresh);

    connect(m_catalog, &SeriesCatalog::seriesDiscovered, this, &ChartPanel::addListItems);
    connect(m_catalog, &SeriesCatalog::plottedChanged, this, &ChartPanel::handlePlottedChanged);
    connect(m_catalog, &SeriesCatalog::cleared, this, &ChartPanel::handleCatalogCleared);
    connect(m_catalog, &SeriesCatalog::samplesAppended, this, [this] {
        if (!m_paused)
            scheduleRefresh();
    });
    // Even while paused: the hint says what the filter is doing.
    connect(m_catalog, &SeriesCatalog::rebuildingChanged, this, &ChartPanel::scheduleRefresh);
    connect(m_filterBar, &FilterBar::expressionApplied, this, &ChartPanel::applyChartFilter);

    connect(m_list, &QListWidget::itemChanged, this, &ChartPanel::handleItemChanged);
    connect(m_filter, &QLineEdit::textChanged, this, &ChartPanel::applyFilter);
    connect(m_windowCombo, &QComboBox::activated, this, &ChartPanel::handleWindowActivated);
    connect(m_pauseButton, &QToolButton::toggled, this, &ChartPanel::setPaused);
    connect(m_resetZoomButton, &QToolButton::clicked, this, &ChartPanel::resetZoom);

    // Range changes we did not make come from the rubber band, the mouse wheel or the
    // right-click zoom-out of QChartView.
    connect(m_axisX, &QDateTimeAxis::rangeChanged, this, &ChartPanel::handleAxisRangeChanged);
    connect(m_chart, &QChart::plotAreaChanged, this, &ChartPanel::scheduleRefresh);

    applyPalette();
    syncWindowCombo();
    m_catalog->setBackfillSpanMs(qint64(m_windowSeconds) * 1000);
    addListItems(m_catalog->discoveredSeries());
    const QList<SeriesKey> plotted = m_catalog->plottedSeries();
    for (const SeriesKey &key : plotted)
        handlePlottedChanged(key, true);
    restoreSettings();
    updateEmptyState();
}

ChartPanel::~ChartPanel() = default;

void ChartPanel::restoreSettings()
{
    const QSettings settings;
    const int window = settings.value(QLatin1String(WindowKey), 0).toInt();
    if (window > 0)
        setWindowSeconds(window);
    else if (window < 0)
        setWindowPoints(-window);
    const QString text = settings.value(QLatin1String(FilterKey)).toString();
    const Sse::FilterExpression expression = Sse::FilterExpression::parse(text);
    if (text.isEmpty() || !expression.isValid())
        return;
    // The bar applies the same text again after its typing pause; the catalog ignores that.
    m_catalog->setFilter(expression);
    m_filterBar->edit()->setText(text);
}

void ChartPanel::setFilterText(const QString &text)
{
    m_filterBar->setText(text);
}

void ChartPanel::applyChartFilter(const Sse::FilterExpression &expression)
{
    QSettings().setValue(QLatin1String(FilterKey), expression.text().trimmed());
    m_catalog->setFilter(expression);
    scheduleRefresh();
}

void ChartPanel::setConnectionName(quint16 connection, const QString &name)
{
    if (m_connectionNames.value(connection) == name)
        return;
    m_connectionNames.insert(connection, name);
    m_catalog->setConnectionName(connection, name); // the chart filter's `connection` field
    // Another connection's label may change too (it gains or loses its number).
    renameAll();
}

void ChartPanel::renameAll()
{
    const QScopedValueRollback<bool> guard(m_updatingList, true);
    for (auto it = m_items.cbegin(); it != m_items.cend(); ++it) {
        it.value()->setText(seriesDisplayName(it.key()));
        it.value()->setToolTip(it.value()->text());
    }
    for (const Plot &plot : std::as_const(m_plots))
        plot.series->setName(seriesName(plot));
    updateEmptyState();
}

QString ChartPanel::connectionLabel(quint16 connection) const
{
    const QString name = m_connectionNames.value(connection);
    if (name.isEmpty())
        return name; // displayName() falls back to "#<id>"
    for (auto it = m_connectionNames.cbegin(); it != m_connectionNames.cend(); ++it) {
        if (it.key() != connection && it.value() == name)
            return name + QLatin1String(" #") + QString::number(connection);
    }
    return name;
}

QString ChartPanel::seriesDisplayName(const SeriesKey &key) const
{
    return key.displayName(connectionLabel(key.connection));
}

QString ChartPanel::connectionName(quint16 connection) const
{
    return m_connectionNames.value(connection);
}

void ChartPanel::setPlotted(const SeriesKey &key, bool plotted)
{
    // The catalog is the single source of truth; handlePlottedChanged() updates the view.
    m_catalog->setPlotted(key, plotted);
}

QList<SeriesKey> ChartPanel::plottedSeries() const
{
    QList<SeriesKey> keys;
    keys.reserve(m_plots.size());
    for (const Plot &plot : m_plots)
        keys.append(plot.key);
    return keys;
}

int ChartPanel::pointCount(const SeriesKey &key) const
{
    const int index = plotIndex(key);
    return index < 0 ? 0 : int(m_plots.at(index).series->count());
}

bool ChartPanel::isOnRightAxis(const SeriesKey &key) const
{
    return axisIndex(key) % 2 == 1;
}

int ChartPanel::axisIndex(const SeriesKey &key) const
{
    const int index = plotIndex(key);
    return index < 0 ? -1 : m_plots.at(index).axis;
}

int ChartPanel::visibleValueAxisCount() const
{
    return int(std::count_if(m_valueAxes.cbegin(), m_valueAxes.cend(),
                             [](const QValueAxis *axis) { return axis->isVisible(); }));
}

QPair<double, double> ChartPanel::valueAxisRange(int index) const
{
    if (index < 0 || index >= m_valueAxes.size())
        return { 0, 0 };
    return { m_valueAxes.at(index)->min(), m_valueAxes.at(index)->max() };
}

QPair<qint64, qint64> ChartPanel::timeRange() const
{
    return { m_axisX->min().toMSecsSinceEpoch(), m_axisX->max().toMSecsSinceEpoch() };
}

QString ChartPanel::emptyStateText() const
{
    return m_emptyLabel->isVisibleTo(m_chartView) ? m_emptyLabel->text() : QString();
}

void ChartPanel::setClock(std::function<qint64()> clock)
{
    m_clock = std::move(clock);
    scheduleRefresh();
}

int ChartPanel::bucketCount() const
{
    int width = qRound(m_chart->plotArea().width());
    if (width < MinimumBuckets) {
        // Not laid out yet: estimate from the view, leaving room for the axis labels.
        width = m_chartView->viewport()->width() - 120;
    }
    return qBound(MinimumBuckets, width, MaximumBuckets);
}

void ChartPanel::setWindowSeconds(int seconds)
{
    m_windowSeconds = qMax(1, seconds);
    m_windowPoints = 0;
    m_catalog->setBackfillSpanMs(qint64(m_windowSeconds) * 1000);
    syncWindowCombo();
    resetZoom();
}

void ChartPanel::setWindowPoints(int points)
{
    m_windowPoints = qMax(2, points);
    m_windowSeconds = 0;
    m_catalog->setBackfillSpanMs(0); // as many points as the buffer holds
    syncWindowCombo();
    resetZoom();
}

void ChartPanel::setPaused(bool paused)
{
    if (m_paused != paused) {
        m_paused = paused;
        if (!paused)
            m_zoomed = false;
        const QSignalBlocker blocker(m_pauseButton);
        m_pauseButton->setChecked(paused);
        emit pausedChanged(paused);
    }
    updateClockTimer();
    scheduleRefresh();
}

void ChartPanel::resetZoom()
{
    m_zoomed = false;
    setPaused(false);
}

void ChartPanel::setOpenGLEnabled(bool enabled)
{
    if (enabled && QGuiApplication::platformName() == QLatin1String("offscreen")) {
        qCInfo(lcCharts) << "OpenGL rendering is not available on the offscreen platform";
        enabled = false;
    }
    if (m_openGL == enabled)
        return;
    m_openGL = enabled;
    for (const Plot &plot : std::as_const(m_plots))
        plot.series->setUseOpenGL(enabled);
}

void ChartPanel::refresh()
{
    m_refreshTimer->stop();
    const QScopedValueRollback<bool> guard(m_updatingAxes, true);
    const int buckets = bucketCount();

    qint64 fromMs = m_viewFromMs;
    qint64 toMs = m_viewToMs;
    const bool following = !m_paused;
    if (following) {
        // The window ends now on the wall clock (or at the newest sample, if a clock
        // difference puts that in the future).
        bool anySamples = false;
        qint64 newest = std::numeric_limits<qint64>::min();
        qint64 oldestWanted = std::numeric_limits<qint64>::max();
        for (const Plot &plot : std::as_const(m_plots)) {
            const SeriesBuffer *buffer = m_catalog->buffer(plot.key);
            if (!buffer || buffer->isEmpty())
                continue;
            anySamples = true;
            newest = qMax(newest, buffer->last().timeMs);
            if (m_windowPoints > 0) {
                const int first = qMax(0, buffer->size() - m_windowPoints);
                oldestWanted = qMin(oldestWanted, buffer->at(first).timeMs);
            }
        }
        toMs = anySamples ? qMax(newest, m_clock()) : m_clock();
        if (m_windowPoints > 0) {
            fromMs = anySamples ? oldestWanted
                                : toMs - qint64(DefaultWindowSeconds) * 1000;
        } else {
            fromMs = toMs - qint64(m_windowSeconds) * 1000;
        }
        m_viewFromMs = fromMs;
        m_viewToMs = toMs;
    }

    QList<QList<QPointF>> pointsPerPlot;
    pointsPerPlot.reserve(m_plots.size());
    for (Plot &plot : m_plots) {
        const SeriesBuffer *buffer = m_catalog->buffer(plot.key);
        QList<QPointF> points;
        if (buffer && !buffer->isEmpty()) {
            qint64 seriesFromMs = fromMs;
            if (following && m_windowPoints > 0) {
                const int first = qMax(0, buffer->size() - m_windowPoints);
                seriesFromMs = qMax(fromMs, buffer->at(first).timeMs);
            }
            points = buffer->decimate(seriesFromMs, toMs, buckets);
        }
        // Decimation keeps every bucket's extremes, so the points have the same value
        // range as the samples in the window.
        plot.hasRange = !points.isEmpty();
        if (plot.hasRange) {
            plot.minimum = plot.maximum = points.constFirst().y();
            for (const QPointF &point : std::as_const(points)) {
                plot.minimum = qMin(plot.minimum, point.y());
                plot.maximum = qMax(plot.maximum, point.y());
            }
        }
        pointsPerPlot.append(std::move(points));
    }

    // Qt Charts recomputes the whole geometry of every attached series (a QPainterPath
    // and its stroke) on each axis range change, which costs as much as a replace().
    // With the old points in place, moving the axes made a tick about twice as slow
    // (measured: 2 series of ~1,200 points, 14 ms against 7 ms). So the series are
    // emptied first (an empty series skips the recomputation), the axes move, and then
    // each series gets its one replace() with the new points.
    const bool axesMove = !m_zoomed;
    if (axesMove) {
        for (const Plot &plot : std::as_const(m_plots)) {
            if (plot.series->count() > 0)
                plot.series->replace(QList<QPointF>());
        }
    }
    assignAxes();
    if (axesMove)
        applyRanges(fromMs, toMs);
    for (int i = 0; i < m_plots.size(); ++i) {
        const Plot &plot = m_plots.at(i);
        if (!pointsPerPlot.at(i).isEmpty() || plot.series->count() > 0)
            plot.series->replace(pointsPerPlot.at(i));
    }
    updateEmptyState();
}

void ChartPanel::scheduleRefresh()
{
    if (!m_refreshTimer->isActive())
        m_refreshTimer->start();
}

void ChartPanel::addListItems(const QList<SeriesKey> &keys)
{
    const QScopedValueRollback<bool> guard(m_updatingList, true);
    for (const SeriesKey &key : keys) {
        if (m_items.contains(key))
            continue;
        auto *item = new QListWidgetItem(seriesDisplayName(key));
        item->setToolTip(item->text()); // the whole name, also when the row cuts it
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
        item->setCheckState(m_catalog->isPlotted(key) ? Qt::Checked : Qt::Unchecked);
        item->setData(Qt::UserRole, int(m_itemKeys.size()));
        m_itemKeys.append(key);
        m_items.insert(key, item);
        m_list->addItem(item); // the list owns the item
        if (!m_filter->text().isEmpty())
            item->setHidden(!item->text().contains(m_filter->text(), Qt::CaseInsensitive));
    }
    if (m_plots.isEmpty() && !keys.isEmpty())
        updateEmptyState();
}

void ChartPanel::handlePlottedChanged(const SeriesKey &key, bool plotted)
{
    const int index = plotIndex(key);
    if (plotted && index < 0) {
        const QScopedValueRollback<bool> guard(m_updatingAxes, true);
        auto *series = new QLineSeries;
        m_chart->addSeries(series); // the chart owns the series
        series->attachAxis(m_axisX);
        series->attachAxis(valueAxis(0));
        QPen pen = series->pen();
        pen.setWidthF(1.5);
        series->setPen(pen);
        series->setUseOpenGL(m_openGL);
        Plot plot;
        plot.key = key;
        plot.series = series;
        series->setName(seriesName(plot));
        m_plots.append(plot);
        if (!m_items.contains(key))
            addListItems({ key });
    } else if (!plotted && index >= 0) {
        const QScopedValueRollback<bool> guard(m_updatingAxes, true);
        QLineSeries *series = m_plots.at(index).series;
        m_chart->removeSeries(series); // ownership returns to us
        delete series;
        m_plots.removeAt(index);
    }

    if (QListWidgetItem *item = m_items.value(key)) {
        const QScopedValueRollback<bool> guard(m_updatingList, true);
        item->setCheckState(plotted ? Qt::Checked : Qt::Unchecked);
    }
    for (const Plot &plot : std::as_const(m_plots))
        plot.series->setName(seriesName(plot)); // the common part of the names changed
    updateClockTimer();
    updateEmptyState();
    scheduleRefresh();
}

void ChartPanel::handleCatalogCleared()
{
    {
        const QScopedValueRollback<bool> guard(m_updatingAxes, true);
        for (const Plot &plot : std::as_const(m_plots)) {
            m_chart->removeSeries(plot.series);
            delete plot.series;
        }
    }
    m_plots.clear();
    const QScopedValueRollback<bool> guard(m_updatingList, true);
    m_list->clear();
    m_items.clear();
    m_itemKeys.clear();
    updateClockTimer();
    updateEmptyState();
    scheduleRefresh();
}

void ChartPanel::handleItemChanged(QListWidgetItem *item)
{
    if (m_updatingList)
        return;
    const int keyIndex = item->data(Qt::UserRole).toInt();
    if (keyIndex < 0 || keyIndex >= m_itemKeys.size())
        return;
    m_catalog->setPlotted(m_itemKeys.at(keyIndex), item->checkState() == Qt::Checked);
}

void ChartPanel::handleWindowActivated(int index)
{
    const int data = m_windowCombo->itemData(index).toInt();
    QSettings().setValue(QLatin1String(WindowKey), data);
    if (data > 0)
        setWindowSeconds(data);
    else if (data < 0)
        setWindowPoints(-data);
}

void ChartPanel::handleAxisRangeChanged()
{
    if (m_updatingAxes)
        return;
    // The user zoomed or scrolled: stop following and keep their ranges. The refresh
    // decimates the new x range at full resolution but leaves the axes alone.
    m_zoomed = true;
    m_viewFromMs = m_axisX->min().toMSecsSinceEpoch();
    m_viewToMs = m_axisX->max().toMSecsSinceEpoch();
    setPaused(true);
}

void ChartPanel::applyFilter(const QString &text)
{
    for (int row = 0; row < m_list->count(); ++row) {
        QListWidgetItem *item = m_list->item(row);
        item->setHidden(!text.isEmpty() && !item->text().contains(text, Qt::CaseInsensitive));
    }
}

void ChartPanel::syncWindowCombo()
{
    const int data = windowData(m_windowSeconds, m_windowPoints);
    int index = m_windowCombo->findData(data);
    if (index < 0) {
        const QString label = m_windowSeconds > 0
                ? tr("%n s", nullptr, m_windowSeconds)
                : tr("Last %n points", nullptr, m_windowPoints);
        m_windowCombo->addItem(label, data);
        index = m_windowCombo->count() - 1;
    }
    const QSignalBlocker blocker(m_windowCombo);
    m_windowCombo->setCurrentIndex(index);
}

QValueAxis *ChartPanel::valueAxis(int index)
{
    while (m_valueAxes.size() <= index) {
        const int created = int(m_valueAxes.size());
        auto *axis = new QValueAxis(m_chart);
        axis->setLabelFormat(QStringLiteral("%.5g"));
        axis->setTickCount(5);
        axis->setVisible(created == 0);
        {
            const QScopedValueRollback<bool> guard(m_updatingAxes, true);
            m_chart->addAxis(axis, created % 2 == 0 ? Qt::AlignLeft : Qt::AlignRight);
        }
        connect(axis, &QValueAxis::rangeChanged, this, &ChartPanel::handleAxisRangeChanged);
        m_valueAxes.append(axis);
        if (created > 0)
            applyPalette();
    }
    return m_valueAxes.at(index);
}

void ChartPanel::moveToAxis(Plot &plot, int axis)
{
    if (plot.axis == axis)
        return;
    QValueAxis *target = valueAxis(axis);
    plot.series->detachAxis(m_valueAxes.at(plot.axis));
    plot.series->attachAxis(target);
    plot.axis = axis;
    plot.series->setName(seriesName(plot));
}

void ChartPanel::assignAxes()
{
    // Series with a range, in magnitude order, cut into groups at the large steps.
    QList<int> order;
    for (int i = 0; i < m_plots.size(); ++i) {
        const Plot &plot = m_plots.at(i);
        if (plot.hasRange && magnitude(plot.minimum, plot.maximum) > 0)
            order.append(i);
    }
    if (order.isEmpty())
        return;
    auto size = [this](int i) {
        return magnitude(m_plots.at(i).minimum, m_plots.at(i).maximum);
    };
    std::sort(order.begin(), order.end(), [&](int a, int b) { return size(a) < size(b); });
    QList<int> groupOf(m_plots.size(), -1);
    int groups = 0;
    for (int k = 0; k < order.size(); ++k) {
        if (k > 0) {
            const double ratio = size(order.at(k)) / size(order.at(k - 1));
            const bool apart = m_plots.at(order.at(k)).axis != m_plots.at(order.at(k - 1)).axis;
            if (ratio > SplitRatio || (apart && ratio > RejoinRatio))
                ++groups;
        }
        groupOf[order.at(k)] = groups;
    }
    ++groups;

    // The group of the first plotted series gets axis 0; the others follow in magnitude
    // order. Groups past the last axis share it.
    int firstGroup = 0;
    for (int i = 0; i < m_plots.size(); ++i) {
        if (groupOf.at(i) >= 0) {
            firstGroup = groupOf.at(i);
            break;
        }
    }
    QList<int> axisOfGroup(groups, 0);
    int next = 1;
    for (int group = 0; group < groups; ++group) {
        if (group != firstGroup)
            axisOfGroup[group] = qMin(next++, MaximumValueAxes - 1);
    }
    for (int i = 0; i < m_plots.size(); ++i) {
        if (groupOf.at(i) >= 0)
            moveToAxis(m_plots[i], axisOfGroup.at(groupOf.at(i)));
    }
}

void ChartPanel::applyRanges(qint64 fromMs, qint64 toMs)
{
    if (toMs - fromMs < 1000)
        fromMs = toMs - 1000;
    m_axisX->setFormat(toMs - fromMs <= 20000 ? QStringLiteral("hh:mm:ss.zzz")
                                              : QStringLiteral("hh:mm:ss"));
    m_axisX->setRange(QDateTime::fromMSecsSinceEpoch(fromMs),
                      QDateTime::fromMSecsSinceEpoch(toMs));

    struct Range
    {
        bool valid = false;
        double minimum = 0;
        double maximum = 0;
        QColor colour;
    };
    QList<Range> ranges(m_valueAxes.size());
    for (const Plot &plot : std::as_const(m_plots)) {
        if (!plot.hasRange)
            continue;
        Range &range = ranges[plot.axis];
        if (!range.valid)
            range.colour = plot.series->color();
        range.minimum = range.valid ? qMin(range.minimum, plot.minimum) : plot.minimum;
        range.maximum = range.valid ? qMax(range.maximum, plot.maximum) : plot.maximum;
        range.valid = true;
    }

    int shown = 0;
    for (const Range &range : std::as_const(ranges))
        shown += range.valid ? 1 : 0;
    for (int index = 0; index < m_valueAxes.size(); ++index) {
        QValueAxis *axis = m_valueAxes.at(index);
        const Range &range = ranges.at(index);
        axis->setVisible(index == 0 || range.valid);
        if (!range.valid) {
            axis->setRange(0, 1);
            continue;
        }
        // Tight: the window's values plus 5 % each side, no rounding out to "nice" ticks
        // (that is what stretched 0.85 .. 61,000 down to -50,000).
        double span = range.maximum - range.minimum;
        if (span <= 0)
            span = range.maximum != 0 ? std::abs(range.maximum) * 0.1 : 1.0;
        const double padding = span * 0.05;
        axis->setRange(range.minimum - padding, range.maximum + padding);
        axis->setLabelFormat(labelFormat(range.minimum - padding, range.maximum + padding,
                                         axis->tickCount()));
        axis->setLabelsColor(shown > 1 ? range.colour : palette().color(QPalette::Text));
    }
}

void ChartPanel::applyPalette()
{
    const QPalette colours = palette();
    const bool dark = colours.color(QPalette::Window).lightness() < 128;
    const QChart::ChartTheme theme = dark ? QChart::ChartThemeDark : QChart::ChartThemeLight;
    const QScopedValueRollback<bool> guard(m_updatingAxes, true);
    if (m_chart->theme() != theme) {
        m_chart->setTheme(theme); // resets the series pens: give back their width
        for (const Plot &plot : std::as_const(m_plots)) {
            QPen pen = plot.series->pen();
            pen.setWidthF(1.5);
            plot.series->setPen(pen);
        }
    }
    m_chart->setBackgroundBrush(colours.base());
    m_chart->setBackgroundRoundness(0);
    m_chart->legend()->setLabelColor(colours.color(QPalette::Text));
    m_chart->setTitleBrush(colours.text());
    const QColor grid = colours.color(QPalette::Mid);
    QList<QAbstractAxis *> axes { m_axisX };
    for (QValueAxis *axis : std::as_const(m_valueAxes))
        axes.append(axis);
    for (QAbstractAxis *axis : std::as_const(axes)) {
        axis->setLabelsColor(colours.color(QPalette::Text));
        axis->setGridLineColor(grid);
        axis->setLinePenColor(grid);
    }
    m_chartView->setBackgroundBrush(colours.base());
    QPalette hint = m_emptyLabel ? m_emptyLabel->palette() : colours;
    hint.setColor(QPalette::WindowText, colours.color(QPalette::PlaceholderText));
    if (m_emptyLabel)
        m_emptyLabel->setPalette(hint);
}

void ChartPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

void ChartPanel::updateEmptyState()
{
    QString text;
    if (m_plots.isEmpty()) {
        text = m_items.isEmpty()
                ? tr("No numeric fields seen yet. Series appear in the list as events with "
                     "numbers arrive.")
                : tr("Tick a series in the list to plot it.");
    } else {
        QStringList waiting;
        for (const Plot &plot : std::as_const(m_plots)) {
            const SeriesBuffer *buffer = m_catalog->buffer(plot.key);
            if (buffer && !buffer->isEmpty()) {
                m_emptyLabel->hide();
                return;
            }
            waiting.append(seriesDisplayName(plot.key));
        }
        if (m_catalog->isRebuilding())
            text = tr("Applying the chart filter to the stored events…");
        else if (!m_catalog->filter().isEmpty())
            text = tr("No events match the chart filter.");
        else
            text = tr("No values yet for %1. They appear as events arrive.")
                       .arg(waiting.join(QStringLiteral(", ")));
    }
    m_emptyLabel->setText(text);
    m_emptyLabel->show();
}

void ChartPanel::updateClockTimer()
{
    if (m_plots.isEmpty() || m_paused) {
        m_clockTimer->stop();
        return;
    }
    // About one step per pixel-ish of a short window, at most once a second.
    const qint64 spanMs = m_windowSeconds > 0 ? qint64(m_windowSeconds) * 1000 : 60000;
    m_clockTimer->setInterval(int(qBound(qint64(RefreshIntervalMs) * 5, spanMs / 100, qint64(1000))));
    if (!m_clockTimer->isActive())
        m_clockTimer->start();
}

QString ChartPanel::labelFormat(double minimum, double maximum, int ticks)
{
    // As many decimals as the step between two ticks needs, no more: "3096" rather than
    // "3096.4", so that four axes side by side keep their labels whole.
    const double magnitude = qMax(std::abs(minimum), std::abs(maximum));
    const double step = (maximum - minimum) / qMax(1, ticks - 1);
    if (magnitude >= 1e7 || magnitude < 1e-4 || !(step > 0))
        return QStringLiteral("%.5g");
    const int decimals = step >= 1 ? 0 : qBound(0, int(std::ceil(-std::log10(step))) + 1, 6);
    return QStringLiteral("%.") + QString::number(decimals) + QLatin1Char('f');
}

QString ChartPanel::seriesName(const Plot &plot) const
{
    // The legend leaves out what every plotted series has in common ("quotes / trade / price"
    // for five symbols), so the names that differ fit; the list keeps the full names.
    static const QRegularExpression separators(QStringLiteral(" / | \u00b7 "));
    const QString full = seriesDisplayName(plot.key);
    QString name = full;
    if (m_plots.size() > 1) {
        const QStringList parts = full.split(separators);
        int common = int(parts.size()) - 1; // the last part always stays
        for (const Plot &other : std::as_const(m_plots)) {
            const QStringList otherParts = seriesDisplayName(other.key).split(separators);
            int shared = 0;
            while (shared < common && shared < otherParts.size()
                   && otherParts.at(shared) == parts.at(shared)) {
                ++shared;
            }
            common = shared;
        }
        name = parts.mid(common).join(QStringLiteral(" / "));
        // Split by the same field ("symbol = AAPL", "symbol = BTC"): the values say it all.
        const qsizetype equals = name.indexOf(QStringLiteral(" = "));
        if (plot.key.isSplit() && common == parts.size() - 1 && equals > 0) {
            const QString field = name.left(equals + 3);
            const bool sameField = std::all_of(
                    m_plots.cbegin(), m_plots.cend(), [this, &field](const Plot &other) {
                        return seriesDisplayName(other.key).endsWith(
                                       field + QString::fromUtf8(other.key.splitValue))
                                && other.key.isSplit();
                    });
            if (sameField)
                name = name.mid(equals + 3);
        }
    }
    // Short, so that five names fit the legend of the default window.
    return plot.axis % 2 == 1 ? name + tr(" (right)", "series on the right-hand axis") : name;
}

int ChartPanel::plotIndex(const SeriesKey &key) const
{
    for (int i = 0; i < m_plots.size(); ++i) {
        if (m_plots.at(i).key == key)
            return i;
    }
    return -1;
}

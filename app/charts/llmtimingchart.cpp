#include "charts/llmtimingchart.h"

#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QLabel>
#include <QLineSeries>
#include <QStackedLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace {

// Room above the highest value, so the line does not run along the top edge.
double ceiling(double maximum)
{
    return maximum > 0 ? maximum * 1.1 : 1.0;
}

} // namespace

LlmTimingChart::LlmTimingChart(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("llmTimingChart"));
    m_chart = new QChart;
    m_chart->setAnimationOptions(QChart::NoAnimation);
    // No legend: each value axis takes its series' colour, title and labels, which says as
    // much in less room.
    m_chart->legend()->setVisible(false);
    m_chart->setMargins(QMargins(2, 2, 2, 2));

    m_gaps = new QLineSeries(m_chart);
    m_gaps->setName(tr("Gap between chunks"));
    m_rates = new QLineSeries(m_chart);
    m_chart->addSeries(m_gaps);
    m_chart->addSeries(m_rates);

    m_axisX = new QValueAxis(m_chart);
    m_axisX->setTitleText(tr("Seconds since the request"));
    m_axisGap = new QValueAxis(m_chart);
    m_axisGap->setTitleText(tr("Gap (ms)"));
    m_axisRate = new QValueAxis(m_chart);
    m_chart->addAxis(m_axisX, Qt::AlignBottom);
    m_chart->addAxis(m_axisGap, Qt::AlignLeft);
    m_chart->addAxis(m_axisRate, Qt::AlignRight);
    m_gaps->attachAxis(m_axisX);
    m_gaps->attachAxis(m_axisGap);
    m_rates->attachAxis(m_axisX);
    m_rates->attachAxis(m_axisRate);

    m_view = new QChartView(m_chart);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setAccessibleName(tr("Timing chart"));
    m_view->setMinimumHeight(160);

    m_empty = new QLabel;
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);

    auto *layout = new QStackedLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_empty);
    layout->addWidget(m_view);
    applyPalette();
    setSummary({});
}

QString LlmTimingChart::rateAxisTitle() const
{
    return m_estimated ? tr("est. tokens/s") : tr("Tokens/s");
}

bool LlmTimingChart::isChartShown() const
{
    return static_cast<QStackedLayout *>(layout())->currentIndex() == 1;
}

int LlmTimingChart::pointCount() const
{
    return int(m_gaps->count());
}

void LlmTimingChart::setSummary(const Sse::Llm::Summary &summary)
{
    bool estimated = true;
    const QList<Sse::Llm::TimelineRate> rates = Sse::Llm::timelineRates(summary, &estimated);
    QList<QPointF> gaps;
    QList<QPointF> tokens;
    gaps.reserve(rates.size());
    tokens.reserve(rates.size());
    double maximumGap = 0;
    double maximumRate = 0;
    for (const Sse::Llm::TimelineRate &rate : rates) {
        const double seconds = rate.ms / 1000.0;
        gaps.append(QPointF(seconds, rate.gapMs));
        tokens.append(QPointF(seconds, rate.tokensPerSecond));
        maximumGap = std::max(maximumGap, rate.gapMs);
        maximumRate = std::max(maximumRate, rate.tokensPerSecond);
    }
    m_gaps->replace(gaps);
    m_rates->replace(tokens);
    m_estimated = estimated;
    m_rates->setName(rateAxisTitle());
    m_axisRate->setTitleText(rateAxisTitle());
    const QString how = estimated
        ? tr("Tokens/s is an estimate: the stream gave no token count per chunk, so each "
             "interval's share of the output tokens is taken from the text it added.")
        : tr("Tokens/s from the token counts the stream reported as it went.");
    m_view->setToolTip(tr("Mean gap between chunks and output tokens per second over the "
                          "response.") + u' ' + how);
    const double start = summary.timing.ttfbMs.value_or(0) / 1000.0;
    const double end = rates.isEmpty() ? start + 1 : rates.constLast().ms / 1000.0;
    m_axisX->setRange(start, std::max(end, start + 0.001));
    m_axisGap->setRange(0, ceiling(maximumGap));
    m_axisRate->setRange(0, ceiling(maximumRate));
    // As many decimals as the step between two ticks needs, so that no two labels read alike.
    for (QValueAxis *axis : {m_axisX, m_axisGap, m_axisRate}) {
        const double step = (axis->max() - axis->min()) / std::max(1, axis->tickCount() - 1);
        const int decimals = step >= 1 ? 0 : std::min(6, int(std::ceil(-std::log10(step))));
        axis->setLabelFormat(QStringLiteral("%.") + QString::number(decimals) + u'f');
    }
    // A line needs two moments: chunks that all came in one millisecond (or none) get a line
    // of text instead of an empty plot.
    const bool drawable = rates.size() >= 2 && rates.constLast().ms > rates.constFirst().ms;
    if (summary.timing.points.isEmpty()) {
        m_empty->setText(tr("No per-chunk timing for this response (recordings made before "
                            "timelines were kept have none)"));
    } else if (!drawable) {
        m_empty->setText(tr("All %n chunk(s) so far arrived within one millisecond: no gaps to "
                            "chart",
                            nullptr, int(summary.timing.chunks)));
    }
    static_cast<QStackedLayout *>(layout())->setCurrentIndex(drawable ? 1 : 0);
}

void LlmTimingChart::applyPalette()
{
    const QPalette colours = palette();
    const bool dark = colours.color(QPalette::Window).lightness() < 128;
    const QChart::ChartTheme theme = dark ? QChart::ChartThemeDark : QChart::ChartThemeLight;
    if (m_chart->theme() != theme)
        m_chart->setTheme(theme); // also gives the series the theme's colours
    for (QLineSeries *series : {m_gaps, m_rates}) {
        QPen pen = series->pen();
        pen.setWidthF(1.5);
        series->setPen(pen);
    }
    m_chart->setBackgroundBrush(colours.base());
    m_chart->setBackgroundRoundness(0);
    const QColor grid = colours.color(QPalette::Mid);
    for (QValueAxis *axis : {m_axisX, m_axisGap, m_axisRate}) {
        axis->setLabelsColor(colours.color(QPalette::Text));
        axis->setTitleBrush(colours.text());
        axis->setGridLineColor(grid);
        axis->setLinePenColor(grid);
    }
    m_axisGap->setLabelsColor(m_gaps->color());
    m_axisGap->setTitleBrush(m_gaps->color());
    m_axisRate->setLabelsColor(m_rates->color());
    m_axisRate->setTitleBrush(m_rates->color());
    m_view->setBackgroundBrush(colours.base());
    QPalette hint = m_empty->palette();
    hint.setColor(QPalette::WindowText, colours.color(QPalette::PlaceholderText));
    m_empty->setPalette(hint);
}

void LlmTimingChart::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

#pragma once

#include "sselib/llmanalyser.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
class QLabel;
class QLineSeries;
class QValueAxis;
QT_END_NAMESPACE

// The timing chart of one LLM response: the mean gap between chunks (left axis, ms) and the
// output tokens per second (right axis) over the response, x in seconds since the request.
// Drawn from the response's timeline (Sse::Llm::Timing::points, at most MaximumPoints), so
// one setSummary() is one replace() per series whatever the response's length. The rate is
// from the stream's own token counts when it sent them per chunk, otherwise an estimate from
// the text each interval added; the axis title and the tooltip say which. Follows the widget
// palette (light or dark), as ChartPanel does; Qt Charts stays inside app/charts.
class LlmTimingChart : public QWidget
{
    Q_OBJECT
public:
    explicit LlmTimingChart(QWidget *parent = nullptr);

    /// Draws \a summary's timeline (a snapshot while it streams).
    void setSummary(const Sse::Llm::Summary &summary);

    /// Points per series (fewer than 2: a line of text says why there is no chart).
    int pointCount() const;
    /// The tokens/s series is an estimate (no per-chunk counts in the stream).
    bool isRateEstimated() const { return m_estimated; }
    QString rateAxisTitle() const;
    bool isChartShown() const;
    QChartView *chartView() const { return m_view; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();

    QChart *m_chart = nullptr;
    QChartView *m_view = nullptr;
    QLineSeries *m_gaps = nullptr;
    QLineSeries *m_rates = nullptr;
    QValueAxis *m_axisX = nullptr;
    QValueAxis *m_axisGap = nullptr;
    QValueAxis *m_axisRate = nullptr;
    QLabel *m_empty = nullptr;
    bool m_estimated = true;
};

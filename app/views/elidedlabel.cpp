#include "views/elidedlabel.h"

#include <QEvent>

namespace {

// The narrowest it gets: a few characters and the ellipsis.
constexpr int MinimumCharacters = 6;

} // namespace

ElidedLabel::ElidedLabel(QWidget *parent) : QLabel(parent)
{
    setTextFormat(Qt::PlainText);
    setWordWrap(false);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

void ElidedLabel::setFullText(const QString &text)
{
    if (text == m_fullText && !text.isEmpty())
        return;
    m_fullText = text;
    updateGeometry();
    updateElided();
}

QSize ElidedLabel::sizeHint() const
{
    const QMargins margins = contentsMargins();
    return {fontMetrics().horizontalAdvance(m_fullText) + margins.left() + margins.right()
                + 2 * margin(),
            QLabel::sizeHint().height()};
}

QSize ElidedLabel::minimumSizeHint() const
{
    const QMargins margins = contentsMargins();
    const int width = qMin(fontMetrics().averageCharWidth() * MinimumCharacters,
                           fontMetrics().horizontalAdvance(m_fullText));
    return {width + margins.left() + margins.right() + 2 * margin(),
            QLabel::minimumSizeHint().height()};
}

void ElidedLabel::resizeEvent(QResizeEvent *event)
{
    QLabel::resizeEvent(event);
    updateElided();
}

void ElidedLabel::changeEvent(QEvent *event)
{
    QLabel::changeEvent(event);
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange)
        updateElided();
}

void ElidedLabel::updateElided()
{
    const int width = contentsRect().width() - 2 * margin();
    const QString shown = fontMetrics().elidedText(m_fullText, Qt::ElideRight, width);
    // QLabel::setText() would ask for a new layout each time; only when the text changes.
    if (shown != text())
        QLabel::setText(shown);
    setToolTip(shown == m_fullText ? QString() : m_fullText);
}

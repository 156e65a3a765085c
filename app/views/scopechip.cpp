#include "views/scopechip.h"

namespace {

// The fewest characters of the names shown (with the ellipsis).
constexpr int MinimumNameCharacters = 6;

} // namespace

ScopeChip::ScopeChip(QWidget *parent) : QToolButton(parent)
{
    setToolButtonStyle(Qt::ToolButtonTextOnly);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void ScopeChip::setParts(const QString &before, const QString &names, const QString &after)
{
    m_before = before;
    m_names = names;
    m_after = after;
    updateGeometry();
    updateText();
}

int ScopeChip::widthFor(const QString &text) const
{
    // QToolButton::sizeHint() measures text(): the rest is the style's frame and padding.
    const int chrome =
        QToolButton::sizeHint().width() - fontMetrics().horizontalAdvance(this->text());
    return chrome + fontMetrics().horizontalAdvance(text);
}

QSize ScopeChip::sizeHint() const
{
    return {widthFor(fullText()), QToolButton::sizeHint().height()};
}

QSize ScopeChip::minimumSizeHint() const
{
    const QFontMetrics metrics = fontMetrics();
    const int names = qMin(metrics.horizontalAdvance(m_names),
                           metrics.averageCharWidth() * MinimumNameCharacters);
    return {widthFor(m_before + m_after) + names, QToolButton::sizeHint().height()};
}

void ScopeChip::resizeEvent(QResizeEvent *event)
{
    QToolButton::resizeEvent(event);
    updateText();
}

void ScopeChip::updateText()
{
    const int room = width() - widthFor(m_before + m_after);
    const QString names = fontMetrics().elidedText(m_names, Qt::ElideRight, qMax(0, room));
    const QString shown = m_before + names + m_after;
    if (shown != text())
        setText(shown);
}

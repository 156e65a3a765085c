#include "views/appstyle.h"

#include <QPainter>
#include <QStyleOption>

AppStyle::AppStyle(const QString &key) : QProxyStyle(key) { }

void AppStyle::drawPrimitive(PrimitiveElement element, const QStyleOption *option,
                             QPainter *painter, const QWidget *widget) const
{
    switch (element) {
    case PE_PanelButtonTool:
        if (option->state & State_On) {
            // On: a tinted panel with a highlight border, whatever the base style draws.
            const QColor highlight = option->palette.color(QPalette::Active, QPalette::Highlight);
            QColor fill = highlight;
            fill.setAlpha(option->state & State_MouseOver ? 110 : 80);
            painter->save();
            painter->setRenderHint(QPainter::Antialiasing);
            painter->setPen(QPen(highlight, 1));
            painter->setBrush(fill);
            painter->drawRoundedRect(QRectF(option->rect).adjusted(0.5, 0.5, -0.5, -0.5), 3, 3);
            painter->restore();
            return;
        }
        break;
    case PE_IndicatorCheckBox:
    case PE_IndicatorItemViewItemCheck: {
        QProxyStyle::drawPrimitive(element, option, painter, widget);
        // The box's edge in the text colour, half transparent: visible on any base.
        QColor edge = option->palette.color(QPalette::Text);
        edge.setAlpha(option->state & State_Enabled ? 150 : 70);
        const int side = qMin(option->rect.width(), option->rect.height());
        QRectF box(0, 0, side, side);
        box.moveCenter(QRectF(option->rect).center());
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(QPen(edge, 1));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(box.adjusted(0.5, 0.5, -0.5, -0.5), 2, 2);
        painter->restore();
        return;
    }
    default:
        break;
    }
    QProxyStyle::drawPrimitive(element, option, painter, widget);
}

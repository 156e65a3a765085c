#pragma once

#include <QProxyStyle>

/// The application's touches on the platform style, in every theme:
/// - checkable tool buttons (Follow Tail, Pause, Record) that are on get a filled, outlined
///   panel in the highlight colour, so on and off differ at a glance in light and dark;
/// - check boxes, also those in item views, get an outline in the text colour, so an
///   unchecked box stays visible on a dark base (Fusion derives its outline from the window
///   colour, which on a dark palette is the colour of the base).
class AppStyle : public QProxyStyle
{
    Q_OBJECT
public:
    /// On top of the style named \a key (QStyleFactory), e.g. the one the application started
    /// with.
    explicit AppStyle(const QString &key);

    void drawPrimitive(PrimitiveElement element, const QStyleOption *option, QPainter *painter,
                       const QWidget *widget = nullptr) const override;
};

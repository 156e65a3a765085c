#pragma once

#include <QCoreApplication>
#include <QIcon>
#include <QString>

QT_BEGIN_NAMESPACE
class QMenu;
class QWidget;
QT_END_NAMESPACE

// The colour scheme the user picked in View > Theme, applied as the application palette, so
// every widget that reads the palette follows: the chart (ChartPanel::applyPalette), the JSON
// colours (JsonHighlighter::themeFor) and the lists. System is the palette the application
// started with.
//
// Also the toolbar icons: the desktop icon theme's icon when it has one, else the SVG bundled
// under :/icons.
namespace AppTheme {

enum class Theme { System, Light, Dark };

/// Stable ids for the settings ("system", "light", "dark"); unknown text is System.
QString id(Theme theme);
Theme fromId(const QString &id);

/// Puts AppStyle over the application's style (once): toggles and check boxes that show
/// their state in every theme.
void installStyle();

/// Sets the application palette; the first call remembers the system palette.
void apply(Theme theme);
Theme current();

/// View > Theme: System, Light, Dark (exclusive), applying and saving the choice; the saved
/// choice is applied when the menu is made.
QMenu *createMenu(QWidget *parent);

/// `themeName` from the icon theme, or :/icons/`fallback`.svg.
QIcon icon(const char *themeName, const char *fallback);

} // namespace AppTheme

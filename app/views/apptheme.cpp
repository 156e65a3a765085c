#include "views/apptheme.h"

#include "views/appstyle.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QMenu>
#include <QPalette>
#include <QSettings>
#include <QStyle>

namespace AppTheme {

namespace {

Theme currentTheme = Theme::System;

QPalette &systemPalette()
{
    static QPalette palette = [] {
        QPalette started = QApplication::palette();
        // A selection in a pane without the focus is dimmed here too, unless the platform
        // already does it: the highlight a third of the way to the base.
        const QColor active = started.color(QPalette::Active, QPalette::Highlight);
        if (started.color(QPalette::Inactive, QPalette::Highlight) == active) {
            const QColor base = started.color(QPalette::Active, QPalette::Base);
            const QColor dimmed = QColor::fromRgbF(
                base.redF() + (active.redF() - base.redF()) * 0.35f,
                base.greenF() + (active.greenF() - base.greenF()) * 0.35f,
                base.blueF() + (active.blueF() - base.blueF()) * 0.35f);
            started.setColor(QPalette::Inactive, QPalette::Highlight, dimmed);
            started.setColor(QPalette::Inactive, QPalette::HighlightedText,
                             started.color(QPalette::Active, QPalette::Text));
        }
        return started;
    }();
    return palette;
}

QPalette lightPalette()
{
    QPalette palette;
    palette.setColor(QPalette::Window, QColor(0xef, 0xf0, 0xf1));
    palette.setColor(QPalette::WindowText, QColor(0x23, 0x26, 0x29));
    palette.setColor(QPalette::Base, Qt::white);
    palette.setColor(QPalette::AlternateBase, QColor(0xf5, 0xf6, 0xf7));
    palette.setColor(QPalette::Text, QColor(0x23, 0x26, 0x29));
    palette.setColor(QPalette::Button, QColor(0xf3, 0xf4, 0xf5));
    palette.setColor(QPalette::ButtonText, QColor(0x23, 0x26, 0x29));
    palette.setColor(QPalette::Highlight, QColor(0x3d, 0xae, 0xe9));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::ToolTipBase, QColor(0xff, 0xff, 0xe1));
    palette.setColor(QPalette::ToolTipText, Qt::black);
    palette.setColor(QPalette::PlaceholderText, QColor(0x80, 0x85, 0x8a));
    palette.setColor(QPalette::Mid, QColor(0xc8, 0xca, 0xcd));
    palette.setColor(QPalette::Link, QColor(0x29, 0x80, 0xb9));
    // A selection in a pane without the focus is dimmed, so the focused pane shows.
    palette.setColor(QPalette::Inactive, QPalette::Highlight, QColor(0xc9, 0xe3, 0xf2));
    palette.setColor(QPalette::Inactive, QPalette::HighlightedText, QColor(0x23, 0x26, 0x29));
    palette.setColor(QPalette::Disabled, QPalette::Text, QColor(0xa0, 0xa4, 0xa8));
    palette.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0xa0, 0xa4, 0xa8));
    palette.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0xa0, 0xa4, 0xa8));
    return palette;
}

QPalette darkPalette()
{
    QPalette palette;
    palette.setColor(QPalette::Window, QColor(0x2a, 0x2e, 0x32));
    palette.setColor(QPalette::WindowText, QColor(0xe4, 0xe6, 0xe8));
    palette.setColor(QPalette::Base, QColor(0x1e, 0x21, 0x24));
    palette.setColor(QPalette::AlternateBase, QColor(0x26, 0x2a, 0x2e));
    palette.setColor(QPalette::Text, QColor(0xe4, 0xe6, 0xe8));
    palette.setColor(QPalette::Button, QColor(0x32, 0x37, 0x3c));
    palette.setColor(QPalette::ButtonText, QColor(0xe4, 0xe6, 0xe8));
    palette.setColor(QPalette::Highlight, QColor(0x2f, 0x7f, 0xc1));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::ToolTipBase, QColor(0x32, 0x37, 0x3c));
    palette.setColor(QPalette::ToolTipText, QColor(0xe4, 0xe6, 0xe8));
    palette.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x90, 0x96));
    palette.setColor(QPalette::Light, QColor(0x48, 0x4e, 0x54));
    palette.setColor(QPalette::Midlight, QColor(0x3c, 0x42, 0x48));
    palette.setColor(QPalette::Mid, QColor(0x4a, 0x50, 0x56));
    palette.setColor(QPalette::Dark, QColor(0x18, 0x1a, 0x1c));
    palette.setColor(QPalette::Shadow, Qt::black);
    palette.setColor(QPalette::Link, QColor(0x5d, 0xad, 0xe2));
    palette.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    palette.setColor(QPalette::Inactive, QPalette::Highlight, QColor(0x3a, 0x4a, 0x58));
    palette.setColor(QPalette::Inactive, QPalette::HighlightedText, QColor(0xe4, 0xe6, 0xe8));
    palette.setColor(QPalette::Disabled, QPalette::Text, QColor(0x6c, 0x72, 0x78));
    palette.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x6c, 0x72, 0x78));
    palette.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x6c, 0x72, 0x78));
    return palette;
}

} // namespace

QString id(Theme theme)
{
    switch (theme) {
    case Theme::Light:
        return QStringLiteral("light");
    case Theme::Dark:
        return QStringLiteral("dark");
    case Theme::System:
        break;
    }
    return QStringLiteral("system");
}

Theme fromId(const QString &id)
{
    if (id == QLatin1String("light"))
        return Theme::Light;
    if (id == QLatin1String("dark"))
        return Theme::Dark;
    return Theme::System;
}

void installStyle()
{
    if (qobject_cast<AppStyle *>(QApplication::style()))
        return;
    // By name: QApplication deletes the style it replaces, so the proxy makes its own base.
    QApplication::setStyle(new AppStyle(QApplication::style()->name()));
}

void apply(Theme theme)
{
    systemPalette(); // remembered before the first change
    currentTheme = theme;
    switch (theme) {
    case Theme::System:
        QApplication::setPalette(systemPalette());
        break;
    case Theme::Light:
        QApplication::setPalette(lightPalette());
        break;
    case Theme::Dark:
        QApplication::setPalette(darkPalette());
        break;
    }
}

Theme current()
{
    return currentTheme;
}

QMenu *createMenu(QWidget *parent)
{
    // The only place that reads or writes this key.
    static const QString settingsKey = QStringLiteral("view/theme");
    auto *menu = new QMenu(QCoreApplication::translate("AppTheme", "&Theme"), parent);
    menu->setObjectName(QStringLiteral("themeMenu"));
    auto *group = new QActionGroup(menu);
    const Theme saved = fromId(QSettings().value(settingsKey).toString());
    const struct
    {
        Theme theme;
        const char *label;
    } choices[] = {
        { Theme::System, QT_TRANSLATE_NOOP("AppTheme", "&System") },
        { Theme::Light, QT_TRANSLATE_NOOP("AppTheme", "&Light") },
        { Theme::Dark, QT_TRANSLATE_NOOP("AppTheme", "&Dark") },
    };
    for (const auto &choice : choices) {
        QAction *action = menu->addAction(QCoreApplication::translate("AppTheme", choice.label));
        action->setObjectName(QStringLiteral("theme-") + id(choice.theme));
        action->setCheckable(true);
        action->setChecked(choice.theme == saved);
        group->addAction(action);
        QObject::connect(action, &QAction::triggered, menu, [theme = choice.theme] {
            apply(theme);
            QSettings().setValue(settingsKey, id(theme));
        });
    }
    installStyle();
    apply(saved);
    return menu;
}

QIcon icon(const char *themeName, const char *fallback)
{
    return QIcon::fromTheme(QLatin1String(themeName),
                            QIcon(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(fallback))));
}

} // namespace AppTheme

#pragma once

#include <QCoreApplication>
#include <QList>
#include <QString>

/// The language of the user interface: the "ui/language" setting ("system", "en" or
/// "zh_CN") and the translators that put it into effect.
///
/// The application catalogue is compiled in under :/i18n; Qt's own catalogue
/// (qtbase_*.qm, Debian package qt6-translations-l10n) comes from the Qt installation,
/// so standard dialogs and buttons follow the same language.
class UiLanguage
{
    Q_DECLARE_TR_FUNCTIONS(UiLanguage)
public:
    struct Choice
    {
        QString code; ///< "system", "en", "zh_CN"
        QString name; ///< in its own language ("System" is in the current one)
    };

    /// The languages offered in the GUI, "system" first.
    static QList<Choice> choices();
    /// The saved choice; "system" when nothing (or something unknown) is saved.
    static QString saved();
    static void save(const QString &code);
    /// "en" or "zh_CN" for \a code; "system" follows QLocale::system().
    static QString resolve(const QString &code);
    /// Installs the translators for \a code on the application, replacing the ones an
    /// earlier call installed. Returns false if the application catalogue is missing.
    static bool install(const QString &code);
};

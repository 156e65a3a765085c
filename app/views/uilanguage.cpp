#include "views/uilanguage.h"

#include <QLibraryInfo>
#include <QLocale>
#include <QPointer>
#include <QSettings>
#include <QTranslator>

namespace {

const QString settingKey = QStringLiteral("ui/language");
const QString systemCode = QStringLiteral("system");
const QString englishCode = QStringLiteral("en");
const QString chineseCode = QStringLiteral("zh_CN");

// Owned by the application object; kept here so that a second install() replaces them.
QPointer<QTranslator> appTranslator;
QPointer<QTranslator> qtTranslator;

} // namespace

QList<UiLanguage::Choice> UiLanguage::choices()
{
    return {{systemCode, tr("System")},
            {englishCode, QStringLiteral("English")},
            {chineseCode, QStringLiteral("简体中文")}};
}

QString UiLanguage::saved()
{
    const QString code = QSettings().value(settingKey, systemCode).toString();
    return code == englishCode || code == chineseCode ? code : systemCode;
}

void UiLanguage::save(const QString &code)
{
    QSettings().setValue(settingKey, code);
}

QString UiLanguage::resolve(const QString &code)
{
    if (code == englishCode || code == chineseCode)
        return code;
    // Simplified Chinese for zh_CN, zh_SG and zh_Hans; Traditional Chinese and every
    // other language get English.
    const QLocale system = QLocale::system();
    const bool simplified = system.language() == QLocale::Chinese
        && (system.script() == QLocale::SimplifiedHanScript
            || (system.script() == QLocale::AnyScript
                && (system.territory() == QLocale::China
                    || system.territory() == QLocale::Singapore)));
    return simplified ? chineseCode : englishCode;
}

bool UiLanguage::install(const QString &code)
{
    QCoreApplication *app = QCoreApplication::instance();
    for (QTranslator *old : {appTranslator.data(), qtTranslator.data()}) {
        if (old) {
            QCoreApplication::removeTranslator(old);
            delete old;
        }
    }
    const QString language = resolve(code);
    // English needs the application catalogue too, for its plural forms.
    appTranslator = new QTranslator(app);
    const bool loaded = appTranslator->load(QStringLiteral(":/i18n/sse-monitor_") + language);
    if (loaded)
        QCoreApplication::installTranslator(appTranslator);
    if (language != englishCode) {
        qtTranslator = new QTranslator(app);
        if (qtTranslator->load(QStringLiteral("qtbase_") + language,
                               QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
            QCoreApplication::installTranslator(qtTranslator);
        }
    }
    return loaded;
}

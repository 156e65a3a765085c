// The user interface in Simplified Chinese and in English: the compiled-in catalogues,
// Qt's own catalogue for standard buttons, sselib's texts and the saved language choice.

#include "models/connectionlistmodel.h"
#include "views/mainwindow.h"
#include "views/uilanguage.h"

#include "sselib/diagnostics.h"
#include "sselib/sseclient.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QFile>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

class TestTranslations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void catalogueIsCompiledIn_data();
    void catalogueIsCompiledIn();
    void chineseMenusAndActions();
    void chineseModelAndLibraryTexts();
    void qtStandardButtonIsChinese();
    void englishStaysEnglish();
    void englishPluralForms();
    void languageSettingRoundTrips();
    void languageMenuSavesChoice();

private:
    static QStringList menuTitles(MainWindow &window);
    static QStringList actionTexts(MainWindow &window);
};

namespace {

QString translated(const char *source, const char *context = "MainWindow")
{
    return QCoreApplication::translate(context, source);
}

} // namespace

void TestTranslations::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SSE Monitor Tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_translations"));
}

void TestTranslations::init()
{
    // Any warning fails, except the offscreen platform's note about size hints.
    QTest::failOnWarning(
        QRegularExpression(QStringLiteral("^(?!This plugin does not support).*")));
    QSettings().clear();
}

void TestTranslations::cleanup()
{
    UiLanguage::install(QStringLiteral("en"));
}

QStringList TestTranslations::menuTitles(MainWindow &window)
{
    QStringList titles;
    const QList<QAction *> actions = window.menuBar()->actions();
    for (const QAction *action : actions)
        titles.append(action->text());
    return titles;
}

QStringList TestTranslations::actionTexts(MainWindow &window)
{
    QStringList texts;
    const QList<QAction *> menus = window.menuBar()->actions();
    for (const QAction *menuAction : menus) {
        if (!menuAction->menu())
            continue;
        const QList<QAction *> actions = menuAction->menu()->actions();
        for (const QAction *action : actions)
            texts.append(action->text());
    }
    return texts;
}

void TestTranslations::catalogueIsCompiledIn_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("zh_CN") << QStringLiteral(":/i18n/sse-monitor_zh_CN.qm");
    QTest::newRow("en") << QStringLiteral(":/i18n/sse-monitor_en.qm");
}

void TestTranslations::catalogueIsCompiledIn()
{
    QFETCH(QString, path);
    QVERIFY2(QFile::exists(path), qPrintable(path));
}

void TestTranslations::chineseMenusAndActions()
{
    QVERIFY(UiLanguage::install(QStringLiteral("zh_CN")));
    MainWindow window;
    const QStringList expectedMenus = {translated("&File"), translated("&Edit"),
                                       translated("&View"), translated("&Connection"),
                                       translated("&Help")};
    QCOMPARE(menuTitles(window), expectedMenus);
    // The catalogue's own words, not just "something other than English".
    QCOMPARE(expectedMenus.first(), QStringLiteral("文件(&F)"));
    QCOMPARE(translated("&View"), QStringLiteral("视图(&V)"));

    const QStringList actions = actionTexts(window);
    // The window's own actions and those the panes hand to its menus.
    const struct
    {
        const char *context;
        const char *source;
    } sources[] = {{"ConnectionCommands", "&New Connection…"},
                   {"RecordingCommands", "&Open Recording…"},
                   {"MainWindow", "&Quit"},
                   {"EventLogPane", "&Find…"},
                   {"ConnectionsPane", "&Reconnect Now"}, {"MainWindow", "&Language"}};
    for (const auto &[context, source] : sources) {
        const QString text = translated(source, context);
        QVERIFY2(text != QLatin1String(source), source);
        QVERIFY2(actions.contains(text), qPrintable(text));
    }
    QCOMPARE(window.windowTitle(), QStringLiteral("SSE Monitor"));
}

void TestTranslations::chineseModelAndLibraryTexts()
{
    QVERIFY(UiLanguage::install(QStringLiteral("zh_CN")));

    ConnectionEntry entry;
    entry.state = Sse::Client::State::Open;
    QCOMPARE(ConnectionListModel::stateText(entry, 0), QStringLiteral("已连接"));
    QCOMPARE(ConnectionListModel::stateWord(Sse::Client::State::Reconnecting),
             QStringLiteral("重连中"));

    // A stream check's findings come from sselib, in the catalogue's StreamCheck context.
    Sse::StreamDiagnostics diagnostics;
    diagnostics.begin(QUrl(QStringLiteral("http://127.0.0.1:1/events")), 0);
    diagnostics.addResponse(200, {{"Content-Type", "text/event-stream"}}, false, 5);
    diagnostics.end(100);
    const Sse::DiagnosticsReport report = diagnostics.report();
    const Sse::Finding *status = report.find(QStringLiteral("response.status"));
    QVERIFY(status);
    QCOMPARE(status->title, QCoreApplication::translate("StreamCheck", "Status 200 OK"));
    QCOMPARE(status->title, QStringLiteral("状态码 200 OK"));
    QCOMPARE(status->category, QStringLiteral("响应"));
    QVERIFY(report.statisticsText().startsWith(QStringLiteral("统计\n")));

    // The client's failure reasons, in the ClientMessages context.
    Sse::Client client;
    Sse::ClientOptions options;
    options.url = QUrl(QStringLiteral("ftp://127.0.0.1/events"));
    client.setOptions(options);
    QSignalSpy errors(&client, &Sse::Client::errorOccurred);
    client.open();
    QTRY_COMPARE(errors.size(), 1);
    QCOMPARE(errors.first().first().toString(),
             QStringLiteral("不支持的 URL 协议“ftp”：请使用 http 或 https"));
}

void TestTranslations::qtStandardButtonIsChinese()
{
    QVERIFY(UiLanguage::install(QStringLiteral("zh_CN")));
    QDialogButtonBox buttons(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    const QString cancel = buttons.button(QDialogButtonBox::Cancel)->text().remove(u'&');
    QCOMPARE(cancel, QCoreApplication::translate("QPlatformTheme", "Cancel").remove(u'&'));
    QVERIFY2(cancel.startsWith(QStringLiteral("取消")), qPrintable(cancel));
}

void TestTranslations::englishStaysEnglish()
{
    QVERIFY(UiLanguage::install(QStringLiteral("en")));
    MainWindow window;
    QCOMPARE(menuTitles(window), QStringList({QStringLiteral("&File"), QStringLiteral("&Edit"),
                                              QStringLiteral("&View"),
                                              QStringLiteral("&Connection"),
                                              QStringLiteral("&Help")}));
    QVERIFY(actionTexts(window).contains(QStringLiteral("&New Connection…")));
    QDialogButtonBox buttons(QDialogButtonBox::Cancel);
    QCOMPARE(buttons.button(QDialogButtonBox::Cancel)->text().remove(u'&'),
             QStringLiteral("Cancel"));
    ConnectionEntry entry;
    entry.state = Sse::Client::State::Open;
    QCOMPARE(ConnectionListModel::stateText(entry, 0), QStringLiteral("Open"));
}

void TestTranslations::englishPluralForms()
{
    QVERIFY(UiLanguage::install(QStringLiteral("en")));
    const char *source = "Opened %1: %Ln event(s)";
    QCOMPARE(QCoreApplication::translate("Workspace", source, nullptr, 1),
             QStringLiteral("Opened %1: 1 event"));
    QCOMPARE(QCoreApplication::translate("Workspace", source, nullptr, 3),
             QStringLiteral("Opened %1: 3 events"));

    QVERIFY(UiLanguage::install(QStringLiteral("zh_CN")));
    QCOMPARE(QCoreApplication::translate("Workspace", source, nullptr, 3),
             QStringLiteral("已打开 %1：3 个事件"));
}

void TestTranslations::languageSettingRoundTrips()
{
    QCOMPARE(UiLanguage::saved(), QStringLiteral("system"));
    UiLanguage::save(QStringLiteral("zh_CN"));
    QCOMPARE(QSettings().value(QStringLiteral("ui/language")).toString(),
             QStringLiteral("zh_CN"));
    QCOMPARE(UiLanguage::saved(), QStringLiteral("zh_CN"));
    UiLanguage::save(QStringLiteral("en"));
    QCOMPARE(UiLanguage::saved(), QStringLiteral("en"));
    // Something this version does not know falls back to the system language.
    QSettings().setValue(QStringLiteral("ui/language"), QStringLiteral("tlh"));
    QCOMPARE(UiLanguage::saved(), QStringLiteral("system"));

    QCOMPARE(UiLanguage::resolve(QStringLiteral("zh_CN")), QStringLiteral("zh_CN"));
    QCOMPARE(UiLanguage::resolve(QStringLiteral("en")), QStringLiteral("en"));
    const QString system = UiLanguage::resolve(QStringLiteral("system"));
    QVERIFY(system == QLatin1String("en") || system == QLatin1String("zh_CN"));

    const QList<UiLanguage::Choice> choices = UiLanguage::choices();
    QCOMPARE(choices.size(), 3);
    QCOMPARE(choices.at(2).name, QStringLiteral("简体中文"));
}

void TestTranslations::languageMenuSavesChoice()
{
    UiLanguage::save(QStringLiteral("en"));
    MainWindow window;
    auto *english = window.findChild<QAction *>(QStringLiteral("language-en"));
    auto *chinese = window.findChild<QAction *>(QStringLiteral("language-zh_CN"));
    QVERIFY(english && chinese);
    QVERIFY(english->isChecked());
    QVERIFY(!chinese->isChecked());

    window.show();
    chinese->trigger();
    QCOMPARE(UiLanguage::saved(), QStringLiteral("zh_CN"));
    QVERIFY(chinese->isChecked());
    // The restart notice does not block.
    QTRY_VERIFY(window.findChild<QMessageBox *>(QStringLiteral("languageNotice")));
    auto *notice = window.findChild<QMessageBox *>(QStringLiteral("languageNotice"));
    QTRY_VERIFY(notice->isVisible());
    notice->accept();

    // A new window shows the saved choice.
    MainWindow second;
    QVERIFY(second.findChild<QAction *>(QStringLiteral("language-zh_CN"))->isChecked());
}

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"

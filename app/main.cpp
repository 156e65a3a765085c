// sse-monitor: the desktop monitor for Server-Sent Events streams.

#include "views/eventlogpane.h"
#include "views/mainwindow.h"
#include "views/uilanguage.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTableView>
#include <QTimer>
#include <QUrl>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("SSE Monitor"));
    QApplication::setApplicationName(QStringLiteral("sse-monitor"));
    QApplication::setApplicationDisplayName(QStringLiteral("SSE Monitor"));
    QApplication::setApplicationVersion(QStringLiteral(SSE_MONITOR_VERSION));
    // Wayland compositors find the installed icon and name through the desktop entry.
    QGuiApplication::setDesktopFileName(QStringLiteral("sse-monitor"));
    // From the sse-monitor-widgets resources (resources/sse-monitor.svg).
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/sse-monitor.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Watch, filter, chart and record Server-Sent Events streams.\n\n"
        "Examples:\n"
        "  sse-monitor --demo\n"
        "  sse-monitor https://stream.wikimedia.org/v2/stream/recentchange\n"
        "  sse-monitor http://localhost:8080/events http://localhost:8081/events"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption demoOption(QStringLiteral("demo"),
                                        QStringLiteral("Connect to the built-in demo stream."));
    const QCommandLineOption freshOption(QStringLiteral("no-restore"),
                                         QStringLiteral("Do not reopen saved connections."));
    // For documentation and bug reports: save a picture of the window and quit.
    const QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                              QStringLiteral("Save a PNG of the window after "
                                                             "--screenshot-delay ms, then quit."),
                                              QStringLiteral("FILE"));
    const QCommandLineOption delayOption(QStringLiteral("screenshot-delay"),
                                         QStringLiteral("Delay before --screenshot (ms)."),
                                         QStringLiteral("MS"), QStringLiteral("8000"));
    const QCommandLineOption languageOption(
        QStringLiteral("language"),
        QStringLiteral("User interface language: system, en or zh_CN (default: the saved "
                       "choice from the View menu)."),
        QStringLiteral("CODE"));
    parser.addOptions({demoOption, freshOption, screenshotOption, delayOption, languageOption});
    parser.addPositionalArgument(QStringLiteral("URL"),
                                 QStringLiteral("Event stream URLs to open."),
                                 QStringLiteral("[URL...]"));
    parser.process(app);
    UiLanguage::install(parser.isSet(languageOption) ? parser.value(languageOption)
                                                     : UiLanguage::saved());

    MainWindow window;
    window.restoreLayout();
    const QStringList urls = parser.positionalArguments();
    if (parser.isSet(demoOption)) {
        window.openDemo();
    } else if (!urls.isEmpty()) {
        for (const QString &text : urls) {
            Sse::ClientOptions options;
            options.url = QUrl::fromUserInput(text);
            window.addConnection(options.url.host() + options.url.path(), options);
        }
    } else if (!parser.isSet(freshOption)) {
        // First launch: nothing saved, and the window offers the demo stream.
        window.restoreConnections();
    }
    window.show();
    if (parser.isSet(screenshotOption)) {
        const QString path = parser.value(screenshotOption);
        QTimer::singleShot(parser.value(delayOption).toInt(), &window, [&window, path] {
            QTableView *view = window.eventLogPane()->eventView();
            const int rows = view->model()->rowCount();
            if (rows > 3)
                view->setCurrentIndex(view->model()->index(rows - 3, 0));
            QTimer::singleShot(300, &window, [&window, path] {
                const bool saved = window.grab().save(path);
                QCoreApplication::exit(saved ? 0 : 1);
            });
        });
    }
    return app.exec();
}

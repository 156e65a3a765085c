// soak_gui: the real MainWindow on one stream for a while, recording every event to a file.
//
//   soak_gui URL RECORDING SECONDS [LOG_CAPACITY]
//
// The window is shown (run it offscreen or under Xvfb), the connection uses the GUI's
// defaults (LOG_CAPACITY replaces the log's default capacity of 1,000,000 events, so that a
// shorter run reaches the steady state where old events are evicted), and the recording is the product's own JSON Lines file, so the soak script can
// compare the ids in it with what the server sent. Settings go to the test-mode location,
// never to the user's. At the end it prints one line:
//   events N reconnects N id_gaps N recorded N dropped N state STATE
// and exits 0, or 1 when the recording could not be started or finished.

#include "models/connectionlistmodel.h"
#include "models/eventlogmodel.h"
#include "recording/recorder.h"
#include "session/workspace.h"
#include "views/connectiondetailtabs.h"
#include "views/connectionspane.h"
#include "views/eventlogpane.h"
#include "views/mainwindow.h"

#include <QApplication>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTimer>

#include <cstdio>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(QStringLiteral("SSE Monitor Soak"));
    QApplication::setApplicationName(QStringLiteral("soak_gui"));
    const QStringList arguments = QApplication::arguments();
    if (arguments.size() != 4 && arguments.size() != 5) {
        std::fprintf(stderr, "usage: soak_gui URL RECORDING SECONDS [LOG_CAPACITY]\n");
        return 2;
    }
    const QUrl url(arguments.at(1));
    const QString recording = arguments.at(2);
    const double seconds = arguments.at(3).toDouble();

    MainWindow window;
    if (arguments.size() == 5)
        window.workspace()->logModel()->setCapacity(arguments.at(4).toLongLong());
    window.resize(1200, 800);
    window.show();
    if (!window.workspace()->startRecording(recording)) {
        std::fprintf(stderr, "soak_gui: cannot record to %s\n", qPrintable(recording));
        return 1;
    }
    Sse::ClientOptions options;
    options.url = url;
    window.addConnection(QStringLiteral("storm"), options);

    int code = 0;
    QTimer::singleShot(qint64(seconds * 1000), &window, [&] {
        // Counters first: stopping the recording lets the event loop run.
        const QList<ConnectionEntry> entries = window.workspace()->connections()->model()->entries();
        const ConnectionEntry entry = entries.isEmpty() ? ConnectionEntry() : entries.first();
        Recorder *recorder = window.workspace()->recorder();
        QSignalSpy stopped(recorder, &Recorder::stopped);
        window.workspace()->stopRecording();
        if (!stopped.wait(30000))
            code = 1;
        std::printf("events %lld reconnects %lld id_gaps %lld recorded %lld dropped %lld "
                    "state %s\n",
                    entry.events, entry.reconnects, entry.idGaps,
                    qint64(recorder->eventsWritten()), qint64(recorder->eventsDropped()),
                    qPrintable(Sse::stateName(entry.state)));
        std::fflush(stdout);
        QApplication::exit(code);
    });
    return app.exec();
}

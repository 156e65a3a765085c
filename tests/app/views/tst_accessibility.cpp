// Accessibility of the main window and the connection dialog: every widget that takes the
// keyboard focus has an accessible name, Tab walks through the panes, and each pane has a
// shortcut.

#include "session/workspace.h"
#include "views/connectiondialog.h"
#include "views/connectiondetailtabs.h"
#include "views/connectionspane.h"
#include "views/eventlogpane.h"
#include "views/mainwindow.h"

#include <QAbstractSpinBox>
#include <QAccessible>
#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QListView>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

#include <algorithm>

class TestAccessibility : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void mainWindowWidgetsHaveNames();
    void connectionDialogWidgetsHaveNames();
    void tabReachesThePanes();
    void shortcutsFocusThePanes_data();
    void shortcutsFocusThePanes();

private:
    static QStringList unnamedFocusableWidgets(QWidget *root);
    static QStringList unnamedOnEveryTab(QWidget *root);
    static quint16 addDeadConnection(MainWindow &window);
};

void TestAccessibility::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SSE Monitor Tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_accessibility"));
}

void TestAccessibility::init()
{
    // Any warning fails, except the offscreen platform's note about size hints.
    QTest::failOnWarning(
        QRegularExpression(QStringLiteral("^(?!This plugin does not support).*")));
    QSettings().clear();
}

// A connection that never opens (nothing listens on the discard port), so that the window
// shows its panes without depending on a server.
quint16 TestAccessibility::addDeadConnection(MainWindow &window)
{
    Sse::ClientOptions options;
    options.url = QUrl(QStringLiteral("http://127.0.0.1:9/events"));
    options.reconnectPolicy = Sse::ReconnectPolicy::Never;
    return window.addConnection(QStringLiteral("dead"), options);
}

// Visible, enabled widgets below root that Tab can reach, and that have no accessible name.
QStringList TestAccessibility::unnamedFocusableWidgets(QWidget *root)
{
    QStringList unnamed;
    const QList<QWidget *> widgets = root->findChildren<QWidget *>();
    for (QWidget *widget : widgets) {
        if (!widget->isVisibleTo(root) || !widget->isEnabled()
            || !(widget->focusPolicy() & Qt::TabFocus)) {
            continue;
        }
        // The editor inside a spin box or an editable combo box is part of that control:
        // assistive technology names the control.
        QWidget *control = widget;
        QWidget *parent = widget->parentWidget();
        if (qobject_cast<QAbstractSpinBox *>(parent) || qobject_cast<QComboBox *>(parent))
            control = parent;
        QAccessibleInterface *accessible = QAccessible::queryAccessibleInterface(control);
        const QString name = accessible ? accessible->text(QAccessible::Name) : QString();
        if (name.trimmed().isEmpty()) {
            unnamed.append(QStringLiteral("%1 \"%2\" in %3")
                               .arg(QString::fromLatin1(control->metaObject()->className()),
                                    control->objectName(),
                                    control->parentWidget()
                                        ? QString::fromLatin1(
                                              control->parentWidget()->metaObject()->className())
                                        : QString()));
        }
    }
    return unnamed;
}

// The same for every page of every tab widget below root (hidden pages included).
QStringList TestAccessibility::unnamedOnEveryTab(QWidget *root)
{
    QStringList unnamed = unnamedFocusableWidgets(root);
    const QList<QTabWidget *> tabWidgets = root->findChildren<QTabWidget *>();
    for (QTabWidget *tabs : tabWidgets) {
        const int current = tabs->currentIndex();
        for (int index = 0; index < tabs->count(); ++index) {
            tabs->setCurrentIndex(index);
            unnamed += unnamedFocusableWidgets(root);
        }
        tabs->setCurrentIndex(current);
    }
    unnamed.removeDuplicates();
    return unnamed;
}

void TestAccessibility::mainWindowWidgetsHaveNames()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    // The welcome page first, then the panes of a connection.
    QStringList unnamed = unnamedFocusableWidgets(&window);
    addDeadConnection(window);
    QTRY_VERIFY(window.eventLogPane()->eventView()->isVisible());
    unnamed += unnamedOnEveryTab(&window);
    QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QStringLiteral("\n"))));
}

void TestAccessibility::connectionDialogWidgetsHaveNames()
{
    ConnectionDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    const QStringList unnamed = unnamedOnEveryTab(&dialog);
    QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QStringLiteral("\n"))));
}

void TestAccessibility::tabReachesThePanes()
{
    MainWindow window;
    addDeadConnection(window);
    window.show();
    QApplication::setActiveWindow(&window);
    QVERIFY(QTest::qWaitForWindowActive(&window));
    window.connectionsPane()->connectionView()->setFocus(Qt::TabFocusReason);
    QTRY_COMPARE(QApplication::focusWidget(), window.connectionsPane()->connectionView());

    QList<QWidget *> visited;
    for (int step = 0; step < 80; ++step) {
        QWidget *focus = QApplication::focusWidget();
        QVERIFY(focus);
        if (!visited.contains(focus))
            visited.append(focus);
        QTest::keyClick(focus, Qt::Key_Tab);
    }
    auto *typeView = window.findChild<QListView *>(QStringLiteral("typeView"));
    QVERIFY(visited.contains(typeView));
    QVERIFY(visited.contains(window.eventLogPane()->searchEdit()));
    QVERIFY(visited.contains(window.eventLogPane()->eventView()));
    const bool reachesDetails = std::any_of(visited.cbegin(), visited.cend(), [&](QWidget *w) {
        return window.detailTabs()->isAncestorOf(w);
    });
    QVERIFY2(reachesDetails, "Tab never reaches the detail tabs");
    // Tab goes round: the walk came back to where it started.
    QVERIFY(visited.size() < 80);
}

void TestAccessibility::shortcutsFocusThePanes_data()
{
    QTest::addColumn<int>("key");
    QTest::addColumn<int>("modifiers");
    QTest::addColumn<QString>("pane");
    QTest::newRow("connections") << int(Qt::Key_1) << int(Qt::AltModifier)
                                 << QStringLiteral("connectionView");
    QTest::newRow("types") << int(Qt::Key_2) << int(Qt::AltModifier)
                           << QStringLiteral("typeView");
    QTest::newRow("log") << int(Qt::Key_3) << int(Qt::AltModifier) << QStringLiteral("eventView");
    QTest::newRow("details") << int(Qt::Key_4) << int(Qt::AltModifier)
                             << QStringLiteral("bottomTabs");
    QTest::newRow("search") << int(Qt::Key_F) << int(Qt::ControlModifier)
                            << QStringLiteral("searchEdit");
}

void TestAccessibility::shortcutsFocusThePanes()
{
    QFETCH(int, key);
    QFETCH(int, modifiers);
    QFETCH(QString, pane);
    MainWindow window;
    addDeadConnection(window);
    window.show();
    QApplication::setActiveWindow(&window);
    QVERIFY(QTest::qWaitForWindowActive(&window));
    // Start somewhere else.
    window.findChild<QTabWidget *>(QStringLiteral("bottomTabs"))->setCurrentIndex(0);
    window.eventLogPane()->searchEdit()->setFocus();
    if (pane == QLatin1String("searchEdit"))
        window.connectionsPane()->connectionView()->setFocus();

    QTest::keyClick(&window, Qt::Key(key), Qt::KeyboardModifiers(modifiers));
    auto *target = window.findChild<QWidget *>(pane);
    QVERIFY(target);
    QWidget *focus = QApplication::focusWidget();
    QVERIFY2(focus == target || target->isAncestorOf(focus),
             qPrintable(focus ? QString::fromLatin1(focus->metaObject()->className())
                              : QStringLiteral("nothing")));
}

QTEST_MAIN(TestAccessibility)
#include "tst_accessibility.moc"

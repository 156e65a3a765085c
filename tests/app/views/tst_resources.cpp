// The resources compiled into sse-monitor-widgets: the application icon must survive static
// linking and render through the Qt SVG plugins.

#include <QFile>
#include <QGuiApplication>
#include <QIcon>
#include <QImage>
#include <QImageReader>
#include <QPixmap>
#include <QRegularExpression>
#include <QTest>

class TestResources : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void iconIsCompiledIn();
    void svgImagePluginIsAvailable();
    void iconRendersAtSize_data();
    void iconRendersAtSize();
};

namespace {

const QString iconPath = QStringLiteral(":/sse-monitor.svg");

} // namespace

void TestResources::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void TestResources::iconIsCompiledIn()
{
    QFile file(iconPath);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.errorString()));
    QVERIFY(file.readAll().contains("<svg"));
}

void TestResources::svgImagePluginIsAvailable()
{
    QVERIFY2(QImageReader::supportedImageFormats().contains("svg"),
             "the Qt SVG image plugin (Debian package libqt6svg6) is missing");
}

void TestResources::iconRendersAtSize_data()
{
    QTest::addColumn<int>("size");
    QTest::newRow("16") << 16;
    QTest::newRow("64") << 64;
    QTest::newRow("256") << 256;
}

void TestResources::iconRendersAtSize()
{
    QFETCH(int, size);
    const QIcon icon(iconPath);
    QVERIFY(!icon.isNull());
    const QPixmap pixmap = icon.pixmap(size);
    QVERIFY(!pixmap.isNull());
    QCOMPARE(pixmap.size(), QSize(size, size));
    // Not just a transparent square: the centre lies inside the rounded background.
    const QImage image = pixmap.toImage();
    QVERIFY(qAlpha(image.pixel(size / 2, size / 2)) > 0);
}

QTEST_MAIN(TestResources)
#include "tst_resources.moc"

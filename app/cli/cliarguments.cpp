#include "cliarguments.h"

#include "sselib/profile.h"

#include <QFile>
#include <QFileInfo>

#include <cmath>

namespace CliArguments {

QString parseHeader(const QString &text, QPair<QByteArray, QByteArray> *header)
{
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    if (colon <= 0 || text.left(colon).trimmed().isEmpty())
        return QStringLiteral("header must look like 'Name: value': ") + text;
    const QByteArray bytes = text.toUtf8();
    if (Sse::hasLineBreakOrNul(bytes)) {
        QString name = text.left(colon);
        name.replace(QLatin1Char('\r'), QLatin1String("\\r"))
            .replace(QLatin1Char('\n'), QLatin1String("\\n"));
        return QStringLiteral("-H '%1: …' holds a line break (CR or LF) or NUL, which would "
                              "start another header line")
            .arg(name.left(80));
    }
    Sse::ClientOptions check;
    check.method.clear();
    check.headers.append({text.left(colon).trimmed().toUtf8(), text.mid(colon + 1).trimmed().toUtf8()});
    const QString error = Sse::requestFieldsError(check);
    if (!error.isEmpty())
        return QStringLiteral("-H: ") + error;
    *header = check.headers.first();
    return QString();
}

QString parseHeaders(const QStringList &texts, QList<Header> *headers)
{
    for (const QString &text : texts) {
        Header header;
        const QString error = parseHeader(text, &header);
        if (!error.isEmpty())
            return error;
        headers->append(header);
    }
    return QString();
}

void setHeader(QList<Header> *headers, const Header &header)
{
    headers->removeIf([&](const Header &existing) {
        return existing.first.compare(header.first, Qt::CaseInsensitive) == 0;
    });
    headers->append(header);
}

bool parseInteger(const QString &text, qint64 minimum, qint64 maximum, qint64 *value)
{
    bool ok = false;
    const qint64 number = text.trimmed().toLongLong(&ok);
    if (!ok || number < minimum || number > maximum)
        return false;
    *value = number;
    return true;
}

bool parseSeconds(const QString &text, double minimum, double maximum, qint64 *milliseconds)
{
    bool ok = false;
    const double seconds = text.toDouble(&ok);
    // NaN fails both comparisons, so it is refused with the out-of-range values.
    if (!ok || !(seconds >= minimum && seconds <= maximum))
        return false;
    *milliseconds = qint64(std::llround(seconds * 1000));
    return true;
}

QString readBodyFile(const QString &path, QByteArray *body)
{
    static const QString tooLarge =
        QStringLiteral("--data-file %1 is larger than 64 MiB, the largest request body");
    const QFileInfo info(path);
    if (info.isFile() && info.size() > MaximumBodyBytes)
        return tooLarge.arg(path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
    // A device or pipe has no size: read one byte past the bound to tell whether it ends.
    QByteArray bytes = file.read(MaximumBodyBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
    if (bytes.size() > MaximumBodyBytes)
        return tooLarge.arg(path);
    *body = std::move(bytes);
    return QString();
}

QString parseUrl(const QStringList &positional, QUrl *url)
{
    if (positional.size() != 1)
        return QStringLiteral("expected exactly one URL");
    *url = QUrl::fromUserInput(positional.first());
    if (!url->isValid())
        return QStringLiteral("invalid URL: ") + positional.first();
    return QString();
}

bool parseListen(const QString &text, QHostAddress *address, quint16 *port)
{
    QString host = QStringLiteral("127.0.0.1");
    QString portText = text;
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon >= 0) {
        host = text.left(colon);
        portText = text.mid(colon + 1);
        if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
            host = host.mid(1, host.size() - 2);
    }
    bool ok = false;
    const uint number = portText.toUInt(&ok);
    if (!ok || number > 65535)
        return false;
    *port = quint16(number);
    if (host == QLatin1String("localhost"))
        host = QStringLiteral("127.0.0.1");
    return address->setAddress(host);
}

QString parseFilter(const QString &text, Sse::FilterExpression *filter)
{
    *filter = Sse::FilterExpression::parse(text);
    if (filter->isValid())
        return QString();
    return QStringLiteral("--filter: ") + filter->errorString();
}

} // namespace CliArguments

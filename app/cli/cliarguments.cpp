#include "cliarguments.h"

namespace CliArguments {

QString parseHeader(const QString &text, QPair<QByteArray, QByteArray> *header)
{
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    if (colon <= 0 || text.left(colon).trimmed().isEmpty())
        return QStringLiteral("header must look like 'Name: value': ") + text;
    *header = {text.left(colon).trimmed().toUtf8(), text.mid(colon + 1).trimmed().toUtf8()};
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

QString parseUrl(const QStringList &positional, QUrl *url)
{
    if (positional.size() != 1)
        return QStringLiteral("expected exactly one URL");
    *url = QUrl::fromUserInput(positional.first());
    if (!url->isValid())
        return QStringLiteral("invalid URL: ") + positional.first();
    return QString();
}

} // namespace CliArguments

#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>

/// Argument parsing shared by the CLI's commands (stream, check).
namespace CliArguments {

/// Parses `Name: value` (name and value trimmed). Returns an error message, or an
/// empty string when \a text is a valid header.
QString parseHeader(const QString &text, QPair<QByteArray, QByteArray> *header);

using Header = QPair<QByteArray, QByteArray>;

/// Parses every `Name: value` of \a texts and appends them to \a headers. Returns the first
/// error message, or an empty string.
QString parseHeaders(const QStringList &texts, QList<Header> *headers);

/// Puts \a header in place of the headers with its name (case-insensitive) in \a headers.
void setHeader(QList<Header> *headers, const Header &header);

/// The single URL argument. Returns an error message, or an empty string.
QString parseUrl(const QStringList &positional, QUrl *url);

} // namespace CliArguments

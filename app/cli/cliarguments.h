#pragma once

#include <QByteArray>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>

/// Argument parsing shared by the CLI's commands (stream, check).
namespace CliArguments {

/// Parses `Name: value` (name and value trimmed). Returns an error message, or an
/// empty string when \a text is a valid header.
QString parseHeader(const QString &text, QPair<QByteArray, QByteArray> *header);

/// The single URL argument. Returns an error message, or an empty string.
QString parseUrl(const QStringList &positional, QUrl *url);

} // namespace CliArguments

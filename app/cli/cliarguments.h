#pragma once

#include "sselib/filterexpression.h"

#include <QCommandLineOption>

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>

class QCommandLineParser;

namespace Sse {
struct ClientOptions;
}

/// Argument parsing shared by the CLI's commands (stream, check, probe).
namespace CliArguments {

/// Parses `Name: value` (name and value trimmed). Returns an error message, or an
/// empty string when \a text is a valid header: the name an HTTP token, no CR, LF or NUL
/// anywhere (it would end the header line and start another one on the wire).
QString parseHeader(const QString &text, QPair<QByteArray, QByteArray> *header);

using Header = QPair<QByteArray, QByteArray>;

/// Parses every `Name: value` of \a texts and appends them to \a headers. Returns the first
/// error message, or an empty string.
QString parseHeaders(const QStringList &texts, QList<Header> *headers);

/// Puts \a header in place of the headers with its name (case-insensitive) in \a headers.
void setHeader(QList<Header> *headers, const Header &header);

/// A whole number from \a minimum to \a maximum (no fraction, no exponent); false otherwise.
bool parseInteger(const QString &text, qint64 minimum, qint64 maximum, qint64 *value);

/// Seconds from \a minimum to \a maximum (a decimal number), as whole milliseconds.
bool parseSeconds(const QString &text, double minimum, double maximum, qint64 *milliseconds);

/// Longest --timeout, --idle-timeout, --duration: below the 24.8 days a Qt timer can wait.
constexpr double MaximumSeconds = 2000000;
/// Largest request body read from --data-file.
constexpr qint64 MaximumBodyBytes = 64LL * 1024 * 1024;

/// Reads at most MaximumBodyBytes of \a path into \a body (a larger file, or a device that
/// does not end, is an error found without reading it all). Returns an error message.
QString readBodyFile(const QString &path, QByteArray *body);

/// The single URL argument. Returns an error message, or an empty string.
QString parseUrl(const QStringList &positional, QUrl *url);

/// A listening address: "127.0.0.1:8080", "[::1]:8080", "localhost:0", or a port alone
/// ("8080", on 127.0.0.1). False when the port or the address is invalid.
bool parseListen(const QString &text, QHostAddress *address, quint16 *port);

/// Compiles the --filter expression of the stream and replay commands. Returns an error
/// message ("--filter: column 17: expected a value after '>'"), or an empty string.
QString parseFilter(const QString &text, Sse::FilterExpression *filter);

/// The options that say how to reach the server, shared by the stream command, `check` and
/// `probe`: --insecure, --http1.1, --http2-prior-knowledge, --proxy, --noproxy, --cert, --key,
/// --cert-type and --cacert.
class TransportOptions
{
public:
    TransportOptions();
    /// Adds the options to \a parser.
    void addTo(QCommandLineParser &parser) const;
    /// Sets in \a options what the command line gives (options not given stay as they are, so
    /// a profile's values hold). Returns an error message, or an empty string.
    QString apply(const QCommandLineParser &parser, Sse::ClientOptions *options) const;

private:
    QCommandLineOption m_insecure;
    QCommandLineOption m_http11;
    QCommandLineOption m_priorKnowledge;
    QCommandLineOption m_proxy;
    QCommandLineOption m_noProxy;
    QCommandLineOption m_cert;
    QCommandLineOption m_key;
    QCommandLineOption m_certType;
    QCommandLineOption m_caCert;
};

} // namespace CliArguments

#include "sselib/curlcommand.h"

#include "sselib/proxy.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cmath>

namespace Sse {

namespace {

struct CurlMessages
{
    Q_DECLARE_TR_FUNCTIONS(CurlMessages)
};

constexpr qint64 MaximumFileBytes = 64LL * 1024 * 1024;

bool isBlank(QChar c)
{
    return c == QLatin1Char(' ') || c == QLatin1Char('\t') || c == QLatin1Char('\n')
        || c == QLatin1Char('\r');
}

int hexValue(QChar c)
{
    const ushort u = c.unicode();
    if (u >= '0' && u <= '9')
        return u - '0';
    if (u >= 'a' && u <= 'f')
        return u - 'a' + 10;
    if (u >= 'A' && u <= 'F')
        return u - 'A' + 10;
    return -1;
}

// The escapes of bash's $'...' quoting, from text[*i] (just after the backslash).
void appendAnsiEscape(const QString &text, qsizetype *i, QString *word, QByteArray *bytes)
{
    // Bytes from \x and octal escapes are collected and decoded as UTF-8 together, so
    // $'\xe2\x82\xac' is one character, as in bash under a UTF-8 locale.
    auto flushBytes = [&] {
        if (!bytes->isEmpty()) {
            *word += QString::fromUtf8(*bytes);
            bytes->clear();
        }
    };
    const QChar c = text.at(*i);
    ++*i;
    switch (c.unicode()) {
    case 'n': flushBytes(); *word += QLatin1Char('\n'); return;
    case 't': flushBytes(); *word += QLatin1Char('\t'); return;
    case 'r': flushBytes(); *word += QLatin1Char('\r'); return;
    case 'a': flushBytes(); *word += QChar(7); return;
    case 'b': flushBytes(); *word += QChar(8); return;
    case 'e':
    case 'E': flushBytes(); *word += QChar(27); return;
    case 'f': flushBytes(); *word += QChar(12); return;
    case 'v': flushBytes(); *word += QChar(11); return;
    case '\\': flushBytes(); *word += QLatin1Char('\\'); return;
    case '\'': flushBytes(); *word += QLatin1Char('\''); return;
    case '"': flushBytes(); *word += QLatin1Char('"'); return;
    case '?': flushBytes(); *word += QLatin1Char('?'); return;
    case 'c':
        flushBytes();
        if (*i < text.size()) {
            *word += QChar(text.at(*i).unicode() & 0x1f);
            ++*i;
        }
        return;
    case 'x': {
        int value = 0;
        int digits = 0;
        while (digits < 2 && *i < text.size() && hexValue(text.at(*i)) >= 0) {
            value = value * 16 + hexValue(text.at(*i));
            ++*i;
            ++digits;
        }
        if (digits == 0) {
            flushBytes();
            *word += QLatin1String("\\x");
            return;
        }
        bytes->append(char(value));
        return;
    }
    case 'u':
    case 'U': {
        const int maximum = c == QLatin1Char('u') ? 4 : 8;
        uint value = 0;
        int digits = 0;
        while (digits < maximum && *i < text.size() && hexValue(text.at(*i)) >= 0) {
            value = value * 16 + uint(hexValue(text.at(*i)));
            ++*i;
            ++digits;
        }
        flushBytes();
        if (digits == 0) {
            *word += QLatin1Char('\\') + c;
            return;
        }
        const char32_t code = char32_t(value);
        *word += QString::fromUcs4(&code, 1);
        return;
    }
    default:
        break;
    }
    if (c.unicode() >= '0' && c.unicode() <= '7') {
        int value = c.unicode() - '0';
        int digits = 1;
        while (digits < 3 && *i < text.size() && text.at(*i).unicode() >= '0'
               && text.at(*i).unicode() <= '7') {
            value = value * 8 + (text.at(*i).unicode() - '0');
            ++*i;
            ++digits;
        }
        bytes->append(char(value & 0xff));
        return;
    }
    flushBytes();
    *word += QLatin1Char('\\') + c; // unknown escapes stay as written
}

QString resolvePath(const QString &path, const QString &directory)
{
    if (directory.isEmpty() || QFileInfo(path).isAbsolute())
        return path;
    return QDir(directory).filePath(path);
}

QString readFile(const QString &path, QByteArray *contents)
{
    QFile file(path);
    if (path == QLatin1String("-")) {
        if (!file.open(stdin, QIODevice::ReadOnly))
            return CurlMessages::tr("cannot read the standard input");
    } else if (!file.open(QIODevice::ReadOnly)) {
        return CurlMessages::tr("cannot read %1: %2").arg(path, file.errorString());
    }
    *contents = file.read(MaximumFileBytes + 1);
    if (contents->size() > MaximumFileBytes)
        return CurlMessages::tr("%1 is larger than 64 MiB").arg(path);
    return QString();
}

bool parseSeconds(const QString &text, qint64 *milliseconds)
{
    bool ok = false;
    const double seconds = text.toDouble(&ok);
    if (!ok || !std::isfinite(seconds) || seconds < 0 || seconds > 2000000)
        return false;
    *milliseconds = qint64(std::llround(seconds * 1000));
    return true;
}

void setHeader(ClientOptions *options, const QByteArray &name, const QByteArray &value)
{
    options->headers.removeIf([&](const QPair<QByteArray, QByteArray> &header) {
        return header.first.compare(name, Qt::CaseInsensitive) == 0;
    });
    options->headers.append({name, value});
}

bool hasHeader(const ClientOptions &options, QByteArrayView name)
{
    return std::any_of(options.headers.cbegin(), options.headers.cend(), [&](const auto &header) {
        return header.first.compare(name, Qt::CaseInsensitive) == 0;
    });
}

// Single-quoted for bash; $'...' when the text holds control characters.
QString quote(const QString &text)
{
    bool control = false;
    for (const QChar c : text)
        control = control || (c.unicode() < 0x20 && c != QLatin1Char('\t')) || c.unicode() == 0x7f;
    if (!control) {
        QString quoted = text;
        quoted.replace(QLatin1Char('\''), QLatin1String("'\\''"));
        return QLatin1Char('\'') + quoted + QLatin1Char('\'');
    }
    QString quoted = QStringLiteral("$'");
    for (const QChar c : text) {
        switch (c.unicode()) {
        case '\n': quoted += QLatin1String("\\n"); break;
        case '\r': quoted += QLatin1String("\\r"); break;
        case '\t': quoted += QLatin1String("\\t"); break;
        case '\\': quoted += QLatin1String("\\\\"); break;
        case '\'': quoted += QLatin1String("\\'"); break;
        default:
            if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                quoted += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
            else
                quoted += c;
        }
    }
    return quoted + QLatin1Char('\'');
}

enum class Takes { Nothing, Value };

struct OptionSpec
{
    const char *longName;
    char shortName; // 0: none
    Takes takes;
};

// The options understood, by their long name; the short forms are curl's.
constexpr OptionSpec Options[] = {
    {"request", 'X', Takes::Value},      {"header", 'H', Takes::Value},
    {"data", 'd', Takes::Value},         {"data-ascii", 0, Takes::Value},
    {"data-raw", 0, Takes::Value},       {"data-binary", 0, Takes::Value},
    {"data-urlencode", 0, Takes::Value}, {"json", 0, Takes::Value},
    {"user", 'u', Takes::Value},         {"cookie", 'b', Takes::Value},
    {"user-agent", 'A', Takes::Value},   {"referer", 'e', Takes::Value},
    {"insecure", 'k', Takes::Nothing},   {"cacert", 0, Takes::Value},
    {"cert", 'E', Takes::Value},         {"key", 0, Takes::Value},
    {"cert-type", 0, Takes::Value},      {"pass", 0, Takes::Value},
    {"proxy", 'x', Takes::Value},        {"proxy-user", 'U', Takes::Value},
    {"noproxy", 0, Takes::Value},        {"compressed", 0, Takes::Nothing},
    {"no-buffer", 'N', Takes::Nothing},  {"silent", 's', Takes::Nothing},
    {"show-error", 'S', Takes::Nothing}, {"verbose", 'v', Takes::Nothing},
    {"http2", 0, Takes::Nothing},        {"http1.1", 0, Takes::Nothing},
    {"location", 'L', Takes::Nothing},   {"max-time", 'm', Takes::Value},
    {"connect-timeout", 0, Takes::Value}, {"url", 0, Takes::Value},
};

const OptionSpec *findLong(QStringView name)
{
    for (const OptionSpec &spec : Options) {
        if (name == QLatin1String(spec.longName))
            return &spec;
    }
    return nullptr;
}

const OptionSpec *findShort(QChar name)
{
    for (const OptionSpec &spec : Options) {
        if (spec.shortName && name == QLatin1Char(spec.shortName))
            return &spec;
    }
    return nullptr;
}

struct ParseState
{
    CurlCommand *command = nullptr;
    QString directory;
    QStringList dataParts; // -d values, joined with & as curl does
    bool dataGiven = false;
    bool jsonGiven = false;
    bool urlGiven = false;
    bool methodGiven = false;
    QString proxyUser;
};

bool apply(ParseState &state, const OptionSpec &spec, const QString &value, QString *error)
{
    ClientOptions &o = state.command->options;
    const QByteArrayView name(spec.longName, qstrlen(spec.longName));
    const QString shown = QStringLiteral("--") + QLatin1String(spec.longName);
    if (name == "request") {
        o.method = value.toUtf8().toUpper();
        state.methodGiven = true;
    } else if (name == "header") {
        const qsizetype colon = value.indexOf(QLatin1Char(':'));
        const qsizetype semicolon = value.indexOf(QLatin1Char(';'));
        if (colon <= 0 && semicolon > 0 && value.trimmed().endsWith(QLatin1Char(';'))) {
            // curl's "Name;" sends the header with an empty value.
            setHeader(&o, value.left(semicolon).trimmed().toUtf8(), QByteArray());
        } else if (colon <= 0) {
            *error = CurlMessages::tr("-H takes \"Name: value\", not \"%1\"").arg(value);
            return false;
        } else {
            const QByteArray headerName = value.left(colon).trimmed().toUtf8();
            const QByteArray headerValue = value.mid(colon + 1).trimmed().toUtf8();
            // Browsers offer br and zstd, which the client cannot decode: it asks for what
            // it can (gzip, deflate) itself.
            if (headerName.compare("accept-encoding", Qt::CaseInsensitive) == 0)
                return true;
            if (headerValue.isEmpty()) // "Name:" removes a header curl would send
                o.headers.removeIf([&](const auto &h) {
                    return h.first.compare(headerName, Qt::CaseInsensitive) == 0;
                });
            else
                setHeader(&o, headerName, headerValue);
        }
    } else if (name == "data" || name == "data-ascii" || name == "data-binary"
               || name == "data-raw" || name == "data-urlencode" || name == "json") {
        QString text = value;
        if (name != "data-raw" && name != "data-urlencode" && value.startsWith(QLatin1Char('@'))) {
            QByteArray contents;
            const QString path = resolvePath(value.mid(1), state.directory);
            if (QString readError = readFile(path, &contents); !readError.isEmpty()) {
                *error = shown + QStringLiteral(": ") + readError;
                return false;
            }
            // -d @file drops line breaks, as curl does; --data-binary and --json keep them.
            if (name == "data" || name == "data-ascii")
                contents.replace("\r", "").replace("\n", "");
            text = QString::fromUtf8(contents);
        }
        if (name == "data-urlencode") {
            const qsizetype equals = text.indexOf(QLatin1Char('='));
            text = equals < 0 ? QString::fromLatin1(QUrl::toPercentEncoding(text))
                              : text.left(equals + 1)
                    + QString::fromLatin1(QUrl::toPercentEncoding(text.mid(equals + 1)));
        }
        state.dataParts.append(text);
        state.dataGiven = true;
        state.jsonGiven = state.jsonGiven || name == "json";
    } else if (name == "user") {
        o.headers.removeIf([](const auto &h) {
            return h.first.compare("authorization", Qt::CaseInsensitive) == 0;
        });
        o.headers.append({QByteArrayLiteral("Authorization"), "Basic " + value.toUtf8().toBase64()});
    } else if (name == "cookie") {
        if (!value.contains(QLatin1Char('='))) {
            *error = CurlMessages::tr("-b %1: cookie files are not supported; give the cookies "
                                      "as \"name=value; name2=value2\"").arg(value);
            return false;
        }
        setHeader(&o, QByteArrayLiteral("Cookie"), value.toUtf8());
    } else if (name == "user-agent") {
        setHeader(&o, QByteArrayLiteral("User-Agent"), value.toUtf8());
    } else if (name == "referer") {
        setHeader(&o, QByteArrayLiteral("Referer"), value.toUtf8());
    } else if (name == "insecure") {
        o.allowInsecureTls = true;
    } else if (name == "cacert") {
        QByteArray contents;
        if (QString readError = readFile(resolvePath(value, state.directory), &contents);
            !readError.isEmpty()) {
            *error = shown + QStringLiteral(": ") + readError;
            return false;
        }
        o.caCertificatesPem += contents;
    } else if (name == "cert") {
        QString file;
        CurlCommand::splitCertificate(value, &file, &o.clientKeyPassphrase);
        o.clientCertificateFile = resolvePath(file, state.directory);
    } else if (name == "key") {
        o.clientKeyFile = resolvePath(value, state.directory);
    } else if (name == "cert-type") {
        const QString type = value.toUpper();
        if (type == QLatin1String("PEM")) {
            o.clientCertificateType = CertificateType::Pem;
        } else if (type == QLatin1String("P12")) {
            o.clientCertificateType = CertificateType::Pkcs12;
        } else {
            *error = CurlMessages::tr("--cert-type takes PEM or P12, not \"%1\"").arg(value);
            return false;
        }
    } else if (name == "pass") {
        o.clientKeyPassphrase = value.toUtf8();
    } else if (name == "proxy") {
        if (value.isEmpty()) {
            o.proxy.clear();
            o.noProxy = QStringLiteral("*"); // curl: -x "" means no proxy at all
        } else {
            Proxy proxy;
            if (!parseProxyUrl(value, &proxy, error))
                return false;
            o.proxy = value;
        }
    } else if (name == "proxy-user") {
        state.proxyUser = value;
    } else if (name == "noproxy") {
        o.noProxy = value;
    } else if (name == "compressed" || name == "no-buffer") {
        // gzip and deflate are always accepted, and events are never buffered.
    } else if (name == "silent") {
        state.command->silent = true;
    } else if (name == "show-error") {
        state.command->showError = true;
    } else if (name == "verbose") {
        state.command->verbose = true;
    } else if (name == "http2") {
        state.command->http2 = true;
        state.command->http11 = false;
        state.command->options.http1Only = false; // https offers h2 (ALPN) by default
    } else if (name == "http1.1") {
        state.command->http11 = true;
        state.command->http2 = false;
        state.command->options.http1Only = true;
    } else if (name == "location") {
        state.command->followRedirects = true;
    } else if (name == "max-time" || name == "connect-timeout") {
        qint64 ms = 0;
        if (!parseSeconds(value, &ms)) {
            *error = CurlMessages::tr("%1 takes seconds, not \"%2\"").arg(shown, value);
            return false;
        }
        if (name == "max-time")
            state.command->maxTimeMs = ms;
        else
            o.connectTimeoutMs = int(ms);
    } else if (name == "url") {
        if (state.urlGiven) {
            *error = CurlMessages::tr("more than one URL (\"%1\"): a connection has one")
                         .arg(value);
            return false;
        }
        state.urlGiven = true;
        o.url = QUrl::fromUserInput(value);
        if (!o.url.isValid()) {
            *error = CurlMessages::tr("\"%1\" is not a valid URL").arg(value);
            return false;
        }
    }
    return true;
}

} // namespace

bool CurlCommand::splitWords(const QString &text, QStringList *words, QString *error)
{
    words->clear();
    QString word;
    QByteArray pendingBytes; // $'...' \x and octal bytes not yet decoded
    bool inWord = false;
    qsizetype i = 0;
    const qsizetype n = text.size();
    auto finishWord = [&] {
        if (inWord)
            words->append(word);
        word.clear();
        inWord = false;
    };
    while (i < n) {
        const QChar c = text.at(i);
        if (isBlank(c)) {
            finishWord();
            ++i;
            continue;
        }
        if (c == QLatin1Char('#') && !inWord) {
            while (i < n && text.at(i) != QLatin1Char('\n'))
                ++i;
            continue;
        }
        if (c == QLatin1Char('\\')) {
            if (i + 1 >= n) {
                ++i;
                continue;
            }
            const QChar next = text.at(i + 1);
            if (next == QLatin1Char('\n')) { // a line continuation
                i += 2;
                continue;
            }
            if (next == QLatin1Char('\r') && i + 2 < n && text.at(i + 2) == QLatin1Char('\n')) {
                i += 3;
                continue;
            }
            word += next;
            inWord = true;
            i += 2;
            continue;
        }
        if (c == QLatin1Char('\'')) {
            const qsizetype end = text.indexOf(QLatin1Char('\''), i + 1);
            if (end < 0) {
                *error = CurlMessages::tr("a single quote (') is not closed");
                return false;
            }
            word += text.mid(i + 1, end - i - 1);
            inWord = true;
            i = end + 1;
            continue;
        }
        if (c == QLatin1Char('$') && i + 1 < n && text.at(i + 1) == QLatin1Char('\'')) {
            i += 2;
            bool closed = false;
            while (i < n) {
                const QChar q = text.at(i);
                if (q == QLatin1Char('\'')) {
                    closed = true;
                    ++i;
                    break;
                }
                if (q == QLatin1Char('\\') && i + 1 < n) {
                    ++i;
                    appendAnsiEscape(text, &i, &word, &pendingBytes);
                    continue;
                }
                if (!pendingBytes.isEmpty()) {
                    word += QString::fromUtf8(pendingBytes);
                    pendingBytes.clear();
                }
                word += q;
                ++i;
            }
            if (!pendingBytes.isEmpty()) {
                word += QString::fromUtf8(pendingBytes);
                pendingBytes.clear();
            }
            if (!closed) {
                *error = CurlMessages::tr("a $'...' quote is not closed");
                return false;
            }
            inWord = true;
            continue;
        }
        if (c == QLatin1Char('"')) {
            ++i;
            bool closed = false;
            while (i < n) {
                const QChar q = text.at(i);
                if (q == QLatin1Char('"')) {
                    closed = true;
                    ++i;
                    break;
                }
                if (q == QLatin1Char('\\') && i + 1 < n) {
                    const QChar next = text.at(i + 1);
                    if (next == QLatin1Char('\n')) {
                        i += 2;
                        continue;
                    }
                    if (next == QLatin1Char('"') || next == QLatin1Char('\\')
                        || next == QLatin1Char('$') || next == QLatin1Char('`')) {
                        word += next;
                        i += 2;
                        continue;
                    }
                }
                word += q;
                ++i;
            }
            if (!closed) {
                *error = CurlMessages::tr("a double quote (\") is not closed");
                return false;
            }
            inWord = true;
            continue;
        }
        word += c;
        inWord = true;
        ++i;
    }
    finishWord();
    return true;
}

bool CurlCommand::parseArguments(const QStringList &arguments, CurlCommand *command,
                                 QString *error, const QString &directory)
{
    *command = CurlCommand();
    ParseState state;
    state.command = command;
    state.directory = directory;
    bool optionsEnded = false;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        auto takeValue = [&](const QString &option, QString *value) {
            if (i + 1 >= arguments.size()) {
                *error = CurlMessages::tr("%1 needs a value").arg(option);
                return false;
            }
            *value = arguments.at(++i);
            return true;
        };
        if (optionsEnded || !argument.startsWith(QLatin1Char('-')) || argument.size() == 1) {
            const OptionSpec *url = findLong(u"url");
            if (!apply(state, *url, argument, error))
                return false;
            continue;
        }
        if (argument == QLatin1String("--")) {
            optionsEnded = true;
            continue;
        }
        if (argument.startsWith(QLatin1String("--"))) {
            QString name = argument.mid(2);
            QString value;
            bool inlineValue = false;
            if (const qsizetype equals = name.indexOf(QLatin1Char('=')); equals > 0) {
                value = name.mid(equals + 1);
                name = name.left(equals);
                inlineValue = true;
            }
            const OptionSpec *spec = findLong(name);
            if (!spec) {
                *error = CurlMessages::tr("unknown curl option --%1 (see the README's list of "
                                          "the options sse-monitor understands)").arg(name);
                return false;
            }
            if (spec->takes == Takes::Value) {
                if (!inlineValue && !takeValue(argument, &value))
                    return false;
            } else if (inlineValue) {
                *error = CurlMessages::tr("--%1 takes no value").arg(name);
                return false;
            }
            if (!apply(state, *spec, value, error))
                return false;
            continue;
        }
        // Short options, possibly combined (-sN) or with the value attached (-XPOST).
        for (qsizetype j = 1; j < argument.size(); ++j) {
            const QChar letter = argument.at(j);
            const OptionSpec *spec = findShort(letter);
            if (!spec) {
                *error = CurlMessages::tr("unknown curl option -%1").arg(letter);
                return false;
            }
            QString value;
            if (spec->takes == Takes::Value) {
                if (j + 1 < argument.size())
                    value = argument.mid(j + 1);
                else if (!takeValue(QStringLiteral("-") + letter, &value))
                    return false;
                if (!apply(state, *spec, value, error))
                    return false;
                break;
            }
            if (!apply(state, *spec, value, error))
                return false;
        }
    }
    ClientOptions &o = command->options;
    if (!state.urlGiven) {
        *error = CurlMessages::tr("the command has no URL");
        return false;
    }
    if (!state.proxyUser.isEmpty()) {
        if (o.proxy.isEmpty()) {
            *error = CurlMessages::tr("--proxy-user needs --proxy");
            return false;
        }
        const qsizetype colon = state.proxyUser.indexOf(QLatin1Char(':'));
        QUrl url(o.proxy.contains(QLatin1String("://")) ? o.proxy
                                                         : QStringLiteral("http://") + o.proxy);
        url.setUserName(colon < 0 ? state.proxyUser : state.proxyUser.left(colon),
                        QUrl::DecodedMode);
        url.setPassword(colon < 0 ? QString() : state.proxyUser.mid(colon + 1), QUrl::DecodedMode);
        o.proxy = url.toString(QUrl::FullyEncoded);
    }
    if (state.dataGiven) {
        o.body = state.dataParts.join(QLatin1Char('&')).toUtf8();
        if (!state.methodGiven)
            o.method = QByteArrayLiteral("POST");
        if (state.jsonGiven)
            setHeader(&o, QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json"));
        else if (!hasHeader(o, "content-type"))
            o.headers.append({QByteArrayLiteral("Content-Type"),
                              QByteArrayLiteral("application/x-www-form-urlencoded")});
    }
    return true;
}

void CurlCommand::splitCertificate(const QString &value, QString *file, QByteArray *password)
{
    file->clear();
    qsizetype i = 0;
    for (; i < value.size(); ++i) {
        if (value.at(i) == QLatin1Char('\\') && i + 1 < value.size()
            && value.at(i + 1) == QLatin1Char(':')) {
            *file += QLatin1Char(':');
            ++i;
        } else if (value.at(i) == QLatin1Char(':')) {
            break;
        } else {
            *file += value.at(i);
        }
    }
    if (i < value.size())
        *password = value.mid(i + 1).toUtf8();
}

bool CurlCommand::looksLikeCommand(const QString &text)
{
    const QString trimmed = text.trimmed();
    return trimmed.startsWith(QLatin1String("curl ")) || trimmed.startsWith(QLatin1String("curl\t"))
        || trimmed.startsWith(QLatin1String("curl\\")) || trimmed.startsWith(QLatin1String("curl\n"));
}

bool CurlCommand::parse(const QString &commandLine, CurlCommand *command, QString *error)
{
    QStringList words;
    if (!splitWords(commandLine, &words, error))
        return false;
    if (words.isEmpty() || (words.first() != QLatin1String("curl")
                            && !words.first().endsWith(QLatin1String("/curl")))) {
        *error = CurlMessages::tr("not a curl command: it does not start with \"curl\"");
        return false;
    }
    words.removeFirst();
    return parseArguments(words, command, error);
}

QString CurlCommand::format(const ClientOptions &o, SecretHandling secrets)
{
    const bool withSecrets = secrets == SecretHandling::Include;
    const QString mask = QString::fromLatin1(RedactedMask);
    QStringList parts{QStringLiteral("curl"), QStringLiteral("-N")};
    parts.append(quote(withSecrets ? o.url.toString(QUrl::FullyEncoded) : redactedUrl(o.url)));
    const QByteArray method = o.method.isEmpty() ? QByteArrayLiteral("GET") : o.method.toUpper();
    const bool postByBody = method == "POST" && !o.body.isEmpty();
    if (method != "GET" && !postByBody)
        parts << QStringLiteral("-X") << quote(QString::fromLatin1(method));
    for (const auto &header : o.headers) {
        const QString value = !withSecrets && isSecretHeader(header.first)
            ? mask
            : QString::fromUtf8(header.second);
        parts << QStringLiteral("-H")
              << quote(QString::fromUtf8(header.first) + QStringLiteral(": ") + value);
    }
    if (!o.body.isEmpty())
        parts << QStringLiteral("--data-raw") << quote(QString::fromUtf8(o.body));
    if (o.allowInsecureTls)
        parts << QStringLiteral("-k");
    if (!o.proxy.isEmpty()) {
        QString proxy = proxyUrlWithoutPassword(o.proxy);
        if (withSecrets)
            proxy = o.proxy;
        else if (!proxyUrlPassword(o.proxy).isEmpty())
            proxy = proxyUrlWithPassword(o.proxy, mask);
        parts << QStringLiteral("-x") << quote(proxy);
    }
    if (!o.noProxy.isEmpty())
        parts << QStringLiteral("--noproxy") << quote(o.noProxy);
    if (!o.clientCertificateFile.isEmpty()) {
        QString certificate = o.clientCertificateFile;
        certificate.replace(QLatin1Char(':'), QLatin1String("\\:"));
        if (!o.clientKeyPassphrase.isEmpty())
            certificate += QLatin1Char(':')
                + (withSecrets ? QString::fromUtf8(o.clientKeyPassphrase) : mask);
        parts << QStringLiteral("--cert") << quote(certificate);
        if (!o.clientKeyFile.isEmpty())
            parts << QStringLiteral("--key") << quote(o.clientKeyFile);
        if (o.clientCertificateType == CertificateType::Pkcs12)
            parts << QStringLiteral("--cert-type") << QStringLiteral("P12");
    }
    const ClientOptions defaults;
    if (o.connectTimeoutMs != defaults.connectTimeoutMs && o.connectTimeoutMs > 0)
        parts << QStringLiteral("--connect-timeout")
              << QString::number(double(o.connectTimeoutMs) / 1000.0);
    return parts.join(QLatin1Char(' '));
}

} // namespace Sse

#pragma once

#include "sselib/reverseproxy.h"

#include <QByteArray>
#include <QHostAddress>
#include <QString>
#include <QUrl>

/// A proxy connection of the GUI: a Sse::ReverseProxy listening for an application, whose
/// event-stream exchanges show up as connections grouped under it. What the New Connection
/// dialog edits and the saved connections keep (kind "proxy").
struct ProxySettings
{
    static constexpr quint16 DefaultPort = 8787;

    QString listenAddress = QStringLiteral("127.0.0.1");
    quint16 listenPort = DefaultPort;
    /// Listening on an address other than loopback lets other machines use the upstream
    /// credentials the application sends: only with this set.
    bool allowRemote = false;
    QUrl upstream; ///< http or https origin, optionally with a base path
    QByteArray caCertificatesPem; ///< extra CAs trusted for an https upstream
    bool allowInsecureTls = false;
    /// The LLM analysis (the LLM tab and verdicts) of the exchanges' streams.
    bool llmAnalysis = true;

    QHostAddress address() const { return QHostAddress(listenAddress); }
    bool isLoopback() const { return address().isLoopback(); }
    /// An address that parses, loopback unless allowRemote, and an http(s) upstream with a host.
    bool isValid() const
    {
        const QHostAddress host = address();
        const QString scheme = upstream.scheme();
        return !host.isNull() && (allowRemote || host.isLoopback()) && upstream.isValid()
            && !upstream.host().isEmpty()
            && (scheme == QLatin1String("http") || scheme == QLatin1String("https"));
    }
    /// `http://127.0.0.1:8787`
    QUrl listenUrl() const
    {
        QUrl url;
        url.setScheme(QStringLiteral("http"));
        url.setHost(listenAddress);
        url.setPort(listenPort);
        return url;
    }
    Sse::ReverseProxyOptions reverseProxyOptions() const
    {
        Sse::ReverseProxyOptions options;
        options.upstream = upstream;
        options.caCertificatesPem = caCertificatesPem;
        options.allowInsecureTls = allowInsecureTls;
        return options;
    }
    friend bool operator==(const ProxySettings &, const ProxySettings &) = default;
};

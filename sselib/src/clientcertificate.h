#pragma once

#include "sselib/sseclient.h"

#include <QList>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>

namespace Sse {

/// The client certificate of \a options (ClientOptions::clientCertificateFile and its key),
/// read from disk now, so a renewed certificate is picked up by the next attempt. Returns an
/// error message naming the file, or an empty string (also when no certificate is set).
QString loadClientCertificate(const ClientOptions &options, QList<QSslCertificate> *chain,
                              QSslKey *key);

} // namespace Sse

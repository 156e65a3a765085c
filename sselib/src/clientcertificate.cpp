#include "clientcertificate.h"

#include <QCoreApplication>
#include <QFile>

namespace Sse {

namespace {

struct CertificateMessages
{
    Q_DECLARE_TR_FUNCTIONS(CertificateMessages)
};

constexpr qint64 MaximumCertificateFileBytes = 1024 * 1024;

QString readSmallFile(const QString &path, QByteArray *contents)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return CertificateMessages::tr("cannot read %1: %2").arg(path, file.errorString());
    *contents = file.read(MaximumCertificateFileBytes + 1);
    if (contents->size() > MaximumCertificateFileBytes)
        return CertificateMessages::tr("%1 is larger than 1 MiB: not a certificate or key file")
            .arg(path);
    return QString();
}

QSslKey pemKey(const QByteArray &pem, const QByteArray &passphrase)
{
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
        const QSslKey key(pem, algorithm, QSsl::Pem, QSsl::PrivateKey, passphrase);
        if (!key.isNull())
            return key;
    }
    return QSslKey();
}

} // namespace

QString loadClientCertificate(const ClientOptions &options, QList<QSslCertificate> *chain,
                              QSslKey *key)
{
    chain->clear();
    *key = QSslKey();
    const QString &certificateFile = options.clientCertificateFile;
    if (certificateFile.isEmpty())
        return QString();
    QByteArray contents;
    if (QString error = readSmallFile(certificateFile, &contents); !error.isEmpty())
        return error;
    if (options.clientCertificateType == CertificateType::Pkcs12) {
        QFile file(certificateFile);
        file.open(QIODevice::ReadOnly);
        QSslCertificate leaf;
        QList<QSslCertificate> authorities;
        if (!QSslCertificate::importPkcs12(&file, key, &leaf, &authorities,
                                           options.clientKeyPassphrase)) {
            return CertificateMessages::tr("%1 is not a PKCS#12 file with a certificate and a "
                                           "key, or the password is wrong")
                .arg(certificateFile);
        }
        *chain = QList<QSslCertificate>{leaf} + authorities;
        return QString();
    }
    *chain = QSslCertificate::fromData(contents, QSsl::Pem);
    if (chain->isEmpty())
        return CertificateMessages::tr("%1 holds no PEM certificate").arg(certificateFile);
    // The key may sit beside the certificate in the same file, as curl allows.
    QByteArray keyPem = contents;
    if (!options.clientKeyFile.isEmpty()) {
        if (QString error = readSmallFile(options.clientKeyFile, &keyPem); !error.isEmpty())
            return error;
    }
    *key = pemKey(keyPem, options.clientKeyPassphrase);
    if (key->isNull()) {
        const QString keyFile = options.clientKeyFile.isEmpty() ? certificateFile
                                                                : options.clientKeyFile;
        return keyPem.contains("ENCRYPTED")
            ? CertificateMessages::tr("the private key in %1 is encrypted and the passphrase "
                                      "is missing or wrong").arg(keyFile)
            : CertificateMessages::tr("%1 holds no PEM private key").arg(keyFile);
    }
    return QString();
}

} // namespace Sse

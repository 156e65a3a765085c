#!/bin/sh
# Regenerates the client certificates of tests/sselib/tst_clientcertificate.cpp (OpenSSL 3.0
# CLI), signed by the test CA of generate.sh (ca.pem, ca.key), plus a second CA whose client
# certificate the test server must reject. Writes into the directory of this script.
set -eu
cd "$(dirname "$0")"
DAYS=7305 # 20 years

client_ext() {
    printf '%s\n' \
        "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature,keyEncipherment" \
        "extendedKeyUsage=clientAuth" \
        "subjectKeyIdentifier=hash" \
        "authorityKeyIdentifier=keyid"
}

# 1. Client certificate signed by the test CA (PEM key without a passphrase).
client_ext > client.ext
openssl req -new -newkey rsa:2048 -nodes -keyout client.key -out client.csr \
    -subj "/O=SSE Monitor tests/CN=sse-monitor test client"
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -set_serial 0x2001 \
    -sha256 -days "$DAYS" -extfile client.ext -out client.pem

# 2. The same key encrypted with the passphrase "key-pass".
openssl pkey -in client.key -aes256 -passout pass:key-pass -out client-encrypted.key

# 3. The certificate and key as PKCS#12 with the password "p12-pass".
openssl pkcs12 -export -in client.pem -inkey client.key -certfile ca.pem \
    -passout pass:p12-pass -out client.p12

# 4. Another CA and a client certificate it signed: a server trusting only ca.pem rejects it.
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$DAYS" \
    -keyout otherca.key -out otherca.pem -subj "/O=SSE Monitor tests/CN=Other Test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -new -newkey rsa:2048 -nodes -keyout otherclient.key -out otherclient.csr \
    -subj "/O=SSE Monitor tests/CN=client of another CA"
openssl x509 -req -in otherclient.csr -CA otherca.pem -CAkey otherca.key -set_serial 0x3001 \
    -sha256 -days "$DAYS" -extfile client.ext -out otherclient.pem

rm -f client.csr otherclient.csr client.ext

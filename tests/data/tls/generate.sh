#!/bin/sh
# Regenerates the TLS test certificates of tests/sselib/tst_tls.cpp (OpenSSL 3.0 CLI).
# Run from any directory; writes into the directory of this script. See README.md.
set -eu
cd "$(dirname "$0")"
DAYS=7305 # 20 years

# Extensions of every leaf (server) certificate.
leaf_ext() { # $1 = subjectAltName value
    printf '%s\n' \
        "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature,keyEncipherment" \
        "extendedKeyUsage=serverAuth" \
        "subjectKeyIdentifier=hash" \
        "authorityKeyIdentifier=keyid" \
        "subjectAltName=$1"
}

# 1. Test CA (self-signed root, 20 years).
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$DAYS" \
    -keyout ca.key -out ca.pem -subj "/O=SSE Monitor tests/CN=SSE Monitor Test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"

# 2. Server certificate for 127.0.0.1 / localhost, signed by the CA (20 years).
leaf_ext "IP:127.0.0.1,DNS:localhost" > server.ext
openssl req -new -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
    -subj "/O=SSE Monitor tests/CN=127.0.0.1"
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 0x1001 \
    -sha256 -days "$DAYS" -extfile server.ext -out server.pem

# 3. Self-signed server certificate for 127.0.0.1 (20 years).
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$DAYS" \
    -keyout selfsigned.key -out selfsigned.pem -subj "/O=SSE Monitor tests/CN=127.0.0.1" \
    -addext "basicConstraints=critical,CA:FALSE" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost"

# 4. Wrong host: SAN DNS:wrong.example only, signed by the CA (20 years).
leaf_ext "DNS:wrong.example" > wronghost.ext
openssl req -new -newkey rsa:2048 -nodes -keyout wronghost.key -out wronghost.csr \
    -subj "/O=SSE Monitor tests/CN=wrong.example"
openssl x509 -req -in wronghost.csr -CA ca.pem -CAkey ca.key -set_serial 0x1002 \
    -sha256 -days "$DAYS" -extfile wronghost.ext -out wronghost.pem

# 5. Expired certificate for 127.0.0.1, signed by the CA, valid 2020-01-01 .. 2020-02-01.
#    `openssl x509 -req` cannot set a start date in OpenSSL 3.0; `openssl ca` can.
leaf_ext "IP:127.0.0.1,DNS:localhost" > expired.ext
openssl req -new -newkey rsa:2048 -nodes -keyout expired.key -out expired.csr \
    -subj "/O=SSE Monitor tests/CN=127.0.0.1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: > "$work/index.txt"
echo 1003 > "$work/serial"
cat > "$work/ca.cnf" <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $work/index.txt
serial = $work/serial
new_certs_dir = $work
certificate = $PWD/ca.pem
private_key = $PWD/ca.key
default_md = sha256
policy = policy_any
copy_extensions = none
[ policy_any ]
organizationName = optional
commonName = supplied
CNF
openssl ca -batch -config "$work/ca.cnf" -notext -extfile expired.ext \
    -startdate 20200101000000Z -enddate 20200201000000Z \
    -in expired.csr -out expired.pem

rm -f server.csr wronghost.csr expired.csr server.ext wronghost.ext expired.ext

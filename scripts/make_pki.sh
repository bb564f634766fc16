#!/usr/bin/env bash
# Makes a throwaway PKI for trying TLS (never for production): a CA and, signed
# by it, certificates for fixgw's broker side (server), fixsim (exchange) and
# one broker (client). RSA, because QuickFIX 1.15.1 loads only RSA and DSA
# keys. Keys are unencrypted (QuickFIX's daemons cannot prompt).
# Usage: scripts/make_pki.sh DIR [DAYS]
set -euo pipefail
dir="${1:?usage: scripts/make_pki.sh DIR [DAYS]}"
days="${2:-30}"
mkdir -p "$dir"
cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days "$days" -subj "/CN=fixgw demo CA" \
  -keyout ca.key -out ca.pem 2>/dev/null
for name in server exchange client; do
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" \
    -keyout "$name.key" -out "$name.csr" 2>/dev/null
  openssl x509 -req -days "$days" -in "$name.csr" -CA ca.pem -CAkey ca.key \
    -CAcreateserial -out "$name.pem" 2>/dev/null
  rm "$name.csr"
done
chmod 600 ./*.key
echo "make_pki: $dir: ca.pem, server.{pem,key}, exchange.{pem,key}, client.{pem,key}" >&2

#!/usr/bin/env bash
# Verifies one custody record with nothing but a shell, sed, sha256sum and openssl (3.0 or later).
# usage: verify-by-hand.sh <export.jsonl> <line number> <device public key: base64 SPKI from the keyring>
# Prints the record, its key id, its hash (the next record's "prev"), and openssl's verdict.
set -euo pipefail
file=$1 n=$2 pub=$3
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
line=$(sed -n "${n}p" "$file")
# 1. The envelope holds the exact signed bytes and the signature, both in base64.
printf '%s' "$line" | sed 's/.*"record":"\([^"]*\)".*/\1/' | openssl base64 -d -A > "$dir/record.bin"
printf '%s' "$line" | sed 's/.*"sig":"\([^"]*\)".*/\1/' | openssl base64 -d -A > "$dir/sig.bin"
echo "record: $(cat "$dir/record.bin")"
# 2. What is hashed and signed: the domain line, then the record bytes.
{ printf 'wastetrail/record/v1\n'; cat "$dir/record.bin"; } > "$dir/message.bin"
# 3. The key id a record names ("kid") is the start of SHA-256 over the key's SPKI DER.
echo "kid of the key: $(printf '%s' "$pub" | openssl base64 -d -A | sha256sum | cut -c1-16)"
echo "record hash: $(sha256sum "$dir/message.bin" | cut -c1-64)"
# 4. The signature: Ed25519 over the message itself (-rawin), with the public key as PEM.
printf -- '-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n' "$pub" > "$dir/pub.pem"
openssl pkeyutl -verify -pubin -inkey "$dir/pub.pem" -rawin -in "$dir/message.bin" -sigfile "$dir/sig.bin"

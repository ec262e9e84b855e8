#!/usr/bin/env bash
# Verifies one custody record with nothing but a shell, grep, sed, sha256sum and openssl (3.0 or later).
# usage: verify-by-hand.sh <export.jsonl> <line number> <device public key: base64 SPKI from the keyring>
# Prints the record, its key id, its hash (the next record's "prev"), the chain link to the line before
# (when that line is the same device's previous record), and openssl's verdict. Exit 0 only if all hold.
set -euo pipefail
file=$1 n=$2 pub=$3
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
envelope='^\{"record":"[A-Za-z0-9+/]+={0,2}","sig":"[A-Za-z0-9+/]+={0,2}"\}$'
# 1. The envelope has one text form (docs/protocol/record.md): anything else is MALFORMED_ENVELOPE,
#    so the two sed lines below read every envelope wastetrail verify accepts.
line=$(sed -n "${n}p" "$file" | sed 's/\r$//')
printf '%s' "$line" | grep -Eq "$envelope" || { echo "line $n: MALFORMED_ENVELOPE (not the envelope's one form)"; exit 1; }
printf '%s' "$line" | sed 's/^{"record":"\([^"]*\)".*/\1/' | openssl base64 -d -A > "$dir/record.bin"
printf '%s' "$line" | sed 's/.*"sig":"\([^"]*\)"}$/\1/' | openssl base64 -d -A > "$dir/sig.bin"
echo "record: $(cat "$dir/record.bin")"
# 2. What is hashed and signed: the domain line, then the record bytes.
{ printf 'wastetrail/record/v1\n'; cat "$dir/record.bin"; } > "$dir/message.bin"
# 3. The key id a record names ("kid") is the start of SHA-256 over the key's SPKI DER.
kid=$(printf '%s' "$pub" | openssl base64 -d -A | sha256sum | cut -c1-16)
echo "kid of the key: $kid"
grep -q "\"kid\":\"$kid\"" "$dir/record.bin" || { echo "WRONG_KEY: the record names another kid"; exit 1; }
echo "record hash: $(sha256sum "$dir/message.bin" | cut -c1-64)"
# 4. The chain: "prev" is the hash of the device's previous record (64 zeros for seq 1).
prev=$(sed 's/.*"prev":"\([0-9a-f]\{64\}\)".*/\1/' "$dir/record.bin")
device=$(sed 's/.*"device":"\([a-z0-9-]*\)".*/\1/' "$dir/record.bin")
if [ "$n" -gt 1 ]; then
  before=$(sed -n "$((n - 1))p" "$file" | sed 's/\r$//')
  if printf '%s' "$before" | grep -Eq "$envelope"; then
    printf '%s' "$before" | sed 's/^{"record":"\([^"]*\)".*/\1/' | openssl base64 -d -A > "$dir/before.bin"
    if grep -q "\"device\":\"$device\"" "$dir/before.bin"; then
      hash_before=$({ printf 'wastetrail/record/v1\n'; cat "$dir/before.bin"; } | sha256sum | cut -c1-64)
      [ "$prev" = "$hash_before" ] || { echo "PREV_HASH_MISMATCH: prev $prev, line $((n - 1)) hashes to $hash_before"; exit 1; }
      echo "chain: prev is the hash of line $((n - 1))"
    fi
  fi
fi
# 5. The signature: Ed25519 over the message itself (-rawin), with the public key as PEM.
printf -- '-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n' "$pub" > "$dir/pub.pem"
openssl pkeyutl -verify -pubin -inkey "$dir/pub.pem" -rawin -in "$dir/message.bin" -sigfile "$dir/sig.bin"

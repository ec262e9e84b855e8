#!/usr/bin/env bash
# Checks that a custody record is in the wastetrail log, with nothing but bash, sed, awk, od, sha256sum
# and openssl (3.0 or later): the log's checkpoint signature, then the record's inclusion proof.
# usage: verify-inclusion-by-hand.sh <envelope file> <proof file (.tlog-proof)> <log verifier key>
# The envelope file's first line is the record's envelope; the verifier key is <name>+<id>+<base64>.
# Exit 0 only if the checkpoint is signed by that key and the proof leads from the record to its root.
set -euo pipefail
envelope_file=$1 proof_file=$2 vkey=$3
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
hex() { od -An -v -tx1 | tr -d ' \n'; }
unhex() { printf '%b' "$(printf '%s' "$1" | sed 's/../\\x&/g')"; }
# RFC 9162 hashing: a leaf is SHA-256(0x00 || entry), an inner node SHA-256(0x01 || left || right).
node() { { printf '\x01'; unhex "$1"; unhex "$2"; } | sha256sum | cut -c1-64; }

# 1. The record and its leaf: entry = SHA-256("wastetrail/record/v1\n" || record bytes) || signature.
line=$(head -n 1 "$envelope_file" | sed 's/\r$//')
printf '%s' "$line" | grep -Eq '^\{"record":"[A-Za-z0-9+/]+={0,2}","sig":"[A-Za-z0-9+/]+={0,2}"\}$' || { echo "MALFORMED_ENVELOPE"; exit 1; }
printf '%s' "$line" | sed 's/^{"record":"\([^"]*\)".*/\1/' | openssl base64 -d -A > "$dir/record.bin"
printf '%s' "$line" | sed 's/.*"sig":"\([^"]*\)"}$/\1/' | openssl base64 -d -A > "$dir/sig.bin"
record_hash=$({ printf 'wastetrail/record/v1\n'; cat "$dir/record.bin"; } | sha256sum | cut -c1-64)
leaf=$({ printf '\x00'; unhex "$record_hash"; cat "$dir/sig.bin"; } | sha256sum | cut -c1-64)
echo "record hash: $record_hash"
echo "leaf hash: $leaf"

# 2. The proof file (c2sp.org/tlog-proof): header, index, proof hashes, empty line, signed checkpoint.
[ "$(sed -n 1p "$proof_file")" = "c2sp.org/tlog-proof@v1" ] || { echo "MALFORMED_TLOG_PROOF: no c2sp.org/tlog-proof@v1 header"; exit 1; }
index=$(awk 'NR > 1 && /^index /{ print $2; exit }' "$proof_file")
awk 'NR > 1 && !/^(index|extra) / { if ($0 == "") exit; print }' "$proof_file" > "$dir/proof.txt"
awk 'done { print } /^$/ && !done { done = 1 }' "$proof_file" > "$dir/checkpoint.note"

# 3. The checkpoint's text (the lines before its empty line) and the log's signature line.
awk '/^$/{ exit } { print }' "$dir/checkpoint.note" > "$dir/text.bin"
origin=$(sed -n 1p "$dir/text.bin"); size=$(sed -n 2p "$dir/text.bin")
root=$(sed -n 3p "$dir/text.bin" | openssl base64 -d -A | hex)
echo "checkpoint: $origin, tree size $size, root $root"
name=${vkey%%+*}; rest=${vkey#*+}; key_id=${rest%%+*}; key_b64=${rest#*+}
printf '%s' "$key_b64" | openssl base64 -d -A > "$dir/vkey.bin"
[ "$(head -c 1 "$dir/vkey.bin" | hex)" = "01" ] || { echo "MALFORMED_VERIFIER_KEY: not an Ed25519 key (type 0x01)"; exit 1; }
tail -c 32 "$dir/vkey.bin" > "$dir/pub.raw"
# The key id is the start of SHA-256(name || 0x0A || 0x01 || public key).
computed_id=$({ printf '%s\n\x01' "$name"; cat "$dir/pub.raw"; } | sha256sum | cut -c1-8)
[ "$computed_id" = "$key_id" ] || { echo "MALFORMED_VERIFIER_KEY: key id $key_id, computed $computed_id"; exit 1; }
sig_line=$(grep -m1 "^— $name " "$dir/checkpoint.note" || true)
[ -n "$sig_line" ] || { echo "NO_TRUSTED_SIGNATURE: no signature line by $name"; exit 1; }
printf '%s' "${sig_line##* }" | openssl base64 -d -A > "$dir/keyid-and-sig.bin"
[ "$(head -c 4 "$dir/keyid-and-sig.bin" | hex)" = "$key_id" ] || { echo "NO_TRUSTED_SIGNATURE: the $name signature is by another key"; exit 1; }
tail -c +5 "$dir/keyid-and-sig.bin" > "$dir/note-sig.bin"
# openssl reads an Ed25519 public key as SPKI DER: a fixed 12-byte prefix, then the 32-byte key.
{ echo '-----BEGIN PUBLIC KEY-----'; { unhex 302a300506032b6570032100; cat "$dir/pub.raw"; } | openssl base64 -A; echo; echo '-----END PUBLIC KEY-----'; } > "$dir/pub.pem"
openssl pkeyutl -verify -pubin -inkey "$dir/pub.pem" -rawin -in "$dir/text.bin" -sigfile "$dir/note-sig.bin" || exit 1

# 4. The inclusion proof, RFC 9162 section 2.1.3.2: walk from the leaf up, each proof hash going left
#    or right of the running hash by the bits of the index (fn) and of the last index (sn).
[ "$index" -lt "$size" ] || { echo "INDEX_OUT_OF_RANGE: leaf $index, tree size $size"; exit 1; }
fn=$index sn=$((size - 1)) r=$leaf
while read -r p64; do
  p=$(printf '%s' "$p64" | openssl base64 -d -A | hex)
  [ "$sn" -gt 0 ] || { echo "INCLUSION_PROOF_INVALID: too many proof hashes"; exit 1; }
  if [ $((fn % 2)) -eq 1 ] || [ "$fn" -eq "$sn" ]; then
    r=$(node "$p" "$r")
    while [ $((fn % 2)) -eq 0 ] && [ "$fn" -ne 0 ]; do fn=$((fn / 2)) sn=$((sn / 2)); done
  else
    r=$(node "$r" "$p")
  fi
  fn=$((fn / 2)) sn=$((sn / 2))
done < "$dir/proof.txt"
[ "$sn" -eq 0 ] || { echo "INCLUSION_PROOF_INVALID: too few proof hashes"; exit 1; }
[ "$r" = "$root" ] || { echo "ROOT_MISMATCH: the proof leads to $r"; exit 1; }
echo "inclusion: leaf $index is in the tree of size $size (the root matches)"

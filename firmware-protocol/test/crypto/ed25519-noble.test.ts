/**
 * The pure-JS Ed25519 verify (for the browser) agrees with node:crypto's on every golden record and on the
 * ugly cases, and the `./verify` entry the browser bundles reaches no Node module.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nobleEd25519Verify, nodeEd25519Verify, signingMessage, verifyRecord, type Ed25519Verify } from '../../src/index.ts';
import { vectorKeyring, vectorRecords } from '../support.ts';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
const keyring = vectorKeyring();
const records = vectorRecords('chain-valid.jsonl');
const keyOf = (bytes: Uint8Array) => {
  const header = JSON.parse(new TextDecoder().decode(bytes)) as { device: string; kid: string };
  return keyring.devices.get(header.device)!.keys.find((k) => k.kid === header.kid)!.publicKeySpki;
};
const both = (check: (v: Ed25519Verify) => boolean) => [check(nodeEd25519Verify), check(nobleEd25519Verify)];

describe('nobleEd25519Verify', () => {
  it('verifies every golden record as node:crypto does', () => {
    expect(records.length).toBeGreaterThan(10);
    for (const r of records) {
      expect(verifyRecord(r, { keyring, ed25519Verify: nobleEd25519Verify })).toEqual(verifyRecord(r, { keyring, ed25519Verify: nodeEd25519Verify }));
      expect(both((v) => v(keyOf(r.bytes), signingMessage(r.bytes), r.signature))).toEqual([true, true]);
    }
  });

  it('refuses what node:crypto refuses: a flipped bit, S not reduced (S + L), a short signature, a key that is not Ed25519 SPKI', () => {
    const r = records[1]!;
    const key = keyOf(r.bytes);
    const message = signingMessage(r.bytes);
    const flipped = r.signature.slice();
    flipped[40]! ^= 1;
    expect(both((v) => v(key, message, flipped))).toEqual([false, false]);
    // RFC 8032 strict: S must be below the group order L; S + L verifies under lax (ZIP-215) rules only.
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(r.signature[32 + i]!);
    const unreduced = r.signature.slice();
    let big = s + L;
    for (let i = 0; i < 32; i++, big >>= 8n) unreduced[32 + i] = Number(big & 0xffn);
    expect(both((v) => v(key, message, unreduced))).toEqual([false, false]);
    expect(both((v) => v(key, message, r.signature.subarray(0, 63)))).toEqual([false, false]);
    expect(both((v) => v(key.subarray(12), message, r.signature))).toEqual([false, false]);
    const notAPoint = key.slice();
    notAPoint.fill(0xff, 12);
    expect(both((v) => v(notAPoint, message, r.signature))).toEqual([false, false]);
  });
});

describe('the ./verify entry', () => {
  it('reaches no node: module through its imports (it is bundled for the browser)', () => {
    const seen = new Set<string>();
    const external = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      // Type-only imports are erased: they load nothing.
      for (const m of text.matchAll(/^(?:import|export)(?!\s+type\b)[^;]*?from\s+'([^']+)'/gms)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) walk(join(dirname(file), spec));
        else external.add(spec);
      }
    };
    walk(join(SRC, 'verify.ts'));
    expect(seen.has(join(SRC, 'crypto/ed25519.ts'))).toBe(false);
    expect([...external].sort()).toEqual(['@noble/curves/ed25519.js', '@noble/hashes/sha2.js']);
  });
});

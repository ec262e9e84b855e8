/**
 * Record signing and verification on one core, next to the raw node:crypto Ed25519 rates measured in
 * the same run: the ratio shows what the record format (canonical JSON, SHA-256, schema checks) costs
 * on top of the signature itself.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import {
  ed25519Signer,
  generateEd25519KeyPair,
  GENESIS_PREV,
  keyId,
  nodeEd25519Verify,
  signRecord,
  signingMessage,
  verifyRecord,
  type CustodyEvent,
  type Keyring,
} from '@wastetrail/firmware-protocol';
import { progress, rate, type Row } from './harness.ts';

export const SEALED: CustodyEvent = {
  type: 'sealed',
  body: { tags: ['epc:3074257bf7194e4000001a85'], category: 'infectious', weight: { value: 1250, unit: 'g' }, department: 'ICU', staff: 'badge-0101' },
};

export function benchRecords(seconds: number): Row[] {
  const rows: Row[] = [];
  const raw = generateKeyPairSync('ed25519');
  const msg = signingMessage(new TextEncoder().encode('x'.repeat(340)));
  const rawSig = sign(null, msg, raw.privateKey);

  progress('raw Ed25519 sign (node:crypto, one core)');
  const rawSign = rate(() => sign(null, msg, raw.privateKey), seconds);
  progress('raw Ed25519 verify (node:crypto, one core)');
  const rawVerify = rate(() => verify(null, msg, raw.publicKey, rawSig), seconds);

  const pair = generateEd25519KeyPair();
  const signer = ed25519Signer(pair.privateKeyPem);
  const keyring: Keyring = {
    devices: new Map([['bench-dev-01', { device: 'bench-dev-01', institution: 'h1', stations: ['department'], keys: [{ publicKeySpki: pair.publicKeySpki, kid: keyId(pair.publicKeySpki) }] }]]),
  };
  const draft = { device: 'bench-dev-01', seq: 1, prev: GENESIS_PREV, time: '2026-03-02T08:00:00.000Z', event: SEALED };
  progress('record sign (encode, hash, sign, self-check)');
  const recordSign = rate((i) => signRecord({ ...draft, seq: i + 1 }, signer), seconds);
  const signed = Array.from({ length: 1000 }, (_, i) => signRecord({ ...draft, seq: i + 1 }, signer));
  const ctx = { keyring, ed25519Verify: nodeEd25519Verify };
  progress('record verify (decode, schema, key lookup, signature)');
  const recordVerify = rate((i) => {
    if (!verifyRecord(signed[i % signed.length]!, ctx).ok) throw new Error('benchmark record did not verify');
  }, seconds);

  rows.push(
    { name: 'raw Ed25519 sign, node:crypto, 1 core', value: rawSign, unit: 'ops/s' },
    { name: 'raw Ed25519 verify, node:crypto, 1 core', value: rawVerify, unit: 'ops/s' },
    { name: 'record sign (signRecord), 1 core', value: recordSign, unit: 'records/s', limit: { name: 'raw sign', value: rawSign } },
    { name: 'record verify (verifyRecord), 1 core', value: recordVerify, unit: 'records/s', limit: { name: 'raw verify', value: rawVerify } },
  );
  return rows;
}

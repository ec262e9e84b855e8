/** The browser's signature verifier (server/src/web/client/verify.js), run in Node on the golden vectors. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { VECTORS_DIR } from '../../../firmware-protocol/test/support.ts';

interface Outcome {
  device: string;
  seq: number;
  hash: string;
  ok: boolean;
  reason?: string;
}
type VerifyBundle = (bundle: { keyring: { devices: Record<string, unknown> }; records: string[] }) => Outcome[];

let verifyBundle: VerifyBundle;
const records = readFileSync(join(VECTORS_DIR, 'chain-valid.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
const keyring = JSON.parse(readFileSync(join(VECTORS_DIR, 'keyring.json'), 'utf8')) as { devices: Record<string, unknown> };

beforeAll(async () => {
  // Plain JavaScript for the browser: imported by URL so the TypeScript build does not need its types.
  const url = pathToFileURL(join(import.meta.dirname, '../../src/web/client/verify.js')).href;
  verifyBundle = ((await import(url)) as { verifyBundle: VerifyBundle }).verifyBundle;
});

describe('in-browser verifier', () => {
  it('verifies every record of the golden chain, with the hashes the server computes', () => {
    const out = verifyBundle({ keyring, records });
    expect(out).toHaveLength(14);
    expect(out.every((r) => r.ok)).toBe(true);
    expect(out[1]).toMatchObject({ device: 'hz-h001-ref-01', seq: 2, hash: 'a70152b3474fdcaede1c2eaa6bee315ed46d6f0e85d95b298db9efe3e772a829' });
  });

  it('refuses a changed signature, a changed record and an unknown key', () => {
    const env = JSON.parse(records[1]!) as { record: string; sig: string };
    const sig = Buffer.from(env.sig, 'base64');
    sig[5]! ^= 1;
    const badSig = JSON.stringify({ ...env, sig: sig.toString('base64') });
    const text = Buffer.from(env.record, 'base64').toString('utf8').replace('"value":1250', '"value":1150');
    const badRecord = JSON.stringify({ ...env, record: Buffer.from(text, 'utf8').toString('base64') });
    const out = verifyBundle({ keyring, records: [badSig, badRecord] });
    expect(out.map((r) => r.reason)).toEqual(['BAD_SIGNATURE', 'BAD_SIGNATURE']);
    expect(verifyBundle({ keyring: { devices: {} }, records: [records[1]!] })[0]).toMatchObject({ ok: false, reason: 'UNKNOWN_KEY' });
    expect(verifyBundle({ keyring, records: ['not json'] })[0]).toMatchObject({ ok: false, reason: 'MALFORMED_RECORD' });
  });
});

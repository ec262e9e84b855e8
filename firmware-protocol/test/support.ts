// Loads the committed golden vectors for tests in any package.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeEnvelope, nodeEd25519Verify, parseKeyring, splitEnvelopeLines, type Keyring, type SignedRecord, type VerifyContext } from '../src/index.ts';

export const VECTORS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'vectors');

export function vectorKeyring(): Keyring {
  const r = parseKeyring(JSON.parse(readFileSync(join(VECTORS_DIR, 'keyring.json'), 'utf8')));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

export function vectorContext(): VerifyContext {
  return { keyring: vectorKeyring(), ed25519Verify: nodeEd25519Verify };
}

/** Envelope lines of a vector file; lines that do not decode are returned as undefined. */
export function vectorLines(name: string): string[] {
  return splitEnvelopeLines(readFileSync(join(VECTORS_DIR, name), 'utf8'));
}

export function vectorRecords(name: string): SignedRecord[] {
  return vectorLines(name).map((l) => {
    const r = decodeEnvelope(l);
    if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
    return r.value;
  });
}

export function invalidVectorNames(): string[] {
  return readdirSync(join(VECTORS_DIR, 'invalid')).filter((f) => f.endsWith('.jsonl')).sort();
}

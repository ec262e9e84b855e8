/**
 * The log's signing key: an Ed25519 PEM made once, on first start, in <dataDir>/log/log-key.pem (mode
 * 0600). Whoever holds it can sign checkpoints for the log, so it is never logged or served; the
 * verifier key string (its public half, named by the origin) is what verifiers are given.
 */
import { hkdfSync } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519Signer, generateEd25519KeyPair, noteSigner, verifierKeyString, type NoteSigner } from '@wastetrail/firmware-protocol';

export interface LogKey {
  readonly origin: string;
  readonly signer: NoteSigner;
  /** `<origin>+<key id>+<base64 key>`: what `wastetrail verify --log-key` and clients trust. */
  readonly verifierKey: string;
  /**
   * A 32-byte secret for one purpose (HKDF-SHA256 over the private key, the purpose as info): every server
   * process of a log holds the same key file, so each derives the same secret, and none is stored twice.
   */
  derivedSecret(purpose: string): Uint8Array;
}

export const logKeyFile = (dataDir: string): string => join(dataDir, 'log', 'log-key.pem');

/** Reads the log key, creating it if there is none yet. */
export function loadLogKey(dataDir: string, origin: string): LogKey & { created: boolean } {
  const file = logKeyFile(dataDir);
  let created = false;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(join(dataDir, 'log'), { recursive: true, mode: 0o700 });
    pem = generateEd25519KeyPair().privateKeyPem;
    // "wx": two processes starting at once must not each write a key; the loser reads the winner's.
    try {
      writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      pem = readFileSync(file, 'utf8');
    }
  }
  const signer = noteSigner(origin, ed25519Signer(pem));
  const derivedSecret = (purpose: string) => new Uint8Array(hkdfSync('sha256', pem, '', `wastetrail/${purpose}`, 32));
  return { origin, signer, verifierKey: verifierKeyString(signer), derivedSecret, created };
}

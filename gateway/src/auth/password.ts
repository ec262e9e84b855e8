/**
 * Passwords (the server identity's broker password, web users' passwords) are stored as scrypt hashes,
 * never as plain text, in the PHC
 * string form `$scrypt$ln=14,r=8,p=1$<salt>$<hash>` (unpadded base64). Verification runs scrypt on the
 * libuv thread pool and compares in constant time.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{22,88})\$([A-Za-z0-9+/]{43,88})$/;
export const DEFAULT_SCRYPT_LOG2_N = 14;

export interface ScryptHash {
  log2N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function scryptAsync(password: Uint8Array, salt: Uint8Array, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

function costOptions(log2N: number, r: number, p: number): ScryptOptions {
  const N = 2 ** log2N;
  // scrypt needs about 128 * N * r * p bytes; Node refuses anything over maxmem (32 MiB by default).
  return { N, r, p, maxmem: 128 * N * r * (p + 1) + 1024 * 1024 };
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/=+$/, '');

/** Hashes a password: `server.passwordHash` (`wastetrail-gateway hash-password`) and web user accounts. */
export async function hashPassword(password: string, options: { log2N?: number } = {}): Promise<string> {
  const log2N = options.log2N ?? DEFAULT_SCRYPT_LOG2_N;
  if (!Number.isInteger(log2N) || log2N < 10 || log2N > 20) throw new RangeError('log2N must be an integer from 10 to 20');
  const salt = randomBytes(16);
  const hash = await scryptAsync(Buffer.from(password, 'utf8'), salt, 32, costOptions(log2N, 8, 1));
  return `$scrypt$ln=${log2N},r=8,p=1$${b64(salt)}$${b64(hash)}`;
}

export function parsePasswordHash(text: string): ScryptHash | undefined {
  const m = PHC.exec(text);
  if (!m) return undefined;
  const [log2N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (log2N < 10 || log2N > 20 || r < 1 || r > 32 || p < 1 || p > 16) return undefined;
  const salt = Buffer.from(m[4]!, 'base64');
  const hash = Buffer.from(m[5]!, 'base64');
  if (salt.length < 16 || hash.length < 32) return undefined;
  return { log2N, r, p, salt, hash };
}

export async function verifyPassword(stored: ScryptHash, password: Uint8Array): Promise<boolean> {
  const derived = await scryptAsync(password, stored.salt, stored.hash.length, costOptions(stored.log2N, stored.r, stored.p));
  return timingSafeEqual(derived, stored.hash);
}

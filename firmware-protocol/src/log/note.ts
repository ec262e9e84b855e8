/**
 * C2SP signed notes (c2sp.org/signed-note) with Ed25519 signatures: the envelope of a checkpoint, so
 * that the log's signature and later witness cosignatures ride on one text any tlog tool can read.
 *
 *   note      = text (ending in \n) || \n || one line per signature: "— <key name> <base64(key id || sig)>\n"
 *   key id    = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4], big-endian uint32
 *   vkey      = <key name>+<8 hex digits of key id>+<base64(0x01 || 32-byte public key)>
 *
 * Verification follows the spec: signatures by unknown keys are ignored (key rotation, cosignatures);
 * a known key whose signature fails rejects the whole note; no verified known key rejects it too.
 */
import type { Ed25519Signer, Ed25519Verify } from '../crypto/ed25519.ts';
import { ED25519_SPKI_PREFIX } from '../crypto/spki.ts';
import { sha256 } from '../crypto/sha256.ts';
import { concatBytes, fromBase64, toBase64, utf8 } from '../encoding.ts';
import { rawEd25519PublicKey } from '../identity/keyring.ts';
import { ok } from '../record/errors.ts';
import { logFail, type LogResult } from './errors.ts';

/** Signature type byte of plain Ed25519 note signatures. */
export const NOTE_ED25519 = 0x01;
const SIGNATURE_PREFIX = '\u2014 ';
/** The spec asks verifiers to accept at least 16; far more is a note built to waste our time. */
export const MAX_NOTE_SIGNATURES = 100;

/** A trusted key: name and key id as they appear in signature lines, and the raw 32-byte key. */
export interface NoteVerifierKey {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
}

export interface NoteSigner extends NoteVerifierKey {
  /** Ed25519 over the note text's UTF-8 bytes. */
  sign(text: Uint8Array): Uint8Array;
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** The signature bytes after the key id. */
  readonly signature: Uint8Array;
}

/** Key names are non-empty, with no Unicode white space and no "+" (the vkey separator). */
export function isNoteKeyName(name: string): boolean {
  return name.length > 0 && !/[\p{White_Space}+]/u.test(name) && !hasForbiddenCharacters(name);
}

/** Control characters other than newline, and lone surrogates (not UTF-8), are not allowed in notes. */
function hasForbiddenCharacters(text: string): boolean {
  return /[\u0000-\u0009\u000b-\u001f\p{Cs}]/u.test(text);
}

/** Key id of a key of signature type `type` (0x01 plain Ed25519 notes; 0x04 Ed25519 cosignatures). */
export function noteKeyId(name: string, publicKey: Uint8Array, type: number = NOTE_ED25519): number {
  const h = sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, type), publicKey));
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

const spkiOf = (raw: Uint8Array) => concatBytes(ED25519_SPKI_PREFIX, raw);

export function noteVerifierKey(name: string, publicKeySpki: Uint8Array, type: number = NOTE_ED25519): NoteVerifierKey {
  if (!isNoteKeyName(name)) throw new TypeError(`${JSON.stringify(name)} is not a note key name (non-empty, no spaces or "+")`);
  const raw = rawEd25519PublicKey(publicKeySpki);
  if (!raw) throw new TypeError('not an Ed25519 SPKI public key');
  const publicKey = raw.slice();
  return { name, keyId: noteKeyId(name, publicKey, type), publicKey };
}

export function noteSigner(name: string, signer: Ed25519Signer): NoteSigner {
  return { ...noteVerifierKey(name, signer.publicKeySpki), sign: (text) => signer.sign(text) };
}

const keyIdHex = (id: number) => id.toString(16).padStart(8, '0');

/** The vkey `<name>+<key id hex>+<base64(type || key)>`; `type` as the key id was computed with. */
export function verifierKeyString(key: NoteVerifierKey, type: number = NOTE_ED25519): string {
  return `${key.name}+${keyIdHex(key.keyId)}+${toBase64(concatBytes(Uint8Array.of(type), key.publicKey))}`;
}

const typeHex = (type: number) => `0x${type.toString(16).padStart(2, '0')}`;

/** A vkey of signature type `type`: 0x01 (a log's note key, the default) or 0x04 (a witness's cosignature key). */
export function parseVerifierKey(text: string, type: number = NOTE_ED25519): LogResult<NoteVerifierKey> {
  const parts = text.split('+');
  // A base64 key may itself hold "+": the name and id are the first two parts, the rest is the key.
  if (parts.length < 3) return logFail('MALFORMED_VERIFIER_KEY', 'a verifier key is <name>+<key id hex>+<base64 key>');
  const [name, idHex] = parts as [string, string];
  const material = fromBase64(parts.slice(2).join('+'));
  if (!isNoteKeyName(name)) return logFail('MALFORMED_VERIFIER_KEY', 'the key name is empty or holds a space or control character');
  if (!/^[0-9a-f]{8}$/.test(idHex)) return logFail('MALFORMED_VERIFIER_KEY', 'the key id is 8 lower-case hex digits');
  if (!material || material.length !== 33) return logFail('MALFORMED_VERIFIER_KEY', `the key is base64 of 33 bytes: the type byte ${typeHex(type)} and a 32-byte Ed25519 key`);
  if (material[0] !== type) return logFail('MALFORMED_VERIFIER_KEY', `signature type ${typeHex(material[0]!)} is not the one expected here (${typeHex(type)}: ${type === NOTE_ED25519 ? 'an Ed25519 note key' : 'an Ed25519 cosignature key'})`);
  const publicKey = material.slice(1);
  const keyId = noteKeyId(name, publicKey, type);
  if (keyIdHex(keyId) !== idHex) return logFail('MALFORMED_VERIFIER_KEY', `the key id ${idHex} is not the one of this name and key (${keyIdHex(keyId)})`);
  return ok({ name, keyId, publicKey });
}

function checkNoteText(text: string): string | undefined {
  if (!text.endsWith('\n')) return 'the note text must end with a newline';
  if (hasForbiddenCharacters(text)) return 'the note text holds a control character other than newline, or is not UTF-8';
  return undefined;
}

/** Appends one signature line per signer. Throws on text that no verifier would accept. */
export function signNote(text: string, ...signers: NoteSigner[]): string {
  const problem = checkNoteText(text);
  if (problem) throw new TypeError(problem);
  if (signers.length === 0) throw new TypeError('a note needs at least one signature');
  const bytes = utf8(text);
  const lines = signers.map((s) => {
    const id = Uint8Array.of(s.keyId >>> 24, (s.keyId >>> 16) & 0xff, (s.keyId >>> 8) & 0xff, s.keyId & 0xff);
    return `${SIGNATURE_PREFIX}${s.name} ${toBase64(concatBytes(id, s.sign(bytes)))}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

/** Splits a note into its text and signature lines, checking the form but no signature. */
export function parseNote(note: string): LogResult<{ text: string; signatures: NoteSignature[] }> {
  if (hasForbiddenCharacters(note)) return logFail('MALFORMED_NOTE', 'a note holds no control characters other than newline, and is UTF-8');
  if (!note.endsWith('\n')) return logFail('MALFORMED_NOTE', 'a note ends with a newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return logFail('MALFORMED_NOTE', 'a note has a blank line between its text and its signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) return logFail('MALFORMED_NOTE', `a note may carry at most ${MAX_NOTE_SIGNATURES} signatures`);
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/u.exec(line);
    const bytes = m ? fromBase64(m[2]!) : undefined;
    if (!m || !isNoteKeyName(m[1]!) || !bytes || bytes.length < 5) {
      return logFail('MALFORMED_NOTE', `not a signature line "— <key name> <base64 of key id and signature>": ${JSON.stringify(line.slice(0, 80))}`);
    }
    const keyId = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
    signatures.push({ name: m[1]!, keyId, signature: bytes.slice(4) });
  }
  return ok({ text, signatures });
}

/** The note's text, once at least one trusted key's signature verifies and none fails. */
export function verifyNote(note: string, keys: readonly NoteVerifierKey[], ed25519Verify: Ed25519Verify): LogResult<{ text: string; verifiedBy: NoteVerifierKey[] }> {
  const parsed = parseNote(note);
  if (!parsed.ok) return parsed;
  const { text, signatures } = parsed.value;
  const message = utf8(text);
  const verifiedBy: NoteVerifierKey[] = [];
  for (const s of signatures) {
    // Both name and id must match: a name or an id alone is only a hint, and unknown keys are ignored.
    const key = keys.find((k) => k.name === s.name && k.keyId === s.keyId);
    if (!key) continue;
    if (s.signature.length !== 64 || !ed25519Verify(spkiOf(key.publicKey), message, s.signature)) {
      return logFail('BAD_NOTE_SIGNATURE', `the signature by ${s.name} (${keyIdHex(s.keyId)}) does not verify over this text`);
    }
    if (!verifiedBy.includes(key)) verifiedBy.push(key);
  }
  if (verifiedBy.length === 0) return logFail('NO_TRUSTED_SIGNATURE', `no signature by a trusted key (${keys.map((k) => k.name).join(', ') || 'none given'})`);
  return ok({ text, verifiedBy });
}

/**
 * The envelope: how a signed record travels as text, in an MQTT payload, an export line (JSONL) or an
 * audit bundle:   {"record":"<base64 of the exact signed bytes>","sig":"<base64 of 64 bytes>"}
 * Base64 is decoded strictly, so no two envelope texts carry the same record.
 */
import { fromBase64, toBase64 } from '../encoding.ts';
import { fail, ok, type Result } from './errors.ts';
import type { SignedRecord } from './record.ts';

export function encodeEnvelope(signed: SignedRecord): string {
  return `{"record":"${toBase64(signed.bytes)}","sig":"${toBase64(signed.signature)}"}`;
}

export function decodeEnvelope(text: string): Result<SignedRecord> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('MALFORMED_ENVELOPE', 'not a JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('MALFORMED_ENVELOPE', 'not a JSON object');
  const keys = Object.keys(value);
  if (keys.length !== 2 || !keys.includes('record') || !keys.includes('sig')) {
    return fail('MALFORMED_ENVELOPE', 'an envelope has exactly the fields "record" and "sig"');
  }
  const { record, sig } = value as { record: unknown; sig: unknown };
  const bytes = typeof record === 'string' ? fromBase64(record) : undefined;
  if (!bytes || bytes.length === 0) return fail('MALFORMED_ENVELOPE', '"record" is not canonical base64');
  const signature = typeof sig === 'string' ? fromBase64(sig) : undefined;
  if (!signature || signature.length !== 64) return fail('MALFORMED_ENVELOPE', '"sig" is not canonical base64 of 64 bytes');
  return ok({ bytes, signature });
}

/** Records in one MQTT payload or file chunk: envelopes separated by newlines; blank lines ignored. */
export function splitEnvelopeLines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
}

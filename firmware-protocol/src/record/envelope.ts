/**
 * The envelope: how a signed record travels as text, in an MQTT payload, an export line (JSONL) or an
 * audit bundle:   {"record":"<base64 of the exact signed bytes>","sig":"<base64 of 64 bytes>"}
 * It has exactly one text form, the one encodeEnvelope writes: no spaces, no escapes, the two fields in
 * this order, each once. Anything else is refused, so a second verifier that parses JSON differently
 * (which duplicate key wins, what an escape means) can never disagree with this one about what a line
 * carries, and the by-hand procedure (docs/protocol/record.md) reads every envelope the CLI accepts.
 */
import { fromBase64, toBase64 } from '../encoding.ts';
import { fail, ok, type Result } from './errors.ts';
import type { SignedRecord } from './record.ts';

export function encodeEnvelope(signed: SignedRecord): string {
  return `{"record":"${toBase64(signed.bytes)}","sig":"${toBase64(signed.signature)}"}`;
}

export function decodeEnvelope(text: string): Result<SignedRecord> {
  if (text.trim() === '') return fail('MALFORMED_ENVELOPE', 'a blank line: every line holds one envelope');
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
  if (encodeEnvelope({ bytes, signature }) !== text) {
    return fail('MALFORMED_ENVELOPE', 'not the envelope\'s one form {"record":"<base64>","sig":"<base64>"}: no spaces, escapes, byte-order mark or repeated fields');
  }
  return ok({ bytes, signature });
}

/**
 * Envelope lines, the one rule for MQTT payloads and export files alike: lines end with LF (a CRLF
 * ending counts as LF), the last one may lack it. Every other line is returned as it is, blank or not,
 * so a blank line or a stray CR is refused as MALFORMED_ENVELOPE rather than skipped.
 */
export class EnvelopeLineSplitter {
  private rest = '';

  /** The complete lines in this chunk (text may end mid-line; the rest waits for the next chunk). */
  push(chunk: string): string[] {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop()!;
    return parts.map(withoutCr);
  }

  /** The last line, when the text did not end with LF. */
  end(): string[] {
    const last = this.rest;
    this.rest = '';
    return last === '' ? [] : [withoutCr(last)];
  }
}

const withoutCr = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);

/** The envelope lines of a whole text (an MQTT payload, a file read at once): see EnvelopeLineSplitter. */
export function splitEnvelopeLines(text: string): string[] {
  const splitter = new EnvelopeLineSplitter();
  return [...splitter.push(text), ...splitter.end()];
}

/**
 * Reading a records payload: one or more envelope lines, as the edge agent batches them. Pure; nothing
 * here throws, whatever the bytes are: every problem becomes a refusal that ingest quarantines.
 */
import { decodeEnvelope, fromUtf8, splitEnvelopeLines, utf8, type SignedRecord } from '@wastetrail/firmware-protocol';
import type { QuarantineCode } from './codes.ts';

export interface EnvelopeLine {
  /** The envelope text, kept to quarantine the record exactly as it came if it is refused later. */
  line: string;
  signed: SignedRecord;
}

export interface Refusal {
  code: QuarantineCode;
  message: string;
  /** What to quarantine: the offending line, or the whole payload when no line could be read. */
  payload: Uint8Array;
  payloadBytes: number;
  device?: string;
  seq?: number;
}

export interface RecordsPayload {
  envelopes: EnvelopeLine[];
  refused: Refusal[];
}

export function readRecordsPayload(payload: Uint8Array, maxBytes: number): RecordsPayload {
  const whole = (code: QuarantineCode, message: string): RecordsPayload => ({
    envelopes: [],
    refused: [{ code, message, payload, payloadBytes: payload.length }],
  });
  if (payload.length > maxBytes) return whole('PAYLOAD_TOO_LARGE', `payload of ${payload.length} bytes is over the ${maxBytes}-byte limit`);
  const text = fromUtf8(payload);
  if (text === undefined) return whole('NOT_UTF8', 'payload is not UTF-8 text');
  const lines = splitEnvelopeLines(text);
  if (lines.every((l) => l.trim() === '')) return whole('EMPTY_PAYLOAD', 'payload holds no envelope line');
  const out: RecordsPayload = { envelopes: [], refused: [] };
  for (const line of lines) {
    const decoded = decodeEnvelope(line);
    if (decoded.ok) {
      out.envelopes.push({ line, signed: decoded.value });
    } else {
      const bytes = utf8(line);
      out.refused.push({ code: decoded.error.code, message: decoded.error.message, payload: bytes, payloadBytes: bytes.length });
    }
  }
  return out;
}

/**
 * Why ingest refused something. Record problems keep firmware-protocol's RecordErrorCode (the one
 * definition of valid); these codes are for what happens around a record on the wire. Stable strings:
 * they are stored on quarantine rows and appear in metrics. Add codes; never rename one.
 */
import type { RecordErrorCode } from '@wastetrail/firmware-protocol';

export const INGEST_ERROR_CODES = [
  /** The MQTT payload is larger than ingest.maxPayloadBytes. */
  'PAYLOAD_TOO_LARGE',
  /** The payload is not UTF-8 text. */
  'NOT_UTF8',
  /** The payload holds no envelope line at all. */
  'EMPTY_PAYLOAD',
  /** The topic is not a device topic ingest reads (wt/v1/dev/{device}/records|status). */
  'WRONG_TOPIC',
  /** A record of one device arrived on another device's topic: replayed by a client that is not its device. */
  'TOPIC_MISMATCH',
  /** A status message that is not a v1 status. */
  'MALFORMED_STATUS',
] as const;

export type IngestErrorCode = (typeof INGEST_ERROR_CODES)[number];
export type QuarantineCode = RecordErrorCode | IngestErrorCode;

/**
 * A verification worker thread: receives envelope lines, answers with a RecordCheck for each.
 * Started by VerifyPool through verify-worker-entry.js (which registers the TypeScript loader).
 */
import { parentPort } from 'node:worker_threads';
import { decodeEnvelope, parseKeyring, type Keyring } from '@wastetrail/firmware-protocol';
import { checkRecord, type RecordCheck } from './record-check.ts';
import type { ToWorker, FromWorker } from './verify-pool.ts';

let keyring: Keyring = { devices: new Map() };

parentPort!.on('message', (m: ToWorker) => {
  if (m.kind === 'keyring') {
    const parsed = parseKeyring(m.keyring);
    // The main thread validated it already; a failure here would be a bug, reported as an empty keyring.
    keyring = parsed.ok ? parsed.value : { devices: new Map() };
    return;
  }
  const checks: Array<RecordCheck | null> = m.lines.map((line) => {
    const envelope = decodeEnvelope(line);
    return envelope.ok ? checkRecord(envelope.value, keyring) : null;
  });
  parentPort!.postMessage({ kind: 'checked', id: m.id, checks } satisfies FromWorker);
});

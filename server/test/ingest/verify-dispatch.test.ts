/** Which records go to the verification workers, and how: by arrival rate, several messages per worker message. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64 } from '@wastetrail/firmware-protocol';
import type { RecordCheck } from '../../src/ingest/record-check.ts';
import { VerifyDispatch, WORKER_CHUNK, type CheckPool } from '../../src/ingest/verify-dispatch.ts';
import { VerifyPool } from '../../src/ingest/verify-pool.ts';
import { envelopeLines, keyringOf, quiet, TestDevice } from './support.ts';

const dev = new TestDevice('hz-h001-vd-01');
const records = dev.seal(300);
let pool: VerifyPool;

beforeAll(() => {
  pool = new VerifyPool(1, keyringOf(dev));
});
afterAll(async () => {
  await pool.close();
});

/** The real pool, with the line count of each worker message noted. */
function counted(calls: number[]): CheckPool {
  return {
    get alive() {
      return pool.alive;
    },
    check: (lines) => {
      calls.push(lines.length);
      return pool.check(lines);
    },
  };
}

describe('VerifyDispatch', () => {
  it('keeps a trickle on the main thread', () => {
    const calls: number[] = [];
    const dispatch = new VerifyDispatch({ pool: counted(calls), threshold: 200, log: quiet });
    expect(dispatch.checks(envelopeLines(records.slice(0, 10)), 0)).toBeUndefined();
    expect(dispatch.checks(envelopeLines(records.slice(10, 20)), 500)).toBeUndefined();
    expect(dispatch.scheduled).toBe(false);
    expect(calls).toEqual([]);
  });

  it('sends records to the workers from the threshold on, several messages per worker message, each message getting its own checks', async () => {
    const calls: number[] = [];
    let roundTrips = 0;
    const dispatch = new VerifyDispatch({ pool: counted(calls), threshold: 150, log: quiet, timeRoundTrip: () => () => roundTrips++ });
    expect(dispatch.checks(envelopeLines(records.slice(0, 100)), 0)).toBeUndefined();
    // 200 records within the last second: from here on, to the workers.
    const messages = [records.slice(100, 200), records.slice(200, 300), records.slice(0, 100)];
    const pending = messages.map((m, i) => dispatch.checks(envelopeLines(m), 10 + i));
    expect(dispatch.scheduled).toBe(true);
    const checks = (await Promise.all(pending)) as Array<Array<RecordCheck | null>>;
    // 300 lines: two messages fit in one worker message of at most WORKER_CHUNK lines, the third goes alone.
    expect(WORKER_CHUNK).toBe(256);
    expect(calls).toEqual([200, 100]);
    expect(roundTrips).toBe(2);
    checks.forEach((list, i) => {
      expect(list.map((c) => c?.read)).toEqual(messages[i]!.map((r) => ({ ok: true, record: r.record, hash: r.hash })));
      expect(list.every((c) => c?.signature?.valid === true && c.signature.spki === toBase64(dev.signer.publicKeySpki))).toBe(true);
    });
  });

  it('sends everything with threshold 0, and nothing without a pool', () => {
    const calls: number[] = [];
    const always = new VerifyDispatch({ pool: counted(calls), threshold: 0, log: quiet });
    expect(always.checks(envelopeLines(records.slice(0, 1)), 0)).toBeInstanceOf(Promise);
    const none = new VerifyDispatch({ pool: undefined, threshold: 0, log: quiet });
    expect(none.checks(envelopeLines(records.slice(0, 1)), 0)).toBeUndefined();
  });

  it('answers undefined (verify on the main thread) when the workers fail', async () => {
    const broken = new VerifyPool(1, keyringOf(dev));
    await broken.close();
    const dispatch = new VerifyDispatch({ pool: broken, threshold: 0, log: quiet });
    expect(await dispatch.checks(envelopeLines(records.slice(0, 3)), 0)).toBeUndefined();
    expect(await dispatch.checks(envelopeLines(records.slice(3, 6)), 1)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { allDevicesTopic, deviceTopic, receiptPairs, receiptRanges, parseAck, parseCommand, parseDeviceTopic, parseStatus, sharedSubscription } from '../../src/index.ts';

describe('topic table', () => {
  it('round-trips device topics and refuses anything else', () => {
    expect(deviceTopic('dev-a1', 'records')).toBe('wt/v1/dev/dev-a1/records');
    expect(parseDeviceTopic('wt/v1/dev/dev-a1/acks')).toEqual({ device: 'dev-a1', kind: 'acks' });
    for (const t of ['wt/v1/dev/dev-a1', 'wt/v1/dev/+/records', 'wt/v1/dev/DEV/records', 'wt/v2/dev/dev-a1/records', 'wt/v1/dev/dev-a1/records/x']) {
      expect(parseDeviceTopic(t), t).toBeUndefined();
    }
    expect(allDevicesTopic('records')).toBe('wt/v1/dev/+/records');
    expect(sharedSubscription('ingest', 'records')).toBe('$share/ingest/wt/v1/dev/+/records');
  });
  it('parses messages strictly', () => {
    expect(parseAck(JSON.stringify({ v: 1, seq: 3, hash: 'a'.repeat(64) }))).toEqual({ v: 1, seq: 3, hash: 'a'.repeat(64) });
    expect(parseAck('{"v":1,"seq":0,"hash":""}')).toBeUndefined();
    expect(parseCommand('{"v":1,"type":"resend","from":5,"to":9}')).toEqual({ v: 1, type: 'resend', from: 5, to: 9 });
    expect(parseCommand('{"v":1,"type":"resend","from":5,"to":2}')).toBeUndefined();
    expect(parseStatus('{"v":1,"state":"online","time":"t","backlog":4}')).toEqual({ v: 1, state: 'online', time: 't', backlog: 4 });
    expect(parseStatus('garbage')).toBeUndefined();
  });
  it('carries receipts in the ack: leaf ranges, contiguous in seq and leaf index', () => {
    const pairs = [
      { seq: 7, index: 40 },
      { seq: 5, index: 38 },
      { seq: 6, index: 39 },
      { seq: 8, index: 45 },
      { seq: 10, index: 46 },
    ];
    const ranges = receiptRanges(pairs);
    expect(ranges).toEqual([
      { seq: 5, count: 3, index: 38 },
      { seq: 8, count: 1, index: 45 },
      { seq: 10, count: 1, index: 46 },
    ]);
    expect(receiptPairs(ranges)).toEqual([...pairs].sort((a, b) => a.seq - b.seq));
    const hash = 'b'.repeat(64);
    expect(parseAck(JSON.stringify({ v: 1, seq: 10, hash, leaves: ranges }))).toEqual({ v: 1, seq: 10, hash, leaves: ranges });
    // A leaf index may be 0; a malformed receipt list is dropped, and the ack still counts.
    expect(parseAck(JSON.stringify({ v: 1, seq: 1, hash, leaves: [{ seq: 1, count: 1, index: 0 }] }))?.leaves).toEqual([{ seq: 1, count: 1, index: 0 }]);
    for (const leaves of [[], [{ seq: 0, count: 1, index: 0 }], [{ seq: 1, count: 0, index: 0 }], [{ seq: 1, count: 1, index: -1 }], 'x', [null]]) {
      expect(parseAck(JSON.stringify({ v: 1, seq: 10, hash, leaves })), JSON.stringify(leaves)).toEqual({ v: 1, seq: 10, hash });
    }
  });
});

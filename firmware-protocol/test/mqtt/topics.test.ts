import { describe, expect, it } from 'vitest';
import { allDevicesTopic, deviceTopic, parseAck, parseCommand, parseDeviceTopic, parseStatus, sharedSubscription } from '../../src/index.ts';

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
});

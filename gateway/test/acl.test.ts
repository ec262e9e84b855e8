import { describe, expect, it } from 'vitest';
import { allDevicesTopic, DEVICE_TOPIC_KINDS, deviceTopic, sharedSubscription } from '@wastetrail/firmware-protocol';
import { mayBeWill, mayPublish, mayRetain, maySubscribe, type Session } from '../src/acl.ts';

const a: Session = { role: 'device', device: 'ward-1-scale', kid: '0011223344556677' };
const server: Session = { role: 'server', username: 'wastetrail_server' };

describe('device ACL', () => {
  it('publishes only records and status, on its own subtree', () => {
    const allowed = DEVICE_TOPIC_KINDS.filter((k) => mayPublish(a, deviceTopic('ward-1-scale', k)));
    expect(allowed).toEqual(['records', 'status']);
    for (const k of DEVICE_TOPIC_KINDS) expect(mayPublish(a, deviceTopic('ward-2-scale', k))).toBe(false);
    expect(mayPublish(a, 'wt/v1/dev/ward-1-scale/records/x')).toBe(false);
    expect(mayPublish(a, '$SYS/broker/x')).toBe(false);
  });

  it('subscribes only to its own acks and commands, literally', () => {
    const allowed = DEVICE_TOPIC_KINDS.filter((k) => maySubscribe(a, deviceTopic('ward-1-scale', k)));
    expect(allowed).toEqual(['acks', 'commands']);
    for (const filter of ['#', 'wt/#', allDevicesTopic('acks'), 'wt/v1/dev/ward-1-scale/+', 'wt/v1/dev/ward-1-scale/#', deviceTopic('ward-2-scale', 'acks')]) {
      expect(maySubscribe(a, filter), filter).toBe(false);
    }
  });
});

describe('server ACL', () => {
  it('publishes acks and commands for any device, never records or status', () => {
    expect(mayPublish(server, deviceTopic('ward-2-scale', 'acks'))).toBe(true);
    expect(mayPublish(server, deviceTopic('ward-2-scale', 'commands'))).toBe(true);
    expect(mayPublish(server, deviceTopic('ward-2-scale', 'records'))).toBe(false);
    expect(mayPublish(server, deviceTopic('ward-2-scale', 'status'))).toBe(false);
    expect(mayPublish(server, 'anything/else')).toBe(false);
  });

  it('subscribes to wildcards', () => {
    expect(maySubscribe(server, allDevicesTopic('records'))).toBe(true);
    expect(maySubscribe(server, sharedSubscription('ingest', 'records'))).toBe(true);
  });
});

describe('retained messages and wills', () => {
  it('keeps a retain flag only on status and acks', () => {
    expect(DEVICE_TOPIC_KINDS.filter((k) => mayRetain(deviceTopic('ward-1-scale', k)))).toEqual(['status', 'acks']);
    expect(mayRetain('other/topic')).toBe(false);
  });

  it("lets a device's will be its own status only", () => {
    expect(mayBeWill(a, deviceTopic('ward-1-scale', 'status'))).toBe(true);
    expect(mayBeWill(a, deviceTopic('ward-2-scale', 'status'))).toBe(false);
    expect(mayBeWill(a, deviceTopic('ward-1-scale', 'records'))).toBe(false);
    expect(mayBeWill(server, deviceTopic('ward-1-scale', 'status'))).toBe(false);
  });
});

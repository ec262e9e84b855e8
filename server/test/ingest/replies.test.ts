/** What ingest sends devices: acks with their receipts, and resend commands. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '@wastetrail/gateway';
import { parseAck, parseCommand } from '@wastetrail/firmware-protocol';
import { ackMessage, receiptsOf, Replies, resendCommand } from '../../src/ingest/replies.ts';
import { recordKey } from '../../src/ingest/pending-batch.ts';
import { emptyIngestStats } from '../../src/ingest/stats.ts';
import { eventually, quiet } from './support.ts';

const hash = 'ab'.repeat(32);
const noRead = async (): Promise<Array<number | undefined>> => {
  throw new Error('nothing should be read');
};

describe('ack and resend messages', () => {
  it('an ack names the head and carries leaves only when there are some', () => {
    expect(ackMessage({ device: 'd', seq: 4, hash })).toEqual({ v: 1, seq: 4, hash });
    expect(ackMessage({ device: 'd', seq: 4, hash }, [])).toEqual({ v: 1, seq: 4, hash });
    expect(ackMessage({ device: 'd', seq: 4, hash }, [{ seq: 3, count: 2, index: 10 }])).toEqual({ v: 1, seq: 4, hash, leaves: [{ seq: 3, count: 2, index: 10 }] });
    expect(parseAck(JSON.stringify(ackMessage({ device: 'd', seq: 4, hash }, [{ seq: 3, count: 2, index: 10 }])))).toMatchObject({ seq: 4 });
  });

  it('a resend command asks for one range, or everything from a seq on', () => {
    expect(parseCommand(JSON.stringify(resendCommand(5, 9)))).toEqual({ v: 1, type: 'resend', from: 5, to: 9 });
    expect(resendCommand(5)).toEqual({ v: 1, type: 'resend', from: 5 });
  });
});

describe('receiptsOf', () => {
  it('gives each acked device the ranges of the leaves the commit appended, without reading the store', async () => {
    const receipts = await receiptsOf(
      [{ device: 'a', seq: 3, hash }, { device: 'b', seq: 1, hash }],
      new Map([['a', new Set([1, 2, 3])], ['b', new Set([1])]]),
      new Set(),
      [{ device: 'a', seq: 1, index: 10 }, { device: 'b', seq: 1, index: 11 }, { device: 'a', seq: 2, index: 12 }, { device: 'a', seq: 3, index: 13 }],
      noRead,
    );
    expect(receipts.get('a')).toEqual([{ seq: 1, count: 1, index: 10 }, { seq: 2, count: 2, index: 12 }]);
    expect(receipts.get('b')).toEqual([{ seq: 1, count: 1, index: 11 }]);
  });

  it('reads the leaves of resent records, and leaves out forks and seqs beyond the ack', async () => {
    const asked: Array<Array<{ device: string; seq: number }>> = [];
    const receipts = await receiptsOf(
      [{ device: 'a', seq: 3, hash }],
      new Map([['a', new Set([1, 2, 3, 4])]]),
      new Set([recordKey('a', 2)]),
      [{ device: 'a', seq: 3, index: 7 }],
      async (records) => {
        asked.push(records);
        return [5];
      },
    );
    expect(asked).toEqual([[{ device: 'a', seq: 1 }]]);
    expect(receipts.get('a')).toEqual([{ seq: 1, count: 1, index: 5 }, { seq: 3, count: 1, index: 7 }]);
  });

  it('passes a failed read on (the caller sends acks without receipts)', async () => {
    await expect(receiptsOf([{ device: 'a', seq: 1, hash }], new Map([['a', new Set([1])]]), new Set(), [], noRead)).rejects.toThrow('nothing should be read');
  });
});

describe('Replies', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ keyring: { devices: new Map() }, tcp: { port: 0, host: '127.0.0.1' }, logger: quiet });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('publishes acks retained and resend commands on the device topics, counting both', async () => {
    const ingestSide = gateway.connectServerClient();
    const counters = emptyIngestStats();
    const replies = new Replies(ingestSide, counters, quiet);
    replies.ack({ device: 'hz-h001-rp-01', seq: 2, hash }, [{ seq: 1, count: 2, index: 0 }]);
    // Retained: a client that subscribes afterwards still gets the ack.
    const reader = gateway.connectServerClient();
    const got = new Map<string, unknown>();
    reader.on('message', (topic, payload) => got.set(topic, JSON.parse(payload.toString())));
    await reader.subscribeAsync(['wt/v1/dev/+/acks', 'wt/v1/dev/+/commands'], { qos: 1 });
    replies.resend('hz-h001-rp-01', 3, 5);
    await eventually(() => got.size === 2, 'the ack and the command');
    expect(Object.fromEntries(got)).toEqual({
      'wt/v1/dev/hz-h001-rp-01/acks': { v: 1, seq: 2, hash, leaves: [{ seq: 1, count: 2, index: 0 }] },
      'wt/v1/dev/hz-h001-rp-01/commands': { v: 1, type: 'resend', from: 3, to: 5 },
    });
    expect([counters.acksPublished, counters.resendsRequested]).toEqual([1, 1]);
    await ingestSide.endAsync();
    await reader.endAsync();
  });
});

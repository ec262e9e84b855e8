/** The pure parts of ingest: reading payloads, following one device's chain, alerts, metrics. */
import { describe, expect, it } from 'vitest';
import { encodeEnvelope, nodeEd25519Verify, toBase64, utf8, type VerifyContext } from '@wastetrail/firmware-protocol';
import { DeviceChain, type Arrival } from '../../src/ingest/device-chain.ts';
import { integrityAlert, integrityDedupeKey, integrityFinding, integritySeverity } from '../../src/ingest/integrity.ts';
import { readRecordsPayload } from '../../src/ingest/payload.ts';
import { checkRecord, readRecord, TrustedVerdicts } from '../../src/ingest/record-check.ts';
import { keyringOf, TestDevice } from './support.ts';

const dev = new TestDevice('hz-h001-ref-01');
const records = dev.seal(8);

describe('readRecordsPayload', () => {
  it('reads one or more envelope lines, LF or CRLF, the last LF optional', () => {
    const read = readRecordsPayload(utf8(`${encodeEnvelope(records[0]!)}\r\n${encodeEnvelope(records[1]!)}\n${encodeEnvelope(records[2]!)}`), 1024 * 1024);
    expect(read.refused).toEqual([]);
    expect(read.envelopes.map((e) => e.signed.bytes)).toEqual([records[0]!.bytes, records[1]!.bytes, records[2]!.bytes]);
  });

  it('refuses a blank line between envelopes (one line rule for payloads and exports), keeping the envelopes', () => {
    const read = readRecordsPayload(utf8(`${encodeEnvelope(records[0]!)}\n\n${encodeEnvelope(records[1]!)}\n`), 1024 * 1024);
    expect(read.envelopes).toHaveLength(2);
    expect(read.refused.map((r) => r.code)).toEqual(['MALFORMED_ENVELOPE']);
  });

  it('refuses what is not envelopes, line by line, without throwing', () => {
    const cases: Array<[Uint8Array, string[]]> = [
      [Uint8Array.from([0xc3, 0x28]), ['NOT_UTF8']],
      [utf8(' \n \n'), ['EMPTY_PAYLOAD']],
      [utf8('x'.repeat(101)), ['PAYLOAD_TOO_LARGE']],
      [utf8('[1,2]\n{"record":"AAAA","sig":"AAAA"}\nnull'), ['MALFORMED_ENVELOPE', 'MALFORMED_ENVELOPE', 'MALFORMED_ENVELOPE']],
      [utf8('{"record":"AAAA","sig":"AAAA","x":1}'), ['MALFORMED_ENVELOPE']],
    ];
    for (const [payload, codes] of cases) expect(readRecordsPayload(payload, 100).refused.map((r) => r.code)).toEqual(codes);
    const mixed = readRecordsPayload(utf8(`garbage\n${encodeEnvelope(records[0]!)}`), 4096);
    expect(mixed.envelopes).toHaveLength(1);
    expect(mixed.refused).toMatchObject([{ code: 'MALFORMED_ENVELOPE', payload: utf8('garbage'), payloadBytes: 7 }]);
  });

  it('refuses a byte-order mark before an envelope, as the verifier does for an export line (found by npm run tamper)', () => {
    const line = encodeEnvelope(records[0]!);
    const read = readRecordsPayload(utf8(`\uFEFF${line}\n${encodeEnvelope(records[1]!)}`), 4096);
    expect(read.envelopes.map((e) => e.signed.bytes)).toEqual([records[1]!.bytes]);
    expect(read.refused).toMatchObject([{ code: 'MALFORMED_ENVELOPE', payload: utf8(`\uFEFF${line}`) }]);
  });
});

describe('DeviceChain', () => {
  const ctx = (): VerifyContext => ({ keyring: keyringOf(dev), ed25519Verify: nodeEd25519Verify });
  const arrival = (seq: number, r = records[seq - 1]!): Arrival => ({
    line: encodeEnvelope(r),
    signed: { bytes: r.bytes, signature: r.signature },
    topic: `wt/v1/dev/${dev.id}/records`,
    receivedAt: '2026-03-02T08:00:00.000Z',
    seq,
    decoded: r,
  });
  const trusted = new TrustedVerdicts();

  it('holds records behind a gap and releases them in chain order', () => {
    const chain = new DeviceChain(dev.id, ctx(), undefined, 100);
    expect(chain.push(arrival(3), trusted, undefined).accepted).toEqual([]);
    expect(chain.push(arrival(2), trusted, undefined).accepted).toEqual([]);
    expect(chain.missing()).toEqual({ from: 1, to: 1 });
    expect(chain.heldCount()).toBe(2);
    const step = chain.push(arrival(1), trusted, undefined);
    expect(step.accepted.map((a) => [a.record.record.seq, a.arrival.seq])).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect(chain.heldCount()).toBe(0);
    expect(chain.head()).toEqual({ seq: 3, hash: records[2]!.hash });
  });

  it('tells resends of accepted and held records from forks and from records behind its window', () => {
    const chain = new DeviceChain(dev.id, ctx(), { seq: 2, hash: records[1]!.hash }, 100);
    expect(chain.push(arrival(2), trusted, undefined).duplicate).toBe('accepted');
    expect(chain.push(arrival(1), trusted, undefined).behind?.error.code).toBe('OUT_OF_ORDER');
    chain.push(arrival(5), trusted, undefined);
    expect(chain.push(arrival(5), trusted, undefined).duplicate).toBe('held');
    const other = new TestDevice(dev.id, dev.stations, dev.signer, 9).seal(5);
    const fork = chain.push(arrival(5, other[4]!), trusted, undefined);
    expect(fork.refused.map((r) => [r.error.code, r.arrival?.seq])).toEqual([['FORK', 5]]);
  });

  it('quarantines a held record that turns out not to link, and reports the gap again', () => {
    const chain = new DeviceChain(dev.id, ctx(), { seq: 1, hash: records[0]!.hash }, 100);
    const stranger = new TestDevice(dev.id, dev.stations, dev.signer, 9).seal(3)[2]!; // seq 3, prev of another chain
    chain.push(arrival(3, stranger), trusted, undefined);
    const step = chain.push(arrival(2), trusted, undefined);
    expect(step.accepted.map((a) => a.record.record.seq)).toEqual([2]);
    expect(step.refused.map((r) => [r.error.code, r.arrival?.line])).toEqual([['PREV_HASH_MISMATCH', encodeEnvelope(stranger)]]);
    expect(chain.missing()).toBeUndefined();
  });

  it('gives a gap up: SEQUENCE_GAP, then the held records accepted', () => {
    const chain = new DeviceChain(dev.id, ctx(), undefined, 100);
    chain.push(arrival(1), trusted, undefined);
    chain.push(arrival(4), trusted, undefined);
    chain.push(arrival(5), trusted, undefined);
    const step = chain.giveUpGap();
    expect(step.refused.map((r) => [r.error.code, r.error.seq, r.arrival])).toEqual([['SEQUENCE_GAP', 2, undefined]]);
    expect(step.accepted.map((a) => a.record.record.seq)).toEqual([4, 5]);
  });

  it('gives a gap up at once when more than maxHeld records wait behind it', () => {
    const chain = new DeviceChain(dev.id, ctx(), undefined, 2);
    chain.push(arrival(3), trusted, undefined);
    chain.push(arrival(4), trusted, undefined);
    const step = chain.push(arrival(6), trusted, undefined);
    expect(step.refused.map((r) => r.error.code)).toEqual(['SEQUENCE_GAP']);
    expect(step.accepted.map((a) => a.record.record.seq)).toEqual([3, 4]);
    expect(chain.heldCount()).toBe(1); // 6 waits for 5
    expect(chain.missing()).toEqual({ from: 5, to: 5 });
  });

  it('resyncs from a head another process stored, feeding the held records again', () => {
    const chain = new DeviceChain(dev.id, ctx(), undefined, 100);
    chain.push(arrival(4), trusted, undefined);
    chain.push(arrival(6), trusted, undefined);
    const steps = chain.resync({ seq: 3, hash: records[2]!.hash }, trusted);
    expect(steps.flatMap((s) => s.accepted.map((a) => a.record.record.seq))).toEqual([4]);
    expect(chain.missing()).toEqual({ from: 5, to: 5 });
    expect(chain.committed).toEqual({ seq: 3, hash: records[2]!.hash });
  });
});

describe('worker verdicts', () => {
  const keyring = keyringOf(dev);

  it('a worker check carries the record as read (decoded and hashed once) and what its signature check said', () => {
    expect(checkRecord(records[0]!, keyring)).toEqual({ read: { ok: true, record: records[0]!.record, hash: records[0]!.hash }, signature: { spki: dev.publicKey, valid: true } });
    const bad = { ...records[0]!, signature: records[1]!.signature };
    expect(checkRecord(bad, keyring).signature).toEqual({ spki: dev.publicKey, valid: false });
    expect(checkRecord(records[0]!, keyringOf()).signature).toBeUndefined(); // unknown device: no signature check
    expect(readRecord(utf8('{}'))).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED_VERSION' } });
  });

  it('answers from a verdict only for the very record and key it was given, and verifies otherwise', () => {
    const t = new TrustedVerdicts();
    const message = utf8('wastetrail/record/v1\nx');
    const sig = new Uint8Array(64);
    expect(t.with({ bytes: records[0]!.bytes, signature: sig }, { spki: dev.publicKey, valid: true }, () => t.verify(dev.signer.publicKeySpki, message, sig))).toBe(true);
    expect(t.reused).toBe(1);
    // Another signature object, another key, or no verdict in force: a real (failing) verification.
    expect(t.with({ bytes: records[0]!.bytes, signature: sig }, { spki: dev.publicKey, valid: true }, () => t.verify(dev.signer.publicKeySpki, message, new Uint8Array(64)))).toBe(false);
    expect(t.with({ bytes: records[0]!.bytes, signature: sig }, { spki: toBase64(new TestDevice('x-y-z').signer.publicKeySpki), valid: true }, () => t.verify(dev.signer.publicKeySpki, message, sig))).toBe(false);
    expect(t.verify(dev.signer.publicKeySpki, message, sig)).toBe(false);
    expect(t.verified).toBe(3);
  });
});

describe('integrity alerts and metrics', () => {
  it('makes one alert per device and code with the rules\' integrityAlert, critical for signs of tampering', () => {
    expect(integritySeverity('BAD_SIGNATURE')).toBe('critical');
    expect(integritySeverity('SEQUENCE_GAP')).toBe('critical');
    expect(integritySeverity('MALFORMED_ENVELOPE')).toBe('warning');
    expect(integrityDedupeKey('d-1', 'FORK')).toBe('integrity:device:d-1/FORK');
    const finding = integrityFinding(
      { device: 'd-1', code: 'FORK', message: 'm', seq: 4, hash: 'ab'.repeat(32), at: '2026-03-02T08:00:00.000Z' },
      { institution: 'i', jurisdiction: 'j' },
    );
    expect(finding).toEqual({ code: 'FORK', message: 'm', device: 'd-1', seq: 4, hash: 'ab'.repeat(32), institution: 'i', jurisdiction: 'j', detectedAtMs: Date.parse('2026-03-02T08:00:00.000Z') });
    expect(integrityAlert(finding)).toMatchObject({
      rule: 'integrity',
      severity: 'critical',
      dedupeKey: 'integrity:device:d-1/FORK',
      institution: 'i',
      jurisdiction: 'j',
      device: 'd-1',
      params: { code: 'FORK', seq: 4 },
      evidence: [{ device: 'd-1', seq: 4, hash: 'ab'.repeat(32) }],
    });
  });
});


import { describe, expect, it } from 'vitest';
import { RECORD_ERROR_CODES } from '@wastetrail/firmware-protocol';
import { integrityAlert, integrityDedupeKey, INTEGRITY_SEVERITY, integritySeverity, renderAlertMessage, UNATTRIBUTED } from '../../src/rules/index.ts';

const where = { institution: 'hz-h001', jurisdiction: '330106-g01' };
const detectedAtMs = Date.parse('2026-03-02T02:00:00.000Z');

describe('integrity alerts (raised by ingest)', () => {
  it('builds one alert shape for a refused record: per device and failure, pointing at the record', () => {
    // What ingest has at hand: the RecordError spread in, plus where and when.
    const error = { code: 'BAD_SIGNATURE', message: 'the signature does not verify', device: 'hz-h001-k01', seq: 42 };
    const c = integrityAlert({ ...error, ...where, hash: 'ab'.repeat(32), detectedAtMs });
    expect(c).toEqual({
      rule: 'integrity',
      severity: 'critical',
      dedupeKey: 'integrity:device:hz-h001-k01/BAD_SIGNATURE',
      subject: 'device:hz-h001-k01/BAD_SIGNATURE',
      institution: 'hz-h001',
      jurisdiction: '330106-g01',
      device: 'hz-h001-k01',
      message: 'Device hz-h001-k01: BAD_SIGNATURE (the signature does not verify).',
      messageKey: 'integrity',
      params: { device: 'hz-h001-k01', institution: 'hz-h001', code: 'BAD_SIGNATURE', detail: 'the signature does not verify', seq: 42 },
      evidence: [{ device: 'hz-h001-k01', seq: 42, hash: 'ab'.repeat(32) }],
      sinceMs: detectedAtMs,
    });
    expect(c!.dedupeKey).toBe(integrityDedupeKey('hz-h001-k01', 'BAD_SIGNATURE'));
    expect(renderAlertMessage('integrity', c!.params, 'zh-CN')).toBe('设备 hz-h001-k01 的记录完整性异常：签名无效 BAD_SIGNATURE（the signature does not verify）。');
  });

  it('reports a gap not filled in time, with the first missing seq and no hash', () => {
    const c = integrityAlert({ code: 'SEQUENCE_GAP', message: '3 records are missing: seq 7..9', device: 'hz-h001-k01', seq: 7, ...where, detectedAtMs });
    expect(c).toMatchObject({ severity: 'critical', evidence: [{ device: 'hz-h001-k01', seq: 7 }] });
    expect(c!.evidence[0]).not.toHaveProperty('hash');
  });

  it('leaves an unknown device unattributed, for regulators, and raises nothing for a redelivered duplicate', () => {
    const c = integrityAlert({ code: 'UNKNOWN_DEVICE', message: 'no such device in the keyring', device: 'zz-rogue', detectedAtMs });
    expect(c).toMatchObject({ institution: UNATTRIBUTED, jurisdiction: '', device: 'zz-rogue', evidence: [] });
    expect(integrityAlert({ code: 'DUPLICATE_RECORD', message: 'seq 3 was already accepted', device: 'd', seq: 3, ...where, detectedAtMs })).toBeUndefined();
  });

  it('has a severity for every record error code and for ingest wire codes; a new code raises a warning', () => {
    expect(Object.keys(INTEGRITY_SEVERITY).sort()).toEqual([...RECORD_ERROR_CODES].sort());
    expect(integritySeverity('TOPIC_MISMATCH')).toBe('critical');
    expect(integritySeverity('PAYLOAD_TOO_LARGE')).toBe('warning');
    expect(integritySeverity('SOMETHING_NEW')).toBe('warning');
    expect(renderAlertMessage('integrity', { device: 'd', code: 'TOPIC_MISMATCH', detail: 'x' }, 'zh-CN')).toContain('记录与上报主题的设备不符 TOPIC_MISMATCH');
  });
});

/**
 * Bad-practice points (不良执业行为记分): what each confirmed violation costs an institution. One
 * violation type per alert rule, plus what only an inspection or an investigation finds. The table is
 * configurable (`supervision.violations` in the server config); docs/server/supervision.md explains the
 * defaults.
 */
import { ConfigError } from '@wastetrail/runtime';
import { Type, type Static } from 'typebox';
import { RULE_IDS } from '../rules/candidate.ts';

export interface ViolationType {
  code: string;
  points: number;
  name: { en: string; zh: string };
}

/** Points of one violation: at least 1, at most 12 (a 12-point cycle, as the medical bad-practice scheme counts). */
export const MIN_POINTS = 1;
export const MAX_POINTS = 12;

/** The default table, in the order it is listed. */
export const DEFAULT_VIOLATIONS: readonly ViolationType[] = [
  { code: 'storage-overdue', points: 2, name: { en: 'Waste stored beyond the time limit', zh: '医疗废物暂存超时' } },
  { code: 'department-unsent', points: 1, name: { en: 'Waste left on the ward uncollected', zh: '科室医疗废物未及时交接' } },
  { code: 'collection-overdue', points: 2, name: { en: 'Waste not collected in time', zh: '医疗废物未按时收运' } },
  { code: 'missing-in-transit', points: 6, name: { en: 'Waste missing in transit', zh: '医疗废物转运途中丢失' } },
  { code: 'weight-discrepancy', points: 3, name: { en: 'Weight discrepancy between handovers', zh: '交接重量不符' } },
  { code: 'unknown-origin', points: 4, name: { en: 'Waste of unknown origin', zh: '来源不明的医疗废物' } },
  { code: 'cloned-tag', points: 6, name: { en: 'Duplicated or cloned bag tag', zh: '包装标签重复或被克隆' } },
  { code: 'out-of-order', points: 2, name: { en: 'Custody steps out of order', zh: '交接流程不规范' } },
  { code: 'integrity', points: 6, name: { en: 'Tampered or missing records', zh: '记录被篡改或缺失' } },
  { code: 'device-silent', points: 1, name: { en: 'Recording device offline', zh: '计量采集设备离线' } },
  { code: 'mass-balance', points: 4, name: { en: 'Mass balance not reconciled', zh: '产生量与处置量不平衡' } },
  { code: 'storage-climate', points: 2, name: { en: 'Held-over waste stored too warm (25/20 °C rule)', zh: '高温天未及时清运的医疗废物贮存温度超标' } },
  { code: 'climate-silent', points: 1, name: { en: 'Storage room climate sensor offline', zh: '暂存间温湿度传感器离线' } },
  { code: 'manifest-discrepancy', points: 3, name: { en: 'Transfer manifest discrepancy', zh: '转移联单与实际不符' } },
  { code: 'manifest-unclosed', points: 2, name: { en: 'Transfer manifest not closed in time', zh: '转移联单未按时办结' } },
  { code: 'route-deviation', points: 4, name: { en: 'Transport vehicle off its registered route', zh: '转运车辆偏离备案路线' } },
  { code: 'abnormal-stop', points: 4, name: { en: 'Transport vehicle stopped off site', zh: '转运车辆异常停车' } },
  { code: 'door-opened', points: 6, name: { en: 'Cargo door opened off site', zh: '转运途中违规开启货厢门' } },
  { code: 'vehicle-silent', points: 3, name: { en: 'Loaded transport vehicle out of contact', zh: '载货转运车辆失联' } },
  { code: 'illegal-dumping', points: 12, name: { en: 'Illegal dumping', zh: '非法倾倒医疗废物' } },
  { code: 'illegal-sale', points: 12, name: { en: 'Illegal sale or trading of waste', zh: '非法买卖医疗废物' } },
  { code: 'records-falsified', points: 12, name: { en: 'Falsified handover records', zh: '伪造、篡改交接登记' } },
  { code: 'inspection-finding', points: 3, name: { en: 'Other finding of an inspection', zh: '监督检查发现的其他问题' } },
];

/** Every alert rule has a violation type of the same code (a confirmed alert of rule R is violation R by default). */
export const RULE_VIOLATION_CODES: readonly string[] = RULE_IDS;

export const VIOLATION_CODE_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;

/** A new violation type, or new names or points for one: `supervision.violations.<code>` in the config. */
export const ViolationTypeSchema = Type.Object(
  {
    points: Type.Integer({ minimum: MIN_POINTS, maximum: MAX_POINTS }),
    en: Type.Optional(Type.String({ pattern: '\\S', 'x-expected': 'a non-empty name', description: 'Its name in English.' })),
    zh: Type.Optional(Type.String({ pattern: '\\S', 'x-expected': 'a non-empty name', description: 'Its name in Chinese.' })),
  },
  { additionalProperties: false, 'x-expected': '{ "points": 1 to 12, "en": "name", "zh": "名称" }' },
);
/** A configured entry: a number replaces the default's points; an object defines a new type (or renames one). */
export type ViolationOverride = number | Static<typeof ViolationTypeSchema>;

/**
 * The table with the configured overrides (already checked against the schema) applied. A new code needs
 * both its names: a ConfigError names it under `at`.
 */
export function violationTable(overrides: Readonly<Record<string, ViolationOverride>> = {}, at = 'violations'): ViolationType[] {
  const table = new Map(DEFAULT_VIOLATIONS.map((v) => [v.code, { ...v, name: { ...v.name } }]));
  for (const [code, o] of Object.entries(overrides)) {
    const known = table.get(code);
    const { points, en, zh } = typeof o === 'number' ? { points: o, en: undefined, zh: undefined } : o;
    if (!known && (en === undefined || zh === undefined)) throw ConfigError.at(`${at}.${code}`, 'a new violation type needs { "points", "en", "zh" } (its names in English and Chinese)');
    table.set(code, { code, points, name: { en: en ?? known!.name.en, zh: zh ?? known!.name.zh } });
  }
  return [...table.values()];
}

/**
 * The handover register (医疗废物交接登记) as CSV: one row per bag with what 医疗废物管理条例 Art. 12 asks
 * the register to hold: source, category, weight, handover time, disposal method, final destination
 * and the handlers (name from the staff registry and badge; each step's badges signed the record). UTF-8 with a byte order mark so
 * Excel opens the Chinese correctly, CRLF line ends (RFC 4180), headers in Chinese and English, times in
 * the local time zone. Rows come from re-verified trails (bag-records.ts), never from the projection alone.
 */
import type { WasteCategory } from '@wastetrail/firmware-protocol';
import type { BagState, BagTrail, CustodyStep, CustodyStepKind } from '../custody/index.ts';
import type { Institution, StaffBadge } from '../store/index.ts';
import type { LoadedBag } from './bag-records.ts';

export const BOM = '\uFEFF';
export const CRLF = '\r\n';

export const CATEGORY_ZH: Record<WasteCategory, string> = {
  infectious: '感染性',
  sharps: '损伤性',
  pathological: '病理性',
  pharmaceutical: '药物性',
  chemical: '化学性',
};

const METHOD_ZH: Record<string, string> = {
  incineration: '焚烧',
  'steam-sterilisation': '高温蒸汽灭菌',
  'chemical-disinfection': '化学消毒',
  microwave: '微波消毒',
  other: '其他',
};

const STATE_ZH: Record<BagState, string> = {
  sealed: '已封袋',
  collected: '已院内收集',
  stored: '暂存中',
  'picked-up': '转运中',
  received: '已接收待处置',
  disposed: '已处置',
  voided: '已作废',
};

export interface RegisterRow {
  bag: string;
  tags: string;
  sourceInstitution: string;
  sourceDepartment: string;
  category: string;
  sealedGrams: string;
  sealedAt: string;
  sealedBy: string;
  collectedAt: string;
  collectedBy: string;
  storedAt: string;
  storedBy: string;
  handoverAt: string;
  handoverGrams: string;
  handoverBy: string;
  vehicle: string;
  manifest: string;
  receivedAt: string;
  receivedGrams: string;
  receivedBy: string;
  disposalMethod: string;
  disposalBatch: string;
  disposedAt: string;
  disposedBy: string;
  finalDestination: string;
  state: string;
  anomalies: string;
  recordsVerified: string;
}

/** Column order and the two-language header of each column. `{tz}` is replaced with the time zone. */
export const REGISTER_COLUMNS: ReadonlyArray<{ key: keyof RegisterRow; zh: string; en: string }> = [
  { key: 'bag', zh: '医疗废物袋编号', en: 'Bag' },
  { key: 'tags', zh: '标签', en: 'Tags' },
  { key: 'sourceInstitution', zh: '来源单位', en: 'Source institution' },
  { key: 'sourceDepartment', zh: '来源科室', en: 'Source department' },
  { key: 'category', zh: '类别', en: 'Category' },
  { key: 'sealedGrams', zh: '封袋重量(克)', en: 'Sealed weight (g)' },
  { key: 'sealedAt', zh: '封袋时间', en: 'Sealed at ({tz})' },
  { key: 'sealedBy', zh: '封袋人(姓名 工牌)', en: 'Sealed by (name and badge)' },
  { key: 'collectedAt', zh: '院内收集时间', en: 'Collected at ({tz})' },
  { key: 'collectedBy', zh: '院内交接人(交/接)', en: 'Collection handlers (giver/receiver)' },
  { key: 'storedAt', zh: '暂存入库时间', en: 'Stored at ({tz})' },
  { key: 'storedBy', zh: '暂存管理人(姓名 工牌)', en: 'Storage keeper (name and badge)' },
  { key: 'handoverAt', zh: '转运交接时间', en: 'Handover to transport at ({tz})' },
  { key: 'handoverGrams', zh: '交接重量(克)', en: 'Handover weight (g)' },
  { key: 'handoverBy', zh: '转运交接人(交/接)', en: 'Handover handlers (giver/crew)' },
  { key: 'vehicle', zh: '转运车辆', en: 'Vehicle' },
  { key: 'manifest', zh: '转移联单号', en: 'Transfer manifest' },
  { key: 'receivedAt', zh: '处置单位接收时间', en: 'Received at disposal ({tz})' },
  { key: 'receivedGrams', zh: '接收重量(克)', en: 'Received weight (g)' },
  { key: 'receivedBy', zh: '接收人(姓名 工牌)', en: 'Received by (name and badge)' },
  { key: 'disposalMethod', zh: '处置方式', en: 'Disposal method' },
  { key: 'disposalBatch', zh: '处置批次', en: 'Disposal batch' },
  { key: 'disposedAt', zh: '处置时间', en: 'Disposed at ({tz})' },
  { key: 'disposedBy', zh: '处置人(姓名 工牌)', en: 'Disposed by (name and badge)' },
  { key: 'finalDestination', zh: '最终去向', en: 'Final destination' },
  { key: 'state', zh: '状态', en: 'State' },
  { key: 'anomalies', zh: '异常', en: 'Anomalies' },
  { key: 'recordsVerified', zh: '记录验签(通过/总数)', en: 'Records verified (passed/total)' },
];

/** One CSV field: quoted when needed, and a leading = + - @ neutralised so a spreadsheet never runs it as a formula. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(fields: readonly string[]): string {
  return fields.map(csvField).join(',') + CRLF;
}

export function registerHeader(timeZone: string): string {
  return BOM + csvLine(REGISTER_COLUMNS.map((c) => `${c.zh} / ${c.en.replace('{tz}', timeZone)}`));
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** "2026-03-02 16:01:00" on the wall clock of `timeZone`: what Excel reads as a date and time. */
export function localDateTime(iso: string | undefined, timeZone: string): string {
  if (iso === undefined) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(ms)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** "Name (id)" of an institution, or the id when it is not in the map; '' for none. */
export function named(id: string | undefined, institutions: ReadonlyMap<string, Institution>): string {
  if (id === undefined) return '';
  const inst = institutions.get(id);
  return inst ? `${inst.name} (${id})` : id;
}

const firstStep = (trail: BagTrail, kind: CustodyStepKind): CustodyStep | undefined => trail.steps.find((s) => s.step === kind);
const grams = (g: number | undefined) => (g === undefined ? '' : String(g));

/** A handler as the register names them: "name (badge)" when the staff registry knows the badge, else the badge. */
export function handler(badge: string, staff: ReadonlyMap<string, Pick<StaffBadge, 'name'> | null>): string {
  const entry = staff.get(badge);
  return entry ? `${entry.name} (${badge})` : badge;
}

/** The register row of one bag; `staff`: the registry's entries by badge (a badge it lacks is written alone). */
export function registerRow(bag: LoadedBag, institutions: ReadonlyMap<string, Institution>, timeZone: string, staff: ReadonlyMap<string, Pick<StaffBadge, 'name'> | null> = new Map()): RegisterRow {
  const { trail } = bag;
  const sealed = firstStep(trail, 'sealed');
  const collected = firstStep(trail, 'collected');
  const stored = firstStep(trail, 'stored');
  const pickup = firstStep(trail, 'picked-up');
  const received = firstStep(trail, 'received');
  const disposed = firstStep(trail, 'disposed');
  const at = (s: CustodyStep | undefined) => localDateTime(s?.time, timeZone);
  const badges = (s: CustodyStep | undefined) => s?.badges.map((b) => handler(b, staff)).join('/') ?? '';
  const verified = bag.records.filter((r) => r.verified).length;
  return {
    bag: trail.bag,
    tags: trail.tags.join(' '),
    sourceInstitution: named(trail.institution, institutions),
    sourceDepartment: trail.department ?? '',
    category: trail.category ? `${CATEGORY_ZH[trail.category]} ${trail.category}` : '',
    sealedGrams: grams(trail.sealedGrams),
    sealedAt: at(sealed),
    sealedBy: badges(sealed),
    collectedAt: at(collected),
    collectedBy: badges(collected),
    storedAt: at(stored),
    storedBy: badges(stored),
    handoverAt: at(pickup),
    handoverGrams: grams(pickup?.grams),
    handoverBy: badges(pickup),
    vehicle: pickup?.vehicle ?? received?.vehicle ?? '',
    manifest: pickup?.manifest ?? received?.manifest ?? '',
    receivedAt: at(received),
    receivedGrams: grams(received?.grams),
    receivedBy: badges(received),
    disposalMethod: disposed?.method ? `${METHOD_ZH[disposed.method] ?? disposed.method} ${disposed.method}` : '',
    disposalBatch: disposed?.batch ?? '',
    disposedAt: at(disposed),
    disposedBy: badges(disposed),
    finalDestination: named(disposed?.institution ?? received?.institution, institutions),
    state: `${STATE_ZH[trail.state]} ${trail.state}`,
    anomalies: trail.anomalies.map((a) => a.kind).join(' '),
    recordsVerified: `${verified}/${bag.records.length}`,
  };
}

export function registerLine(row: RegisterRow): string {
  return csvLine(REGISTER_COLUMNS.map((c) => row[c.key]));
}

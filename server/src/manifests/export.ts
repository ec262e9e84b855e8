/**
 * The transfer manifest (转移联单) as CSV, with the fields a Chinese 联单 carries: number, producer,
 * transporter and receiver, waste class and code (HW01 医疗废物, 841-001-01 .. 841-005-01 by category,
 * 国家危险废物名录 2021), quantity and weight, vehicle, and each party's signature time. One row per waste
 * category on the manifest (the 联单's lines), the manifest's own fields repeated on each. UTF-8 with a
 * byte order mark, CRLF, headers in Chinese and English, times on the local wall clock: as the register.
 */
import type { WasteCategory } from '@wastetrail/firmware-protocol';
import { BOM, CATEGORY_ZH, csvLine, localDateTime, named as namedInstitution } from '../exports/register.ts';
import type { Institution } from '../store/index.ts';
import type { Manifest, ManifestStep } from './manifest.ts';

/** 国家危险废物名录 (2021) HW01 医疗废物: the code of each category. */
export const WASTE_CODES: Record<WasteCategory, string> = {
  infectious: '841-001-01',
  sharps: '841-002-01',
  pathological: '841-003-01',
  chemical: '841-004-01',
  pharmaceutical: '841-005-01',
};

const STATUS_ZH: Record<Manifest['status'], string> = {
  'signed-by-producer': '产生单位已签发',
  sent: '运输中',
  received: '已接收',
  processed: '已处置',
  refused: '已拒收',
};

export interface ManifestExportRow {
  manifest: string;
  version: string;
  status: string;
  producer: string;
  transporter: string;
  receiver: string;
  vehicle: string;
  wasteClass: string;
  wasteCode: string;
  category: string;
  bags: string;
  declaredKg: string;
  acceptedBags: string;
  acceptedKg: string;
  refusedBags: string;
  refusedKg: string;
  refusalReasons: string;
  producerSigned: string;
  transporterSigned: string;
  receiverSigned: string;
  closed: string;
  discrepancies: string;
}

export const MANIFEST_EXPORT_COLUMNS: ReadonlyArray<{ key: keyof ManifestExportRow; zh: string; en: string }> = [
  { key: 'manifest', zh: '联单编号', en: 'Manifest number' },
  { key: 'version', zh: '版本', en: 'Version' },
  { key: 'status', zh: '联单状态', en: 'Status' },
  { key: 'producer', zh: '产生单位', en: 'Producer' },
  { key: 'transporter', zh: '运输单位', en: 'Transporter' },
  { key: 'receiver', zh: '接收单位', en: 'Receiver' },
  { key: 'vehicle', zh: '运输车辆', en: 'Vehicle' },
  { key: 'wasteClass', zh: '废物类别', en: 'Waste class' },
  { key: 'wasteCode', zh: '废物代码', en: 'Waste code' },
  { key: 'category', zh: '废物名称', en: 'Category' },
  { key: 'bags', zh: '数量(袋)', en: 'Quantity (bags)' },
  { key: 'declaredKg', zh: '申报重量(千克)', en: 'Declared weight (kg)' },
  { key: 'acceptedBags', zh: '接收数量(袋)', en: 'Accepted (bags)' },
  { key: 'acceptedKg', zh: '接收重量(千克)', en: 'Accepted weight (kg)' },
  { key: 'refusedBags', zh: '拒收数量(袋)', en: 'Refused (bags)' },
  { key: 'refusedKg', zh: '拒收重量(千克)', en: 'Refused weight (kg)' },
  { key: 'refusalReasons', zh: '拒收原因', en: 'Refusal reasons' },
  { key: 'producerSigned', zh: '产生单位签字(工牌 时间)', en: 'Producer signed (badge, {tz})' },
  { key: 'transporterSigned', zh: '运输单位签字(工牌 时间)', en: 'Transporter signed (badge, {tz})' },
  { key: 'receiverSigned', zh: '接收单位签字(工牌 时间)', en: 'Receiver signed (badge, {tz})' },
  { key: 'closed', zh: '处置完成(工牌 时间)', en: 'Closed (badge, {tz})' },
  { key: 'discrepancies', zh: '差异', en: 'Discrepancies' },
];

export function manifestExportHeader(timeZone: string): string {
  return BOM + csvLine(MANIFEST_EXPORT_COLUMNS.map((c) => `${c.zh} / ${c.en.replace('{tz}', timeZone)}`));
}

const kg = (grams: number) => (grams / 1000).toFixed(3);

/** The 联单's lines: one per category, in the order of the waste codes. */
export function manifestExportRows(m: Manifest, institutions: ReadonlyMap<string, Institution>, timeZone: string): ManifestExportRow[] {
  const signed = (step: ManifestStep) =>
    m.signatures
      .filter((s) => s.step === step)
      .map((s) => `${s.badge} ${localDateTime(s.time, timeZone)}`)
      .join('; ');
  const named = (id: string | null) => namedInstitution(id ?? undefined, institutions);
  const discrepancies = m.discrepancies.map((d) => `${d.kind}/${d.severity}@${d.stage}`).join(' ');
  const categories = (Object.keys(WASTE_CODES) as WasteCategory[]).filter((c) => m.bags.some((b) => b.category === c));
  const lines: Array<WasteCategory | null> = categories.length > 0 ? categories : [null];
  if (m.bags.some((b) => b.category === null) && categories.length > 0) lines.push(null);
  return lines.map((category) => {
    const bags = m.bags.filter((b) => b.category === category);
    const accepted = bags.filter((b) => b.outcome === 'accepted' || (b.outcome === 'undeclared' && b.receivedGrams !== null && b.refusalReason === undefined));
    const refused = bags.filter((b) => b.outcome === 'refused');
    return {
      manifest: m.manifest,
      version: m.version === null ? '' : String(m.version),
      status: `${STATUS_ZH[m.status]} ${m.status}`,
      producer: named(m.producer),
      transporter: named(m.transporter),
      receiver: named(m.receiver),
      vehicle: m.vehicle ?? '',
      wasteClass: 'HW01 医疗废物',
      wasteCode: category ? WASTE_CODES[category] : '',
      category: category ? `${CATEGORY_ZH[category]}废物 ${category}` : '未申报 undeclared',
      bags: String(bags.filter((b) => b.declaredGrams !== null).length),
      declaredKg: kg(bags.reduce((s, b) => s + (b.declaredGrams ?? 0), 0)),
      acceptedBags: String(accepted.length),
      acceptedKg: kg(accepted.reduce((s, b) => s + (b.receivedGrams ?? 0), 0)),
      refusedBags: String(refused.length),
      refusedKg: kg(refused.reduce((s, b) => s + (b.receivedGrams ?? b.declaredGrams ?? 0), 0)),
      refusalReasons: [...new Set(refused.map((b) => b.refusalReason ?? ''))].join('; '),
      producerSigned: signed('issued'),
      transporterSigned: signed('picked-up'),
      receiverSigned: signed('received'),
      closed: signed('closed'),
      discrepancies,
    };
  });
}

export function manifestExportLines(m: Manifest, institutions: ReadonlyMap<string, Institution>, timeZone: string): string {
  return manifestExportRows(m, institutions, timeZone)
    .map((row) => csvLine(MANIFEST_EXPORT_COLUMNS.map((c) => row[c.key])))
    .join('');
}

/**
 * Alert texts in every supported language. An alert stores a message key and its parameters (values
 * only), so the web can show it in the reader's language; `{name}` inserts a parameter as is,
 * `{name:step}` a custody step and `{name:anomalies}` a list of anomaly codes, in words of that language.
 */
import type { RecordErrorCode } from '@wastetrail/firmware-protocol';
import type { AnomalyKind, CustodyStepKind } from '../custody/trail.ts';
import type { ManifestStatus } from '../manifests/manifest.ts';
import type { MessageParams } from './candidate.ts';

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

export const ALERT_MESSAGES = {
  'storage-climate': {
    en: 'Storage room {room} at {institution} was at {maxCelsius} °C or warmer for {minutes} min from {from} (up to {peakCelsius} °C) while holding {bags} bag(s) not cleared on a day above {hotDayCelsius} °C.',
    'zh-CN': '{institution} 暂存间 {room} 自 {from} 起 {minutes} 分钟温度不低于 {maxCelsius} ℃（最高 {peakCelsius} ℃），其中存放着气温超过 {hotDayCelsius} ℃ 当日未清运的 {bags} 袋医疗废物。',
  },
  'climate-silent': {
    en: 'The climate sensor of storage room {room} at {institution} has sent no reading since {lastReading} (limit {limitMinutes} min) while {bags} bag(s) are stored there.',
    'zh-CN': '{institution} 暂存间 {room} 的温湿度传感器自 {lastReading} 起无读数（上限 {limitMinutes} 分钟），暂存间内仍有 {bags} 袋医疗废物。',
  },
  'storage-overdue': {
    en: 'Bag {bag} has been in storage room {room} at {institution} for {hours} h (limit {limitHours} h).',
    'zh-CN': '医疗废物袋 {bag} 已在 {institution} 暂存间 {room} 存放 {hours} 小时（上限 {limitHours} 小时）。',
  },
  'department-unsent': {
    en: 'Bag {bag} sealed at {department} ({institution}) {hours} h ago has not been collected (limit {limitHours} h).',
    'zh-CN': '医疗废物袋 {bag}（{institution} {department}）封袋已 {hours} 小时，仍未被院内收集（上限 {limitHours} 小时）。',
  },
  'collection-overdue': {
    en: '{bags} bag(s), {kg} kg, waiting in storage room {room} at {institution} with no pickup for {hours} h (interval {limitHours} h).',
    'zh-CN': '{institution} 暂存间 {room} 有 {bags} 袋（{kg} 千克）医疗废物，已 {hours} 小时无人收运（约定间隔 {limitHours} 小时）。',
  },
  'missing-in-transit': {
    en: 'Bag {bag} picked up at {institution} by vehicle {vehicle} (manifest {manifest}) {hours} h ago has not been received at disposal (limit {limitHours} h).',
    'zh-CN': '医疗废物袋 {bag} 由车辆 {vehicle}（联单 {manifest}）自 {institution} 收运已 {hours} 小时，处置单位仍未接收（上限 {limitHours} 小时）。',
  },
  'missing-in-transit.last-seen': {
    en: 'Bag {bag} picked up at {institution} by vehicle {vehicle} (manifest {manifest}) {hours} h ago has not been received at disposal (limit {limitHours} h). The vehicle was last seen at {position} at {positionAt}.',
    'zh-CN': '医疗废物袋 {bag} 由车辆 {vehicle}（联单 {manifest}）自 {institution} 收运已 {hours} 小时，处置单位仍未接收（上限 {limitHours} 小时）。车辆最后位置 {position}，时间 {positionAt}。',
  },
  'weight-discrepancy.bag': {
    en: 'Bag {bag} weighed {grams} g at {step:step} ({institution}) against {referenceGrams} g at {referenceStep:step}: {diffGrams} g ({diffPercent} %) apart, beyond the {toleranceGrams} g allowed.',
    'zh-CN': '医疗废物袋 {bag} 在{step:step}环节（{institution}）称重 {grams} 克，{referenceStep:step}时为 {referenceGrams} 克，相差 {diffGrams} 克（{diffPercent}%），超出允许的 {toleranceGrams} 克。',
  },
  'weight-discrepancy.handover': {
    en: 'Handover {handover} at {step:step} ({institution}) weighed {grams} g for {bags} bags sealed at {referenceGrams} g in all: {diffGrams} g ({diffPercent} %) apart, beyond the {toleranceGrams} g allowed.',
    'zh-CN': '交接记录 {handover}（{institution}，{step:step}）共 {bags} 袋称重 {grams} 克，封袋合计 {referenceGrams} 克，相差 {diffGrams} 克（{diffPercent}%），超出允许的 {toleranceGrams} 克。',
  },
  'unknown-origin': {
    en: 'Bag {bag} reached {institution} ({step:step}) with no sealing record: waste of unknown origin.',
    'zh-CN': '医疗废物袋 {bag} 到达 {institution}（{step:step}）时没有封袋记录：来源不明的医疗废物。',
  },
  'cloned-tag.sealed-again': {
    en: 'Tag {bag} was sealed {count} times (first at {institution}): a cloned or reused tag.',
    'zh-CN': '标签 {bag} 被封袋 {count} 次（首次在 {institution}）：疑似克隆或重复使用的标签。',
  },
  'cloned-tag.too-fast': {
    en: 'Tag {bag} was seen at {from} and at {to} {minutes} min apart, {distanceKm} km away ({speedKmh} km/h): faster than travel allows.',
    'zh-CN': '标签 {bag} 先后出现在 {from} 和 {to}，相隔 {minutes} 分钟、{distanceKm} 千米（{speedKmh} 千米/小时）：超出可能的运输速度，疑似克隆标签。',
  },
  'cloned-tag.too-soon': {
    en: 'Tag {bag} was seen at {from} and at {to} only {minutes} min apart: too soon to be one tag travelling.',
    'zh-CN': '标签 {bag} 先后出现在 {from} 和 {to}，仅相隔 {minutes} 分钟：不可能是同一标签运输所致，疑似克隆标签。',
  },
  'out-of-order': {
    en: 'Bag {bag}: custody does not add up ({anomalies:anomalies}).',
    'zh-CN': '医疗废物袋 {bag} 的交接过程异常（{anomalies:anomalies}）。',
  },
  'manifest-discrepancy': {
    en: 'Manifest {manifest} from {institution} to {receiver}: {missing} bag(s) missing, {undeclared} not on the manifest, {refused} refused ({refusedKg} kg), accepted weight {weightPercent} % off the declared, {signatories} step(s) signed by another institution.',
    'zh-CN': '转移联单 {manifest}（{institution} 至 {receiver}）存在差异：缺少 {missing} 袋，联单外 {undeclared} 袋，拒收 {refused} 袋（{refusedKg} 千克），接收重量与申报相差 {weightPercent}%，{signatories} 项签署非由联单所列单位作出。',
  },
  'manifest-unclosed': {
    en: 'Manifest {manifest} from {institution} issued {hours} h ago is still {status:manifestStatus} (limit {limitHours} h).',
    'zh-CN': '转移联单 {manifest}（{institution}）开具已 {hours} 小时，仍处于“{status:manifestStatus}”状态，未办结（上限 {limitHours} 小时）。',
  },
  integrity: {
    en: 'Device {device}: {code:code} ({detail}).',
    'zh-CN': '设备 {device} 的记录完整性异常：{code:code}（{detail}）。',
  },
  'device-silent': {
    en: 'Device {device} at {institution} has sent nothing since {lastSeen}: more than {limitMinutes} min of operating hours.',
    'zh-CN': '{institution} 的设备 {device} 自 {lastSeen} 起无任何上报，作业时间内已超过 {limitMinutes} 分钟。',
  },
  'mass-balance': {
    en: '{institution} on {date}: {sealedKg} kg sealed, {receivedKg} kg received at disposal ({diffPercent} % apart); {missingBags} of {bags} bags not received.',
    'zh-CN': '{institution} {date}：封袋 {sealedKg} 千克，处置单位接收 {receivedKg} 千克（相差 {diffPercent}%）；{bags} 袋中 {missingBags} 袋未被接收。',
  },
  'route-deviation': {
    en: 'Vehicle {vehicle} left its registered route at {from}: up to {metres} m off for {minutes} min (limit {limitMetres} m, {limitMinutes} min), farthest at {position}.',
    'zh-CN': '车辆 {vehicle} 自 {from} 起偏离备案路线：最远 {metres} 米，持续 {minutes} 分钟（阈值 {limitMetres} 米、{limitMinutes} 分钟），最远点 {position}。',
  },
  'abnormal-stop': {
    en: 'Vehicle {vehicle} stopped {minutes} min at {position} from {from}, outside any hospital, disposal centre or depot (limit {limitMinutes} min).',
    'zh-CN': '车辆 {vehicle} 自 {from} 起在 {position} 停留 {minutes} 分钟，不在任何医院、处置中心或车场范围内（上限 {limitMinutes} 分钟）。',
  },
  'door-opened': {
    en: 'The cargo door of vehicle {vehicle} was opened at {at} at {position}, outside any hospital, disposal centre or depot.',
    'zh-CN': '车辆 {vehicle} 的货厢门于 {at} 在 {position} 被打开，不在任何医院、处置中心或车场范围内。',
  },
  'vehicle-silent': {
    en: 'Vehicle {vehicle} carrying {bags} bag(s) has sent nothing since {lastSeen} (limit {limitMinutes} min); last known position {position} at {positionAt}.',
    'zh-CN': '载有 {bags} 袋医疗废物的车辆 {vehicle} 自 {lastSeen} 起无任何上报（上限 {limitMinutes} 分钟）；最后位置 {position}，时间 {positionAt}。',
  },
} as const satisfies Record<string, Record<Locale, string>>;

export type MessageKey = keyof typeof ALERT_MESSAGES;

const STEP_NAMES: Record<Locale, Record<CustodyStepKind, string>> = {
  en: { sealed: 'sealing', collected: 'collection', stored: 'storage', 'picked-up': 'pickup', received: 'receipt', disposed: 'disposal' },
  'zh-CN': { sealed: '封袋', collected: '院内收集', stored: '暂存入库', 'picked-up': '转运交接', received: '处置接收', disposed: '处置' },
};

/** A manifest's status in words (the BSDASRI statuses, docs/transport/manifest.md). */
export const MANIFEST_STATUS_NAMES: Record<Locale, Record<ManifestStatus, string>> = {
  en: { 'signed-by-producer': 'signed by the producer', sent: 'sent', received: 'received', processed: 'processed', refused: 'refused' },
  'zh-CN': { 'signed-by-producer': '产生单位已签发', sent: '运输中', received: '已接收', processed: '已处置', refused: '已拒收' },
};

const ANOMALY_NAMES: Record<Locale, Record<AnomalyKind, string>> = {
  en: {
    NOT_SEALED: 'no sealing record',
    DUPLICATE_SEAL: 'sealed twice',
    STEP_OUT_OF_ORDER: 'step out of order',
    STEP_REPEATED: 'step repeated',
    STEP_AFTER_DISPOSAL: 'step after disposal',
    WRONG_INSTITUTION: 'handled by another institution',
    MANIFEST_MISMATCH: 'received on another manifest or vehicle',
  },
  'zh-CN': {
    NOT_SEALED: '无封袋记录',
    DUPLICATE_SEAL: '重复封袋',
    STEP_OUT_OF_ORDER: '环节顺序颠倒',
    STEP_REPEATED: '环节重复',
    STEP_AFTER_DISPOSAL: '处置后仍有交接',
    WRONG_INSTITUTION: '由非持有机构经手',
    MANIFEST_MISMATCH: '接收的联单或车辆与收运不符',
  },
};

/** Record error codes, and ingest's wire codes, in Chinese. */
const ZH_CODES: Record<RecordErrorCode, string> & Record<string, string> = {
  MALFORMED_ENVELOPE: '报文格式错误',
  MALFORMED_RECORD: '记录格式错误',
  NON_CANONICAL_RECORD: '记录编码不规范',
  UNSUPPORTED_VERSION: '不支持的记录版本',
  UNKNOWN_EVENT_TYPE: '未知事件类型',
  MISSING_FIELD: '缺少字段',
  UNEXPECTED_FIELD: '多余字段',
  INVALID_FIELD: '字段无效',
  WRONG_UNIT: '计量单位错误',
  UNKNOWN_DEVICE: '未登记的设备',
  WRONG_KEY: '密钥不符',
  KEY_REVOKED: '密钥已吊销',
  BAD_SIGNATURE: '签名无效',
  EVENT_NOT_ALLOWED: '设备无权签署此类事件',
  CHAIN_START_INVALID: '哈希链起点无效',
  SEQUENCE_GAP: '序号缺失',
  DUPLICATE_RECORD: '重复记录',
  FORK: '哈希链分叉',
  OUT_OF_ORDER: '记录顺序错误',
  PREV_HASH_MISMATCH: '哈希链断裂',
  TOPIC_MISMATCH: '记录与上报主题的设备不符',
  PAYLOAD_TOO_LARGE: '报文过大',
  NOT_UTF8: '报文不是 UTF-8 文本',
  EMPTY_PAYLOAD: '空报文',
  WRONG_TOPIC: '上报主题错误',
  MALFORMED_STATUS: '状态消息格式错误',
};

function localise(value: string | number, format: string | undefined, locale: Locale): string {
  const s = String(value);
  switch (format) {
    case 'step':
      return STEP_NAMES[locale][s as CustodyStepKind] ?? s;
    case 'anomalies':
      return s
        .split(',')
        .filter((k) => k !== '')
        .map((k) => ANOMALY_NAMES[locale][k as AnomalyKind] ?? k)
        .join(locale === 'zh-CN' ? '、' : ', ');
    case 'manifestStatus':
      return MANIFEST_STATUS_NAMES[locale][s as ManifestStatus] ?? s;
    case 'code':
      return locale === 'zh-CN' && Object.prototype.hasOwnProperty.call(ZH_CODES, s) ? `${ZH_CODES[s]} ${s}` : s;
    default:
      return s;
  }
}

/** The alert's text in `locale`; a parameter that is missing shows as its `{name}`, never as "undefined". */
export function renderAlertMessage(key: MessageKey, params: MessageParams, locale: Locale = 'en'): string {
  return ALERT_MESSAGES[key][locale].replace(/\{(\w+)(?::(\w+))?\}/g, (whole, name: string, format: string | undefined) => {
    const v = params[name];
    return v === undefined ? whole : localise(v, format, locale);
  });
}

export function isMessageKey(s: string): s is MessageKey {
  return Object.prototype.hasOwnProperty.call(ALERT_MESSAGES, s);
}

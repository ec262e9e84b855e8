/**
 * What an escalation notification says: the e-mail (Chinese first, then English, in one message: the
 * staff read Chinese, auditors and vendors may not) and the webhook's JSON body. Pure. Only what the
 * alert itself holds goes out, and not the names of the people who acted on it.
 */
import { isMessageKey, renderAlertMessage } from '../rules/messages.ts';
import type { Alert as StoredAlert } from '../store/index.ts';
import type { NotifiedLevel } from './settings.ts';

/** An alert that climbed to a level where someone outside the handler's desk is told. */
export interface Escalation {
  alert: StoredAlert;
  level: NotifiedLevel;
  /** When it climbed (RFC 3339). */
  at: string;
}

export const WEBHOOK_EVENT = 'alert.escalated';

const AUDIENCE = {
  2: { en: 'the institution head', zh: '机构负责人', code: 'institution-head' },
  3: { en: 'the regulator', zh: '监管部门', code: 'regulator' },
} as const;

const SEVERITY: Record<string, { en: string; zh: string }> = {
  info: { en: 'info', zh: '提示' },
  warning: { en: 'warning', zh: '预警' },
  critical: { en: 'critical', zh: '严重' },
};

const RULE_NAMES: Record<string, { en: string; zh: string }> = {
  'storage-overdue': { en: 'storage overdue', zh: '暂存超时' },
  'department-unsent': { en: 'department unsent', zh: '科室未交接' },
  'collection-overdue': { en: 'collection overdue', zh: '收运超时' },
  'missing-in-transit': { en: 'missing in transit', zh: '转运途中缺失' },
  'weight-discrepancy': { en: 'weight discrepancy', zh: '重量不符' },
  'unknown-origin': { en: 'unknown origin', zh: '来源不明' },
  'cloned-tag': { en: 'cloned tag', zh: '疑似克隆标签' },
  'out-of-order': { en: 'out-of-order custody', zh: '交接顺序异常' },
  integrity: { en: 'record integrity', zh: '记录完整性' },
  'device-silent': { en: 'device silent', zh: '设备无上报' },
  'mass-balance': { en: 'mass balance', zh: '重量平衡异常' },
};

/** The alert's text in both languages: its message key rendered, or its stored (English) title. */
export function alertTexts(alert: StoredAlert): { en: string; zh: string } {
  if (isMessageKey(alert.messageKey)) {
    return { en: renderAlertMessage(alert.messageKey, alert.params, 'en'), zh: renderAlertMessage(alert.messageKey, alert.params, 'zh-CN') };
  }
  return { en: alert.title, zh: alert.title };
}

export interface EmailMessage {
  subject: string;
  text: string;
}

export function escalationEmail(e: Escalation): EmailMessage {
  const a = e.alert;
  const who = AUDIENCE[e.level];
  const rule = RULE_NAMES[a.rule] ?? { en: a.rule, zh: a.rule };
  const sev = SEVERITY[a.severity] ?? { en: a.severity, zh: a.severity };
  const texts = alertTexts(a);
  const place = [a.institution, a.jurisdiction].filter((x) => x !== null).join(' / ') || '-';
  const subject = `[wastetrail] 告警 #${a.id} 已升级至${who.zh}：${rule.zh}（${sev.zh}） / Alert #${a.id} escalated to ${who.en}: ${rule.en} (${sev.en})`;
  const text = [
    `告警 #${a.id} 无人确认，已升级至${who.zh}（第 ${e.level} 级）。`,
    '',
    texts.zh,
    '',
    `规则：${rule.zh}（${a.rule}）`,
    `严重程度：${sev.zh}`,
    `对象：${a.subject}`,
    `机构 / 辖区：${place}`,
    `首次发现：${a.since}`,
    `告警开启：${a.openedAt}`,
    `升级时间：${e.at}`,
    `请登录 wastetrail 的「告警」页面确认并处理此告警。`,
    '',
    '----',
    '',
    `Alert #${a.id} was not acknowledged and has been escalated to ${who.en} (level ${e.level}).`,
    '',
    texts.en,
    '',
    `Rule: ${rule.en} (${a.rule})`,
    `Severity: ${sev.en}`,
    `Subject: ${a.subject}`,
    `Institution / jurisdiction: ${place}`,
    `Condition since: ${a.since}`,
    `Opened: ${a.openedAt}`,
    `Escalated: ${e.at}`,
    `Acknowledge and handle it under Alerts in wastetrail.`,
    '',
  ].join('\n');
  return { subject, text };
}

/** The webhook body (docs/server/notifications.md shows one). `delivery` is also X-Wastetrail-Delivery. */
export function escalationPayload(e: Escalation, delivery: string): Record<string, unknown> {
  const a = e.alert;
  const texts = alertTexts(a);
  return {
    event: WEBHOOK_EVENT,
    delivery,
    level: e.level,
    audience: AUDIENCE[e.level].code,
    escalatedAt: e.at,
    alert: {
      id: a.id,
      rule: a.rule,
      severity: a.severity,
      currentSeverity: a.currentSeverity,
      status: a.status,
      escalationLevel: a.escalationLevel,
      dedupeKey: a.dedupeKey,
      subject: a.subject,
      institution: a.institution,
      jurisdiction: a.jurisdiction,
      bag: a.bag,
      device: a.device,
      messageKey: a.messageKey,
      params: a.params,
      message: { en: texts.en, 'zh-CN': texts.zh },
      since: a.since,
      openedAt: a.openedAt,
      awaitingAckSince: a.awaitingAckSince,
      lastSeenAt: a.lastSeenAt,
      occurrences: a.occurrences,
      evidence: a.evidence,
    },
  };
}

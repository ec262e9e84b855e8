/** An in-memory stand-in for the alerts table: gives drafts ids and writes updates back. */
import type { Alert, AlertChanges, AlertEffect } from '../../src/alerts/index.ts';
import type { AlertCandidate } from '../../src/rules/index.ts';

export class MemoryAlerts {
  alerts: Alert[] = [];
  effects: AlertEffect[] = [];
  private next = 1;

  apply(changes: Pick<AlertChanges, 'opened' | 'updated'> & { effects?: AlertEffect[] }): this {
    for (const u of changes.updated) this.alerts = this.alerts.map((a) => (a.id === u.id ? u : a));
    for (const d of changes.opened) this.alerts.push({ id: `a${String(this.next++).padStart(3, '0')}`, ...d });
    this.effects.push(...(changes.effects ?? []));
    return this;
  }

  put(a: Alert): void {
    this.alerts = this.alerts.map((x) => (x.id === a.id ? a : x));
  }

  withKey(key: string): Alert[] {
    return this.alerts.filter((a) => a.dedupeKey === key);
  }

  only(key: string): Alert {
    const found = this.withKey(key);
    if (found.length !== 1) throw new Error(`${found.length} alerts with key ${key}`);
    return found[0]!;
  }
}

export function fakeCandidate(over: Partial<AlertCandidate> = {}): AlertCandidate {
  const subject = over.subject ?? 'bag:epc:01020304';
  const rule = over.rule ?? 'storage-overdue';
  return {
    rule,
    severity: 'warning',
    dedupeKey: `${rule}:${subject}`,
    subject,
    institution: 'hz-h001',
    jurisdiction: '330106-g01',
    bag: 'epc:01020304',
    message: 'm',
    messageKey: 'storage-overdue',
    params: {},
    evidence: [{ device: 'd1', seq: 1, hash: '0'.repeat(64) }],
    sinceMs: 1_000,
    ...over,
  };
}

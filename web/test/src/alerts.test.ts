/** The alert queue's URL filters and the API query made of them (web/src/alerts.ts). */
import { describe, expect, it } from 'vitest';
import { alertFiltersOf, alertQueryOf } from '../../src/alerts.ts';

const url = (q: Record<string, string | string[]>) => ({
  get: (n: string) => (Array.isArray(q[n]) ? (q[n] as string[])[0]! : ((q[n] as string | undefined) ?? '')),
  getAll: (n: string) => (Array.isArray(q[n]) ? (q[n] as string[]) : q[n] === undefined ? [] : [q[n] as string]),
});
const filtersOf = (q: Record<string, string | string[]>) => {
  const u = url(q);
  return alertFiltersOf(u.get, u.getAll);
};

describe('the alert queue in the URL', () => {
  it('defaults to the open and acknowledged alerts, worst first', () => {
    expect(filtersOf({})).toEqual({ view: 'active', sort: 'worst', severity: [], rule: '', institution: '' });
    expect(alertQueryOf(filtersOf({}), { offset: 0, limit: 20 }, 'en')).toEqual({ status: ['open', 'acknowledged'], sort: 'worst', lang: 'en', limit: 20, offset: 0 });
  });

  it('asks for every status for "all", and passes severity, rule, institution and sort', () => {
    const f = filtersOf({ status: 'all', sort: 'newest', severity: ['warning', 'critical'], rule: 'device-silent', institution: 'hz-h001' });
    expect(alertQueryOf(f, { offset: 40, limit: 20 }, 'zh-CN')).toEqual({ severity: ['warning', 'critical'], rule: 'device-silent', institution: 'hz-h001', sort: 'newest', lang: 'zh-CN', limit: 20, offset: 40 });
    expect(alertQueryOf(filtersOf({ status: 'resolved' }), { offset: 0, limit: 20 }, 'en').status).toEqual(['resolved']);
  });

  it('ignores what a hand-edited URL may not say', () => {
    expect(filtersOf({ status: 'closed', sort: 'loudest', severity: ['fatal', 'info', 'info'] })).toMatchObject({ view: 'active', sort: 'worst', severity: ['info'] });
  });
});

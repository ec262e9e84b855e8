// Public disclosure (信息公开, #7 and #9): per institution and month, kg sealed and kg disposed, the share
// handed over within 48 h, confirmed violations and the risk class, as a table, a bar chart and
// downloads; and the inspection draws with their published seeds. Reachable without logging in; only
// the API's public routes are used, and they hold aggregates only: no badge, staff, user or inspector name.
import { api, currentLang, failure, fmtTime, go, h, loadUplot, show, t } from './app.js';
import { classBadge, drawReproduction, picksTable } from './supervision.js';

const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

const fmtKg1 = (kg) => (typeof kg === 'number' ? kg.toLocaleString(currentLang(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }) : '');
const fmtShare = (x) => (x === null || x === undefined ? '–' : `${(x * 100).toLocaleString(currentLang(), { maximumFractionDigits: 1 })} %`);

export async function renderDisclosure(params) {
  const asked = MONTH_RE.test(params.get('month') || '') ? params.get('month') : '';
  const month = h('input', { id: 'disc-month', name: 'month', type: 'month', value: asked, pattern: '\\d{4}-\\d{2}', 'aria-describedby': 'disc-month-hint' });
  const form = h(
    'form',
    {
      class: 'row',
      onsubmit: (ev) => {
        ev.preventDefault();
        const v = month.value.trim();
        go(MONTH_RE.test(v) ? `#/disclosure?month=${v}` : '#/disclosure');
      },
    },
    h('div', {}, h('label', { for: 'disc-month' }, t('disc.month')), month),
    h('button', { type: 'submit' }, t('disc.show')),
    h('p', { id: 'disc-month-hint', class: 'muted grow' }, t('disc.monthHint')),
  );
  const body = h('div', { 'data-disclosure': '' }, h('p', { class: 'muted' }, t('loading')));
  show(h('h1', {}, t('disclosure.title')), h('p', { class: 'muted' }, t('disc.note')), form, body);
  try {
    const [data, draws] = await Promise.all([api(`/public/disclosure${asked ? `?month=${asked}` : ''}`), api('/public/draws')]);
    month.value = data.month;
    const rows = data.institutions;
    const names = new Map(rows.map((r) => [r.institution, r.name]));
    const q = `?month=${encodeURIComponent(data.month)}`;
    const chart = h('figure', { class: 'card chart', role: 'img', 'aria-label': t('disc.chartLabel', { month: data.month }), 'data-chart': '' });
    const sum = (k) => rows.reduce((s, r) => s + (r[k] || 0), 0);
    body.replaceChildren(
      h('h2', {}, t('disc.monthTitle', { month: data.month })),
      h('p', { class: 'muted' }, t('disc.generated', { at: fmtTime(data.generatedAt) })),
      h(
        'div',
        { class: 'actions', role: 'group', 'aria-label': t('disc.downloads') },
        h('a', { class: 'button secondary', href: `/api/v1/public/disclosure${q}`, download: `disclosure-${data.month}.json`, 'data-export': 'json' }, t('disc.json')),
        h('a', { class: 'button secondary', href: `/api/v1/public/disclosure.csv${q}`, download: `disclosure-${data.month}.csv`, 'data-export': 'csv' }, t('disc.csv')),
      ),
      rows.length === 0
        ? h('p', { class: 'muted' }, t('disc.none'))
        : h(
            'div',
            {},
            h(
              'div',
              { class: 'counts' },
              h('div', { class: 'card' }, h('div', { class: 'n', 'data-total': 'sealed' }, fmtKg1(sum('kgSealed'))), `${t('disc.kgSealed')} (${t('unit.kg')})`),
              h('div', { class: 'card' }, h('div', { class: 'n', 'data-total': 'disposed' }, fmtKg1(sum('kgDisposed'))), `${t('disc.kgDisposed')} (${t('unit.kg')})`),
              h('div', { class: 'card' }, h('div', { class: 'n' }, String(sum('confirmedViolations'))), t('disc.violations')),
            ),
            chart,
            h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { 'data-disclosure-table': '' },
                h(
                  'thead',
                  {},
                  h('tr', {}, [t('overview.name'), t('overview.kind'), `${t('disc.kgSealed')} (${t('unit.kg')})`, `${t('disc.kgDisposed')} (${t('unit.kg')})`, t('disc.within48h'), t('disc.violations'), t('sup.class')].map((x) => h('th', { scope: 'col' }, x))),
                ),
                h(
                  'tbody',
                  {},
                  rows.map((r) =>
                    h(
                      'tr',
                      { 'data-institution': r.institution },
                      h('th', { scope: 'row' }, r.name),
                      h('td', {}, t(`kind.${r.kind}`)),
                      h('td', { 'data-kg-sealed': r.kgSealed }, fmtKg1(r.kgSealed)),
                      h('td', { 'data-kg-disposed': r.kgDisposed }, fmtKg1(r.kgDisposed)),
                      h('td', { 'data-share': r.handedOverWithin48hShare ?? '' }, fmtShare(r.handedOverWithin48hShare)),
                      h('td', { 'data-violations': r.confirmedViolations }, String(r.confirmedViolations)),
                      h('td', {}, classBadge(r.riskClass)),
                    ),
                  ),
                ),
              ),
            ),
            h('p', { class: 'muted' }, t('disc.legend')),
          ),
      h('h2', {}, t('disc.drawsTitle')),
      h('p', {}, t('draw.seedExplain')),
      draws.items.length === 0
        ? h('p', { class: 'muted', 'data-public-draws': 'none' }, t('draw.none'))
        : h(
            'div',
            { 'data-public-draws': '' },
            draws.items.map((d) =>
              h(
                'section',
                { class: 'card', 'data-public-draw': d.id, 'data-status': d.status },
                h('h3', {}, t('draw.detailTitle', { id: d.id, period: d.period }), ' ', h('span', { class: 'badge' }, t(`draw.status.${d.status}`))),
                h(
                  'dl',
                  { class: 'facts' },
                  h('dt', {}, t('draw.seed')),
                  h('dd', { class: 'mono', 'data-seed': '' }, d.seed),
                  h('dt', {}, t('draw.frameHash')),
                  h('dd', { class: 'mono' }, d.frameHash),
                  h('dt', {}, t('draw.ratio')),
                  h('dd', {}, String(d.ratio)),
                  h('dt', {}, t('draw.announcedAt')),
                  h('dd', {}, fmtTime(d.announcedAt)),
                  d.drawnAt ? [h('dt', {}, t('draw.drawnAt')), h('dd', {}, fmtTime(d.drawnAt))] : '',
                ),
                picksTable(d, names),
                drawReproduction(d),
              ),
            ),
          ),
    );
    if (rows.length > 0) await drawBars(chart, rows);
  } catch (e) {
    body.replaceChildren(failure(e));
  }
}

/** kg sealed and kg disposed per institution, side by side (uPlot bars, served from this server). */
async function drawBars(el, rows) {
  const uPlot = await loadUplot();
  const xs = rows.map((_, i) => i);
  const top = Math.max(1, ...rows.map((r) => Math.max(r.kgSealed, r.kgDisposed))) * 1.15;
  const width = Math.max(260, Math.min(el.clientWidth - 24, 1000));
  const short = (s) => (s.length > 14 ? `${s.slice(0, 13)}…` : s);
  const bars = uPlot.paths.bars;
  // eslint-disable-next-line no-new
  new uPlot(
    {
      width,
      height: 280,
      legend: { live: false },
      cursor: { show: false },
      scales: { x: { time: false, range: () => [-0.5, rows.length - 0.5] }, y: { range: () => [0, top] } },
      series: [
        { label: t('overview.name') },
        { label: `${t('disc.kgSealed')} (${t('unit.kg')})`, stroke: '#0b5cad', fill: '#0b5cadb0', width: 1, paths: bars({ size: [0.4, 48], align: -1 }), points: { show: false } },
        { label: `${t('disc.kgDisposed')} (${t('unit.kg')})`, stroke: '#1b7a3a', fill: '#1b7a3ab0', width: 1, paths: bars({ size: [0.4, 48], align: 1 }), points: { show: false } },
      ],
      axes: [{ splits: () => xs, values: (_u, splits) => splits.map((i) => (rows[i] ? short(rows[i].name) : '')), size: 40 }, { label: t('unit.kg') }],
    },
    [xs, rows.map((r) => r.kgSealed), rows.map((r) => r.kgDisposed)],
    el,
  );
}

// Supervision (#9) in the web UI: risk classes, the published-seed inspection draw, the inspector pool,
// inspection results (regulators); an institution's credit panel (regulators, and an institution admin for
// its own institution); confirming an alert as a violation. Same rules as app.js: DOM from text nodes only,
// and the API decides who sees what (its refusals are shown as they come).
import {
  api,
  currentLang,
  currentMe,
  facts,
  failure,
  fmtTime,
  go,
  h,
  institutionNames,
  messageBox,
  nameWithId,
  show,
  t,
  TIME_ZONE,
} from './app.js';

// ---- Shared pieces ----

/** The risk class as a coloured badge that also says its letter (never colour alone). */
export function classBadge(riskClass) {
  return h('span', { class: `badge risk risk-${riskClass}`, 'data-risk-class': riskClass, title: t(`risk.${riskClass}`) }, t('risk.badge', { c: riskClass }));
}

let violationTypesLoading = null;

/** The bad-practice points table (GET /supervision/violations), once per page load. */
export function violationTypes() {
  violationTypesLoading ??= api('/supervision/violations')
    .then((r) => r.items)
    .catch((e) => {
      violationTypesLoading = null;
      throw e;
    });
  return violationTypesLoading;
}

const localName = (names) => (names ? (currentLang() === 'en' ? names.en : names.zh) : '');

function violationName(types, code) {
  const v = types && types.find((x) => x.code === code);
  return v ? `${localName(v.name)} (${code})` : code;
}

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const thisMonth = () => today().slice(0, 7);

function table(attrs, headers, rows) {
  return h(
    'div',
    { class: 'table-wrap' },
    h('table', attrs, h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))), h('tbody', {}, rows)),
  );
}

/** A link that downloads this value as a JSON file (a blob made here: nothing is fetched again). */
export function jsonDownload(value, filename, attrs = {}) {
  const url = URL.createObjectURL(new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' }));
  return h('a', { class: 'button secondary', href: url, download: filename, ...attrs }, t('sup.download', { file: filename }));
}

/** A seed as one shell word: bare when it is plain, else in single quotes. */
const shellWord = (s) => (/^[A-Za-z0-9._:+=@%/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** How to repeat a draw: the files and the command line. */
export function drawReproduction(draw) {
  return h(
    'div',
    { class: 'card', 'data-reproduce': '' },
    h('h3', {}, t('draw.repeatTitle')),
    h('p', {}, t('draw.repeatText')),
    h(
      'div',
      { class: 'actions' },
      jsonDownload({ draw }, 'draw.json', { 'data-download': 'draw' }),
      jsonDownload(draw.frame, 'frame.json', { 'data-download': 'frame' }),
      draw.result ? jsonDownload(draw.result, 'result.json', { 'data-download': 'result' }) : '',
    ),
    h('pre', { class: 'mono cli', 'data-cli': '' }, h('code', {}, 'npx wastetrail draw --draw draw.json --verify result.json')),
    h('p', { class: 'muted' }, t('draw.repeatFrame')),
    h('pre', { class: 'mono cli' }, h('code', {}, `npx wastetrail draw --frame frame.json --seed ${shellWord(draw.seed)}`)),
  );
}

/** The picks of a drawn draw, in draw order. `inspectorName` maps an inspector id to a name (regulators only). */
export function picksTable(draw, names, inspectorName = () => '') {
  const classOf = new Map(draw.frame.institutions.map((i) => [i.id, i.riskClass]));
  if (!draw.result) return h('p', { class: 'muted', 'data-picks': 'none' }, t('draw.notRun'));
  return table(
    { 'data-picks': '' },
    [t('draw.order'), t('sup.institution'), t('sup.class'), t('draw.inspectors')],
    draw.result.picks.map((p, i) =>
      h(
        'tr',
        { 'data-pick': p.institution },
        h('td', {}, String(i + 1)),
        h('td', {}, nameWithId(names, p.institution)),
        h('td', {}, classOf.has(p.institution) ? classBadge(classOf.get(p.institution)) : ''),
        h('td', { 'data-pick-inspectors': p.inspectors.join(' ') }, p.inspectors.map((x) => {
          const name = inspectorName(x);
          return h('span', { class: 'badge' }, name ? `${name} (${x})` : x);
        })),
      ),
    ),
  );
}

// ---- Credit panel (institution page) ----

/** The institution's credit (GET /institutions/:id/credit) into `el`. */
export async function creditPanel(id, el) {
  el.replaceChildren(h('h2', {}, t('credit.title')), h('p', { class: 'muted' }, t('loading')));
  try {
    const [credit, types] = await Promise.all([api(`/institutions/${encodeURIComponent(id)}/credit`), violationTypes().catch(() => [])]);
    el.replaceChildren(h('h2', {}, t('credit.title')), creditView(credit, types));
  } catch (e) {
    el.replaceChildren(h('h2', {}, t('credit.title')), failure(e));
  }
}

function creditView(c, types) {
  const me = currentMe();
  const mayTrail = me && me.can.seeBags;
  const violations = c.violations.length === 0
    ? h('p', { class: 'muted', 'data-violations': 'none' }, t('credit.noViolations'))
    : table(
        { 'data-violations': '' },
        [t('credit.confirmedAt'), t('credit.violation'), t('credit.points'), t('credit.source'), t('credit.evidence'), t('credit.note'), t('credit.confirmedBy')],
        c.violations.map((v) =>
          h(
            'tr',
            { 'data-violation-id': v.id },
            h('td', {}, fmtTime(v.confirmedAt)),
            h('td', {}, violationName(types, v.violation)),
            h('td', {}, `+${v.points}`),
            h('td', {}, v.alertId !== null && v.alertId !== undefined ? h('a', { href: `#/alert/${v.alertId}`, 'data-violation-alert': v.alertId }, t('credit.alert', { id: v.alertId })) : v.inspectionId ? t('credit.inspection', { id: v.inspectionId }) : ''),
            h(
              'td',
              {},
              (v.evidence && v.evidence.bags ? v.evidence.bags : []).map((b) => (mayTrail ? h('a', { class: 'mono badge', href: `#/trail?q=${encodeURIComponent(b)}` }, b) : h('span', { class: 'mono badge' }, b))),
              (v.evidence && v.evidence.records ? v.evidence.records : []).map((r) => h('span', { class: 'mono badge' }, `${r.device} #${r.seq}`)),
            ),
            h('td', {}, v.note),
            h('td', {}, v.confirmedBy),
          ),
        ),
      );
  const inspections = c.inspections.length === 0
    ? h('p', { class: 'muted', 'data-inspections': 'none' }, t('credit.noInspections'))
    : inspectionsTable(c.inspections, types, null);
  return h(
    'div',
    { class: 'card', 'data-credit': c.institution, 'data-points': c.points, 'data-class': c.riskClass },
    h('p', { class: 'credit-head' }, classBadge(c.riskClass), ' ', h('span', { 'data-credit-points': '' }, t('credit.pointsValue', { n: c.points })), ' · ', t('credit.scoreValue', { n: fmtNum(c.score) })),
    facts([
      [t('credit.points'), String(c.points)],
      [t('credit.score'), fmtNum(c.score)],
      [t('sup.class'), classBadge(c.riskClass)],
      [t('credit.alertRate'), t('credit.alertRateValue', { alerts: c.alertRate.alerts, bags: c.alertRate.bagsSealed, rate: fmtNum(c.alertRate.per1000Bags) })],
      [t('sup.perYear'), String(c.inspectionsPerYear)],
      [t('credit.window'), t('credit.windowValue', { days: c.windowDays, asOf: fmtTime(c.asOf) })],
      [t('credit.formula'), h('span', { 'data-formula': '' }, localName(c.formula))],
    ]),
    h('h3', {}, t('credit.violations')),
    violations,
    h('h3', {}, t('credit.inspections')),
    inspections,
  );
}

const fmtNum = (n) => (typeof n === 'number' ? n.toLocaleString(currentLang(), { maximumFractionDigits: 2 }) : '');

function inspectionsTable(items, types, names, inspectorName = () => '') {
  return table(
    { 'data-inspections': '' },
    [t('insp.date'), names ? t('sup.institution') : null, t('insp.outcome'), t('insp.findings'), t('draw.inspectors'), t('insp.draw')].filter(Boolean),
    items.map((x) =>
      h(
        'tr',
        { 'data-inspection-id': x.id },
        h('td', {}, x.date),
        names ? h('td', {}, nameWithId(names, x.institution)) : '',
        h('td', {}, h('span', { class: `badge ${x.outcome === 'pass' ? 'verified' : 'failed'}` }, t(`insp.${x.outcome}`))),
        h('td', {}, x.findings.length ? h('ul', { class: 'plain' }, x.findings.map((f) => h('li', {}, `${violationName(types, f.violation)} +${f.points}${f.note ? `: ${f.note}` : ''}`))) : '–'),
        h('td', {}, x.inspectors.map((id) => (inspectorName(id) ? `${inspectorName(id)} (${id})` : id)).join(', ')),
        h('td', {}, x.drawId !== null && x.drawId !== undefined ? (currentMe() && currentMe().user.role === 'regulator' ? h('a', { href: `#/supervision/draws/${x.drawId}` }, `#${x.drawId}`) : `#${x.drawId}`) : '–'),
      ),
    ),
  );
}

// ---- Alerts: confirm as violation ----

const creditCache = new WeakMap();

/** The confirmed violation of an alert, if any: from the alert's own route (detail) or its institution's credit (queue). */
async function violationOf(a, opts) {
  if (opts.detail) return (await api(`/alerts/${a.id}/violation`)).violation;
  const me = currentMe();
  if (!a.institution || !me || (me.user.role !== 'regulator' && me.user.role !== 'institution_admin')) return null;
  let byInst = creditCache.get(opts.listed);
  if (!byInst) creditCache.set(opts.listed, (byInst = new Map()));
  if (!byInst.has(a.institution)) byInst.set(a.institution, api(`/institutions/${encodeURIComponent(a.institution)}/credit`).catch(() => null));
  const credit = await byInst.get(a.institution);
  return credit ? (credit.violations.find((v) => v.alertId === a.id) ?? null) : null;
}

/**
 * Fills an alert card's violation slot: the confirmed violation, or (regulators, alerts about an
 * institution) a "Confirm as violation" button and its form.
 */
export async function alertViolationPart(a, slot, reload, opts) {
  const [v, types] = await Promise.all([violationOf(a, opts), violationTypes().catch(() => null)]);
  if (v) {
    slot.replaceChildren(
      h(
        'div',
        { class: 'message violation', 'data-confirmed-violation': v.violation, role: 'note' },
        h('strong', {}, t('confirm.confirmed')),
        ' ',
        violationName(types, v.violation),
        ` · +${v.points} ${t('credit.pointsUnit')} · `,
        t('confirm.by', { who: v.confirmedBy, when: fmtTime(v.confirmedAt) }),
        v.note ? ` · ${v.note}` : '',
        ' · ',
        h('a', { href: `#/institution/${encodeURIComponent(v.institution)}` }, t('confirm.seeCredit')),
      ),
    );
    return;
  }
  const me = currentMe();
  if (!me || me.user.role !== 'regulator' || !a.institution || !types) return;
  const status = h('div', { 'aria-live': 'polite' });
  const selId = `viol-type-${a.id}`;
  const noteId = `viol-note-${a.id}`;
  const byRule = types.find((x) => x.code === a.rule);
  const select = h('select', { id: selId, name: 'violation' }, types.map((x) => h('option', { value: x.code, selected: byRule ? x.code === byRule.code : undefined }, `${localName(x.name)} (${x.code}) · +${x.points} ${t('credit.pointsUnit')}`)));
  const note = h('textarea', { id: noteId, name: 'note', rows: '3', required: true, maxlength: '2000' });
  const submit = h('button', { type: 'submit' }, t('confirm.submit'));
  const open = h('button', { type: 'button', class: 'secondary', 'data-action': 'confirm', 'aria-expanded': 'false' }, t('confirm.open'));
  const form = h(
    'form',
    {
      hidden: true,
      novalidate: true,
      'data-confirm-form': '',
      onsubmit: async (ev) => {
        ev.preventDefault();
        if (!note.value.trim()) {
          status.replaceChildren(messageBox('error', t('errors.NOTE_REQUIRED_CONFIRM')));
          note.focus();
          return;
        }
        submit.disabled = true;
        try {
          await api(`/alerts/${a.id}/confirm`, { method: 'POST', body: { violation: select.value, note: note.value.trim() } });
          await reload();
        } catch (e) {
          status.replaceChildren(failure(e));
          submit.disabled = false;
        }
      },
    },
    h('h3', {}, t('confirm.title')),
    h('label', { for: selId }, t('confirm.type')),
    select,
    h('label', { for: noteId }, t('confirm.note')),
    note,
    h('div', { class: 'actions' }, submit, h('button', { type: 'button', class: 'secondary', onclick: () => { form.hidden = true; open.hidden = false; open.setAttribute('aria-expanded', 'false'); open.focus(); } }, t('alerts.cancel'))),
    status,
  );
  open.addEventListener('click', () => {
    form.hidden = false;
    open.hidden = true;
    open.setAttribute('aria-expanded', 'true');
    select.focus();
  });
  slot.replaceChildren(h('div', { class: 'actions' }, open), form);
}

// ---- Supervision page (regulators) ----

const TABS = [
  ['', 'sup.tab.classes'],
  ['/draws', 'sup.tab.draws'],
  ['/inspectors', 'sup.tab.inspectors'],
  ['/inspections', 'sup.tab.inspections'],
];

/** #/supervision[/draws[/<id>]|/inspectors|/inspections]. */
export async function renderSupervision(sub) {
  const tab = sub.startsWith('/draws') ? '/draws' : TABS.some(([k]) => k === sub) ? sub : null;
  const subnav = h(
    'nav',
    { class: 'subnav', 'aria-label': t('sup.sections') },
    h('ul', {}, TABS.map(([k, key]) => h('li', {}, h('a', { href: `#/supervision${k}`, 'aria-current': tab === k ? 'page' : undefined }, t(key))))),
  );
  const body = h('div', { 'data-supervision': sub || '/' }, h('p', { class: 'muted' }, t('loading')));
  show(h('h1', {}, t('sup.title')), subnav, body);
  try {
    const drawId = /^\/draws\/(\d+)$/.exec(sub);
    if (drawId) await drawDetail(body, drawId[1]);
    else if (tab === '') await classesView(body);
    else if (tab === '/draws') await drawsView(body);
    else if (tab === '/inspectors') await inspectorsView(body);
    else if (tab === '/inspections') await inspectionsView(body);
    else body.replaceChildren(messageBox('error', t('errors.NOT_FOUND')));
  } catch (e) {
    // Refused: no sections to offer either.
    if (e && e.code === 'FORBIDDEN') subnav.remove();
    body.replaceChildren(failure(e));
  }
}

async function classesView(body) {
  const r = await api('/supervision/classes');
  body.replaceChildren(
    h('h2', {}, t('sup.classesTitle')),
    h('p', { class: 'muted' }, t('sup.classesNote', { asOf: fmtTime(r.asOf) })),
    h('p', { class: 'legend' }, ['A', 'B', 'C', 'D'].map((c) => [classBadge(c), ' ', t(`risk.${c}`), ' '])),
    r.items.length === 0
      ? h('p', { class: 'muted' }, t('overview.none'))
      : table(
          { 'data-classes': '' },
          [t('sup.institution'), t('credit.points'), t('credit.score'), t('sup.class'), t('sup.perYear'), t('sup.lastInspection')],
          r.items.map((x) =>
            h(
              'tr',
              { 'data-class-row': x.institution, 'data-class': x.riskClass },
              h('td', {}, h('a', { href: `#/institution/${encodeURIComponent(x.institution)}` }, x.name || x.institution)),
              h('td', {}, String(x.points)),
              h('td', {}, fmtNum(x.score)),
              h('td', {}, classBadge(x.riskClass)),
              h('td', {}, String(x.inspectionsPerYear)),
              h('td', {}, x.lastInspection ? (x.lastInspection.length > 10 ? fmtTime(x.lastInspection) : x.lastInspection) : t('inst.never')),
            ),
          ),
        ),
  );
}

function randomSeed() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function drawsView(body) {
  const [{ items }, names] = await Promise.all([api('/supervision/draws'), institutionNames()]);
  const status = h('div', { 'aria-live': 'polite' });
  const period = h('input', { id: 'draw-period', name: 'period', value: thisMonth(), required: true, 'aria-describedby': 'draw-period-hint', autocomplete: 'off' });
  const ratio = h('input', { id: 'draw-ratio', name: 'ratio', type: 'number', min: '0.01', max: '1', step: '0.01', value: '0.3', required: true, 'aria-describedby': 'draw-ratio-hint' });
  const per = h('input', { id: 'draw-per', name: 'inspectorsPerInstitution', type: 'number', min: '1', max: '10', step: '1', value: '2', required: true });
  const seed = h('input', { id: 'draw-seed', name: 'seed', required: true, class: 'mono', 'aria-describedby': 'draw-seed-hint', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none' });
  const gen = h('button', { type: 'button', class: 'secondary', 'data-generate-seed': '', onclick: () => { seed.value = randomSeed(); seed.focus(); } }, t('draw.generateSeed'));
  const submit = h('button', { type: 'submit' }, t('draw.announce'));
  const form = h(
    'form',
    {
      class: 'card',
      novalidate: true,
      'data-announce-form': '',
      onsubmit: async (ev) => {
        ev.preventDefault();
        const r = Number(ratio.value);
        const n = Number(per.value);
        if (!period.value.trim() || !seed.value.trim() || !(r > 0 && r <= 1) || !(Number.isInteger(n) && n >= 1)) {
          status.replaceChildren(messageBox('error', t('errors.VALIDATION_FAILED')));
          return;
        }
        submit.disabled = true;
        try {
          const { draw } = await api('/supervision/draws', { method: 'POST', body: { period: period.value.trim(), ratio: r, seed: seed.value.trim(), inspectorsPerInstitution: n } });
          go(`#/supervision/draws/${draw.id}`);
        } catch (e) {
          status.replaceChildren(failure(e));
          submit.disabled = false;
        }
      },
    },
    h('h2', {}, t('draw.announceTitle')),
    h('p', { id: 'draw-seed-hint' }, t('draw.seedExplain')),
    h('label', { for: 'draw-period' }, t('draw.period')),
    period,
    h('p', { id: 'draw-period-hint', class: 'muted' }, t('draw.periodHint')),
    h('label', { for: 'draw-ratio' }, t('draw.ratio')),
    ratio,
    h('p', { id: 'draw-ratio-hint', class: 'muted' }, t('draw.ratioHint')),
    h('label', { for: 'draw-per' }, t('draw.perInstitution')),
    per,
    h('label', { for: 'draw-seed' }, t('draw.seed')),
    h('div', { class: 'row' }, h('div', { class: 'grow' }, seed), gen),
    h('div', { class: 'actions' }, submit),
    status,
  );
  body.replaceChildren(
    h('h2', {}, t('draw.listTitle')),
    items.length === 0
      ? h('p', { class: 'muted', 'data-draws': 'none' }, t('draw.none'))
      : table(
          { 'data-draws': '' },
          [t('draw.id'), t('draw.period'), t('draw.ratio'), t('draw.status'), t('draw.seed'), t('draw.announcedAt'), t('draw.picks')],
          items.map((d) =>
            h(
              'tr',
              { 'data-draw-id': d.id, 'data-status': d.status },
              h('td', {}, h('a', { href: `#/supervision/draws/${d.id}` }, `#${d.id}`)),
              h('td', {}, d.period),
              h('td', {}, String(d.ratio)),
              h('td', {}, t(`draw.status.${d.status}`)),
              h('td', { class: 'mono' }, d.seed),
              h('td', {}, fmtTime(d.announcedAt)),
              h('td', {}, d.result ? d.result.picks.map((p) => nameWithId(names, p.institution)).join(', ') : '–'),
            ),
          ),
        ),
    form,
  );
}

async function drawDetail(body, id) {
  const [{ draw }, names, pool] = await Promise.all([api(`/supervision/draws/${id}`), institutionNames(), api('/supervision/inspectors').then((r) => r.items).catch(() => [])]);
  const inspectorName = (x) => pool.find((p) => p.id === x)?.name ?? '';
  const status = h('div', { 'aria-live': 'polite' });
  const run = draw.status === 'announced'
    ? h(
        'button',
        {
          type: 'button',
          'data-run-draw': '',
          onclick: async () => {
            run.disabled = true;
            try {
              await api(`/supervision/draws/${draw.id}/run`, { method: 'POST', body: {} });
              await drawDetail(body, id);
              body.querySelector('[data-picks]')?.closest('section')?.querySelector('h2')?.focus();
            } catch (e) {
              status.replaceChildren(failure(e));
              run.disabled = false;
            }
          },
        },
        t('draw.run'),
      )
    : '';
  body.replaceChildren(
    h('p', {}, h('a', { href: '#/supervision/draws' }, `← ${t('draw.listTitle')}`)),
    h('h2', {}, t('draw.detailTitle', { id: draw.id, period: draw.period })),
    h(
      'div',
      { class: 'card', 'data-draw': draw.id, 'data-status': draw.status },
      facts([
        [t('draw.status'), h('span', { class: 'badge', 'data-draw-status': draw.status }, t(`draw.status.${draw.status}`))],
        [t('draw.period'), draw.period],
        [t('draw.ratio'), String(draw.ratio)],
        [t('draw.perInstitution'), String(draw.frame.inspectorsPerInstitution)],
        [t('draw.seed'), h('span', { class: 'mono', 'data-seed': '' }, draw.seed)],
        [t('draw.frameHash'), h('span', { class: 'mono', 'data-frame-hash': '' }, draw.frameHash)],
        [t('draw.resultHash'), draw.resultHash ? h('span', { class: 'mono' }, draw.resultHash) : undefined],
        [t('draw.announcedAt'), `${fmtTime(draw.announcedAt)} · ${draw.announcedBy}`],
        [t('draw.drawnAt'), draw.drawnAt ? fmtTime(draw.drawnAt) : undefined],
      ]),
      draw.status === 'announced' ? h('p', { class: 'muted' }, t('draw.announcedNote')) : '',
      h('div', { class: 'actions' }, run),
      status,
    ),
    h('section', {}, h('h2', { tabindex: '-1' }, t('draw.result')), picksTable(draw, names, inspectorName)),
    drawReproduction(draw),
    h('h2', {}, t('draw.frame')),
    h('p', { class: 'muted' }, t('draw.frameNote')),
    table(
      { 'data-frame': '' },
      [t('sup.institution'), t('sup.class'), t('draw.weight')],
      draw.frame.institutions.map((i) => h('tr', {}, h('td', {}, nameWithId(names, i.id)), h('td', {}, classBadge(i.riskClass)), h('td', {}, fmtNum(i.weight)))),
    ),
    h('h3', {}, t('sup.tab.inspectors')),
    table(
      { 'data-frame-inspectors': '' },
      [t('insp.id'), t('insp.name'), t('insp.conflicts')],
      draw.frame.inspectors.map((i) => h('tr', {}, h('td', { class: 'mono' }, i.id), h('td', {}, inspectorName(i.id)), h('td', {}, i.conflicts.map((c) => nameWithId(names, c)).join(', ') || '–'))),
    ),
  );
}

async function inspectorsView(body) {
  const [{ items }, names] = await Promise.all([api('/supervision/inspectors'), institutionNames()]);
  const status = h('div', { 'aria-live': 'polite' });
  const id = h('input', { id: 'insp-id', name: 'id', required: true, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
  const name = h('input', { id: 'insp-name', name: 'name', required: true, autocomplete: 'off' });
  const boxes = [...names.entries()].map(([instId, instName]) => {
    const box = h('input', { type: 'checkbox', name: 'conflicts', value: instId, id: `conf-${instId}` });
    return [box, h('label', { class: 'check', for: `conf-${instId}` }, box, ` ${instName} (${instId})`)];
  });
  const submit = h('button', { type: 'submit' }, t('insp.add'));
  const form = h(
    'form',
    {
      class: 'card',
      novalidate: true,
      'data-inspector-form': '',
      onsubmit: async (ev) => {
        ev.preventDefault();
        if (!id.value.trim() || !name.value.trim()) {
          status.replaceChildren(messageBox('error', t('errors.VALIDATION_FAILED')));
          return;
        }
        submit.disabled = true;
        try {
          await api('/supervision/inspectors', { method: 'POST', body: { id: id.value.trim(), name: name.value.trim(), conflicts: boxes.filter(([b]) => b.checked).map(([b]) => b.value) } });
          await inspectorsView(body);
          body.querySelector('[data-flash]')?.replaceChildren(messageBox('info', t('insp.added', { id: id.value.trim() })));
        } catch (e) {
          status.replaceChildren(failure(e));
          submit.disabled = false;
        }
      },
    },
    h('h2', {}, t('insp.addTitle')),
    h('label', { for: 'insp-id' }, t('insp.id')),
    id,
    h('label', { for: 'insp-name' }, t('insp.name')),
    name,
    h('fieldset', {}, h('legend', {}, t('insp.conflicts')), h('p', { class: 'muted' }, t('insp.conflictsHint')), boxes.map(([, label]) => label)),
    h('div', { class: 'actions' }, submit),
    status,
  );
  body.replaceChildren(
    h('div', { 'aria-live': 'polite', 'data-flash': '' }),
    h('h2', {}, t('insp.poolTitle')),
    items.length === 0
      ? h('p', { class: 'muted', 'data-inspectors': 'none' }, t('insp.none'))
      : table(
          { 'data-inspectors': '' },
          [t('insp.id'), t('insp.name'), t('sup.jurisdiction'), t('insp.conflicts')],
          items.map((x) => h('tr', { 'data-inspector': x.id }, h('td', { class: 'mono' }, x.id), h('td', {}, x.name), h('td', {}, x.jurisdiction), h('td', {}, x.conflicts.map((c) => nameWithId(names, c)).join(', ') || '–'))),
        ),
    form,
  );
}

async function inspectionsView(body) {
  const [names, types, pool, draws, list] = await Promise.all([
    institutionNames(),
    violationTypes(),
    api('/supervision/inspectors').then((r) => r.items),
    api('/supervision/draws').then((r) => r.items),
    api('/supervision/inspections').then((r) => r.items),
  ]);
  const status = h('div', { 'aria-live': 'polite' });
  const inst = h('select', { id: 'rec-inst', name: 'institution', required: true }, h('option', { value: '' }, t('insp.choose')), [...names.entries()].map(([k, v]) => h('option', { value: k }, `${v} (${k})`)));
  const draw = h(
    'select',
    { id: 'rec-draw', name: 'drawId' },
    h('option', { value: '' }, t('insp.noDraw')),
    draws.filter((d) => d.status === 'drawn').map((d) => h('option', { value: String(d.id) }, `#${d.id} · ${d.period}`)),
  );
  // Choosing a draw and an institution it picked ticks the inspectors it drew.
  const pickInspectors = () => {
    const d = draws.find((x) => String(x.id) === draw.value);
    const p = d && d.result ? d.result.picks.find((x) => x.institution === inst.value) : undefined;
    if (p) for (const [box] of inspectorBoxes) box.checked = p.inspectors.includes(box.value);
  };
  inst.addEventListener('change', pickInspectors);
  draw.addEventListener('change', pickInspectors);
  const inspectorBoxes = pool.map((p) => {
    const box = h('input', { type: 'checkbox', name: 'inspectors', value: p.id, id: `rec-insp-${p.id}` });
    return [box, h('label', { class: 'check', for: `rec-insp-${p.id}` }, box, ` ${p.name} (${p.id})`)];
  });
  const date = h('input', { id: 'rec-date', name: 'date', type: 'date', value: today(), required: true });
  const pass = h('input', { type: 'radio', name: 'outcome', value: 'pass', id: 'rec-pass', checked: true });
  const viol = h('input', { type: 'radio', name: 'outcome', value: 'violations', id: 'rec-viol' });
  const findings = h('div', { 'data-findings': '' });
  let findingSeq = 0;
  const addFinding = () => {
    const n = ++findingSeq;
    const sel = h('select', { id: `find-type-${n}`, name: 'finding' }, types.map((x) => h('option', { value: x.code }, `${localName(x.name)} (${x.code}) · +${x.points} ${t('credit.pointsUnit')}`)));
    const note = h('input', { id: `find-note-${n}`, name: 'findingNote', autocomplete: 'off' });
    const row = h(
      'div',
      { class: 'row finding', 'data-finding': '' },
      h('div', { class: 'grow' }, h('label', { for: `find-type-${n}` }, t('insp.finding', { n })), sel),
      h('div', { class: 'grow' }, h('label', { for: `find-note-${n}` }, t('insp.findingNote')), note),
      h('button', { type: 'button', class: 'secondary', onclick: () => { row.remove(); addButton.focus(); } }, t('insp.removeFinding')),
    );
    findings.append(row);
    sel.focus();
  };
  const addButton = h('button', { type: 'button', class: 'secondary', 'data-add-finding': '', onclick: addFinding }, t('insp.addFinding'));
  const findingsBox = h('fieldset', { hidden: true }, h('legend', {}, t('insp.findings')), findings, addButton);
  const syncOutcome = () => {
    findingsBox.hidden = !viol.checked;
    if (viol.checked && findings.children.length === 0) addFinding();
  };
  pass.addEventListener('change', syncOutcome);
  viol.addEventListener('change', syncOutcome);
  const submit = h('button', { type: 'submit' }, t('insp.record'));
  const form = h(
    'form',
    {
      class: 'card',
      novalidate: true,
      'data-inspection-form': '',
      onsubmit: async (ev) => {
        ev.preventDefault();
        const inspectors = inspectorBoxes.filter(([b]) => b.checked).map(([b]) => b.value);
        const outcome = viol.checked ? 'violations' : 'pass';
        const found = outcome === 'violations'
          ? [...findings.querySelectorAll('[data-finding]')].map((r) => ({ violation: r.querySelector('select').value, note: r.querySelector('input').value.trim() }))
          : [];
        if (!inst.value || !date.value || inspectors.length === 0 || (outcome === 'violations' && found.length === 0)) {
          status.replaceChildren(messageBox('error', t('errors.VALIDATION_FAILED')));
          return;
        }
        submit.disabled = true;
        try {
          const body2 = { institution: inst.value, inspectors, date: date.value, outcome, findings: found };
          if (draw.value) body2.drawId = Number(draw.value);
          const { inspection } = await api('/supervision/inspections', { method: 'POST', body: body2 });
          await inspectionsView(body);
          body.querySelector('[data-flash]')?.replaceChildren(messageBox('info', t('insp.recorded', { id: inspection.id, institution: nameWithId(names, inspection.institution) })));
        } catch (e) {
          status.replaceChildren(failure(e));
          submit.disabled = false;
        }
      },
    },
    h('h2', {}, t('insp.recordTitle')),
    h('label', { for: 'rec-inst' }, t('sup.institution')),
    inst,
    h('label', { for: 'rec-draw' }, t('insp.draw')),
    draw,
    h('fieldset', {}, h('legend', {}, t('draw.inspectors')), inspectorBoxes.length ? inspectorBoxes.map(([, l]) => l) : h('p', { class: 'muted' }, t('insp.none'))),
    h('label', { for: 'rec-date' }, t('insp.date')),
    date,
    h('fieldset', {}, h('legend', {}, t('insp.outcome')), h('label', { class: 'check', for: 'rec-pass' }, pass, ` ${t('insp.pass')}`), h('label', { class: 'check', for: 'rec-viol' }, viol, ` ${t('insp.violations')}`)),
    findingsBox,
    h('div', { class: 'actions' }, submit),
    status,
  );
  body.replaceChildren(
    h('div', { 'aria-live': 'polite', 'data-flash': '' }),
    form,
    h('h2', {}, t('insp.listTitle')),
    list.length === 0 ? h('p', { class: 'muted' }, t('insp.noneRecorded')) : inspectionsTable(list, types, names, (id) => pool.find((p) => p.id === id)?.name ?? ''),
  );
}

// Transfer manifests (转移联单, docs/transport/manifest.md): the list with its filters, one manifest with
// its parties, signatures in order, per-bag weights and discrepancies, and the transport crew's phone view
// of today's manifests. The API decides what each role sees (GET /api/v1/manifests...).
import { api, facts, failure, fmtTime, h, institutionNames, nameWithId, serverNow, show, t, TIME_ZONE } from './app.js';

/** The user's institution names, plus the parties each manifest names (a 联单 shows its parties by name). */
function withParties(scoped, manifests) {
  const names = new Map(scoped);
  for (const m of manifests) for (const [id, name] of Object.entries(m.partyNames ?? {})) names.set(id, name);
  return names;
}

const STATUSES = ['signed-by-producer', 'sent', 'received', 'processed', 'refused'];
const PAGE = 50;

const statusBadge = (status) => h('span', { class: `badge mstatus-${status}`, 'data-status': status }, t(`manifest.status.${status}`));
const kg = (grams) => `${(grams / 1000).toLocaleString(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 3 })} kg`;
const discrepant = (m) => m.discrepancies.some((d) => d.severity === 'discrepancy');
const href = (m) => `#/manifest/${encodeURIComponent(m.manifest)}`;

/** A local day (YYYY-MM-DD) on the server's clock, in the time zone the API reads days in. */
function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(serverNow()));
}

/** A discrepancy in words: what is missing, not declared, refused, or how far the weight is off. */
function discrepancyText(d) {
  const stage = t(`manifest.stage.${d.stage}`);
  if (d.kind === 'count') return t('manifest.disc.count', { stage, missing: (d.missing || []).length, undeclared: (d.undeclared || []).length });
  if (d.kind === 'signatory') return t('manifest.disc.signatory', { step: t(`manifest.step.${d.step}`), institution: d.institution, expected: d.expected });
  if (d.kind === 'refusal') return t('manifest.disc.refusal', { n: (d.refused || []).length, weight: kg(d.receivedGrams || d.declaredGrams || 0) });
  return t(d.severity === 'warning' ? 'manifest.disc.weightWarning' : 'manifest.disc.weight', { percent: d.percent, declared: kg(d.declaredGrams), received: kg(d.receivedGrams) });
}

function discrepancyList(m) {
  if (m.discrepancies.length === 0) return h('p', { class: 'muted', 'data-discrepancies': '0' }, t('manifest.noDiscrepancy'));
  return h(
    'ul',
    { 'data-discrepancies': String(m.discrepancies.length) },
    m.discrepancies.map((d) => h('li', { class: d.severity === 'discrepancy' ? 'anomaly' : 'sev-warning', 'data-discrepancy': d.kind }, `${d.severity === 'discrepancy' ? '⚠' : '△'} ${discrepancyText(d)}`)),
  );
}

// ---- The list ----

export async function renderManifestList(params) {
  const status = params.get('status') || '';
  const flag = params.get('discrepant') || '';
  const from = params.get('from') || '';
  const to = params.get('to') || '';
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  const statusSelect = h('select', { id: 'm-status', name: 'status' }, h('option', { value: '' }, t('manifest.all')), STATUSES.map((s) => h('option', { value: s, selected: s === status }, t(`manifest.status.${s}`))));
  const flagSelect = h('select', { id: 'm-discrepant', name: 'discrepant' }, h('option', { value: '' }, t('manifest.all')), h('option', { value: 'true', selected: flag === 'true' }, t('manifest.withDiscrepancy')), h('option', { value: 'false', selected: flag === 'false' }, t('manifest.withoutDiscrepancy')));
  const fromInput = h('input', { id: 'm-from', type: 'date', value: from });
  const toInput = h('input', { id: 'm-to', type: 'date', value: to });
  const query = (o) => {
    const q = new URLSearchParams();
    if (statusSelect.value) q.set('status', statusSelect.value);
    if (flagSelect.value) q.set('discrepant', flagSelect.value);
    if (fromInput.value) q.set('from', fromInput.value);
    if (toInput.value) q.set('to', toInput.value);
    if (o) q.set('offset', String(o));
    return q.toString();
  };
  const form = h(
    'form',
    { class: 'row', 'data-manifest-filters': '', onsubmit: (e) => (e.preventDefault(), (location.hash = `#/manifests?${query(0)}`)) },
    h('div', {}, h('label', { for: 'm-status' }, t('manifest.status')), statusSelect),
    h('div', {}, h('label', { for: 'm-discrepant' }, t('manifest.discrepancies')), flagSelect),
    h('div', {}, h('label', { for: 'm-from' }, t('manifest.from')), fromInput),
    h('div', {}, h('label', { for: 'm-to' }, t('manifest.to')), toInput),
    h('button', { type: 'submit' }, t('manifest.filter')),
  );
  const body = h('div', {}, h('p', { class: 'muted' }, t('loading')));
  show(h('h1', {}, t('manifest.listTitle')), form, body);
  try {
    const q = new URLSearchParams();
    if (status) q.append('status', status);
    if (flag) q.set('discrepant', flag);
    if (from) q.set('from', from);
    // `to` counts whole in the API: the day picked is included.
    if (to) q.set('to', to);
    q.set('limit', String(PAGE));
    q.set('offset', String(offset));
    const [found, scoped] = await Promise.all([api(`/manifests?${q}`), institutionNames()]);
    const names = withParties(scoped, found.manifests);
    if (found.manifests.length === 0) return body.replaceChildren(h('p', { class: 'muted', 'data-manifests': '0' }, t('manifest.none')));
    const pager = h(
      'div',
      { class: 'actions' },
      h('span', { class: 'muted' }, t('manifest.page', { from: offset + 1, to: offset + found.manifests.length, total: found.total })),
      offset > 0 ? h('a', { class: 'button secondary', href: `#/manifests?${query(Math.max(0, offset - PAGE))}` }, t('manifest.prev')) : '',
      offset + found.manifests.length < found.total ? h('a', { class: 'button secondary', 'data-next': '', href: `#/manifests?${query(offset + PAGE)}` }, t('manifest.next')) : '',
    );
    body.replaceChildren(
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { 'data-manifests': String(found.total) },
          h('thead', {}, h('tr', {}, [t('manifest.number'), t('manifest.status'), t('manifest.producer'), t('manifest.transporter'), t('manifest.receiver'), t('manifest.bags'), t('manifest.weight'), t('manifest.discrepancies'), t('manifest.started')].map((x) => h('th', { scope: 'col' }, x)))),
          h(
            'tbody',
            {},
            found.manifests.map((m) =>
              h(
                'tr',
                { 'data-manifest': m.manifest, class: discrepant(m) ? 'anomaly' : undefined },
                h('td', {}, h('a', { class: 'mono', href: href(m) }, m.manifest)),
                h('td', {}, statusBadge(m.status)),
                h('td', {}, nameWithId(names, m.producer)),
                h('td', {}, [nameWithId(names, m.transporter), m.vehicle ? ` · ${m.vehicle}` : '']),
                h('td', {}, nameWithId(names, m.receiver)),
                h('td', {}, t('manifest.bagCounts', { declared: m.declaredBags, accepted: m.acceptedBags, refused: m.refusedBags })),
                h('td', {}, `${kg(m.declaredGrams)} / ${kg(m.acceptedGrams)}`),
                h('td', {}, m.discrepancies.length ? m.discrepancies.map(discrepancyText).join('; ') : '—'),
                h('td', {}, fmtTime(m.signatures[0] && m.signatures[0].time)),
              ),
            ),
          ),
        ),
      ),
      pager,
    );
  } catch (e) {
    body.replaceChildren(failure(e));
  }
}

// ---- One manifest ----

export async function renderManifest(code) {
  const body = h('div', {}, h('p', { class: 'muted' }, t('loading')));
  show(h('h1', {}, t('manifest.title'), ' ', h('span', { class: 'mono' }, code)), body);
  try {
    const [m, scoped] = await Promise.all([api(`/manifests/${encodeURIComponent(code)}`), institutionNames()]);
    const names = withParties(scoped, [m]);
    const signatures = h(
      'ol',
      { class: 'timeline', 'data-signatures': '' },
      m.signatures.map((s, i) =>
        h(
          'li',
          { class: 'card step', 'data-step': s.step },
          h('h3', {}, `${i + 1}. ${t(`manifest.step.${s.step}`)} · ${t(`manifest.party.${s.party}`)}`),
          facts([
            [t('manifest.signedAt'), fmtTime(s.time)],
            [t('manifest.signedBy'), h('span', { class: 'badge' }, s.badge)],
            [t('manifest.place'), nameWithId(names, s.institution)],
            [t('manifest.vehicle'), s.vehicle],
            [t('manifest.version'), s.version !== undefined ? String(s.version) : undefined],
            [t('manifest.record'), h('span', { class: 'mono' }, `${s.record.device} #${s.record.seq} ${s.record.hash.slice(0, 16)}…`)],
          ]),
        ),
      ),
    );
    const bagRows = m.bags.map((b) =>
      h(
        'tr',
        { 'data-bag': b.tag, 'data-outcome': b.outcome || '', class: b.outcome === 'refused' || b.outcome === 'not-received' || b.outcome === 'undeclared' ? 'anomaly' : undefined },
        h('td', {}, h('a', { class: 'mono', href: `#/trail?q=${encodeURIComponent(b.tag)}` }, b.tag)),
        h('td', {}, b.category ? t(`cat.${b.category}`) : '—'),
        h('td', {}, b.declaredGrams === null ? '—' : kg(b.declaredGrams)),
        h('td', {}, b.pickedUp ? '✓' : '—'),
        h('td', {}, b.receivedGrams === null ? '—' : kg(b.receivedGrams)),
        h('td', {}, b.outcome ? t(`manifest.outcome.${b.outcome}`) : '—'),
        h('td', {}, b.refusalReason || ''),
      ),
    );
    body.replaceChildren(
      h(
        'div',
        { class: 'card', 'data-manifest': m.manifest, 'data-status': m.status },
        facts([
          [t('manifest.status'), statusBadge(m.status)],
          [t('manifest.version'), m.version === null ? t('manifest.notIssued') : String(m.version)],
          [t('manifest.producer'), nameWithId(names, m.producer)],
          [t('manifest.transporter'), nameWithId(names, m.transporter)],
          [t('manifest.vehicle'), m.vehicle],
          [t('manifest.receiver'), nameWithId(names, m.receiver)],
          [t('manifest.acceptance'), m.acceptance ? t(`manifest.acceptance.${m.acceptance}`) : undefined],
          [t('manifest.bags'), t('manifest.bagCounts', { declared: m.declaredBags, accepted: m.acceptedBags, refused: m.refusedBags })],
          [t('manifest.weight'), t('manifest.weights', { declared: kg(m.declaredGrams), accepted: kg(m.acceptedGrams), refused: kg(m.refusedGrams) })],
          [t('manifest.missingSteps'), m.missingSteps.length ? m.missingSteps.map((s) => t(`manifest.step.${s}`)).join(', ') : undefined],
        ]),
        h('div', { class: 'actions' }, h('a', { class: 'button secondary', href: `/api/v1/manifests/${encodeURIComponent(m.manifest)}/export.csv`, download: '', 'data-export': 'manifest' }, t('manifest.export'))),
      ),
      h('h2', {}, t('manifest.discrepancies')),
      discrepancyList(m),
      h('h2', {}, t('manifest.signatures')),
      signatures,
      h('h2', {}, t('manifest.bagList')),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { 'data-table': 'manifest-bags' },
          h('thead', {}, h('tr', {}, [t('trail.bag'), t('trail.category'), t('manifest.declared'), t('manifest.pickedUp'), t('manifest.received'), t('manifest.outcome'), t('manifest.reason')].map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', {}, bagRows),
        ),
      ),
      m.versions.length > 1
        ? [h('h2', {}, t('manifest.versions')), h('ul', { 'data-versions': String(m.versions.length) }, m.versions.map((v) => h('li', {}, t('manifest.versionLine', { version: v.version, time: fmtTime(v.time), issuer: v.issuer, bags: v.bags, weight: kg(v.declaredGrams), reason: v.reason || '—' }))))]
        : '',
    );
  } catch (e) {
    body.replaceChildren(failure(e));
  }
}

// ---- The crew's phone view ----

/** Today's manifests of the company's vehicles, and any still open, as cards a phone shows whole. */
export async function renderCrewToday() {
  const body = h('div', {}, h('p', { class: 'muted' }, t('loading')));
  show(h('h1', {}, t('crew.title')), body);
  try {
    const day = today();
    const [todays, open, scoped] = await Promise.all([api(`/manifests?from=${day}&to=${day}&limit=100`), api('/manifests?open=true&limit=100'), institutionNames()]);
    const names = withParties(scoped, [...todays.manifests, ...open.manifests]);
    const seen = new Set();
    const list = [...todays.manifests, ...open.manifests].filter((m) => !seen.has(m.manifest) && seen.add(m.manifest));
    if (list.length === 0) return body.replaceChildren(h('p', { class: 'muted', 'data-crew-manifests': '0' }, t('crew.none', { day })));
    const signedAt = (m, step) => {
      const s = m.signatures.find((x) => x.step === step);
      return s ? fmtTime(s.time) : '—';
    };
    body.replaceChildren(
      h('p', { class: 'muted' }, t('crew.day', { day })),
      h(
        'ul',
        { class: 'cards', 'data-crew-manifests': String(list.length) },
        list.map((m) =>
          h(
            'li',
            { class: `card${discrepant(m) ? ' discrepant' : ''}`, 'data-manifest': m.manifest },
            h('h2', {}, h('a', { class: 'mono', href: href(m) }, m.manifest), ' ', statusBadge(m.status)),
            facts([
              [t('manifest.producer'), nameWithId(names, m.producer)],
              [t('manifest.receiver'), nameWithId(names, m.receiver)],
              [t('manifest.vehicle'), m.vehicle],
              [t('manifest.bags'), t('manifest.bagCounts', { declared: m.declaredBags, accepted: m.acceptedBags, refused: m.refusedBags })],
              [t('manifest.weight'), kg(m.declaredGrams)],
              [t('manifest.step.issued'), signedAt(m, 'issued')],
              [t('manifest.step.picked-up'), signedAt(m, 'picked-up')],
              [t('manifest.step.received'), signedAt(m, 'received')],
            ]),
            m.discrepancies.length ? discrepancyList(m) : '',
          ),
        ),
      ),
    );
  } catch (e) {
    body.replaceChildren(failure(e));
  }
}


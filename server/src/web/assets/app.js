// wastetrail web UI client: plain JavaScript modules, no framework, no build step. It routes on the URL
// fragment, talks to /api/v1 with the session cookie (HttpOnly, set by POST /api/v1/session), and builds
// DOM with text nodes only (no innerHTML with data). What a user may see is the API's decision: the UI
// hides what `GET /me` says is not allowed and shows the API's refusals as messages.
import { MESSAGES } from './i18n.js';
import { renderDisclosure } from './disclosure.js';
import { alertViolationPart, creditPanel, renderSupervision } from './supervision.js';
import { renderCrewToday, renderManifest, renderManifestList } from './manifests.js';
import { renderTransitMap } from './transit-map.js';

const LANG_KEY = 'wt-lang';
const TIME_ZONE = 'Asia/Shanghai';

// ---- Language ----

function initialLang() {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (saved === 'en' || saved === 'zh-CN') return saved;
  } catch {
    // storage disabled: fall back to the browser's language
  }
  const first = (navigator.languages && navigator.languages[0]) || navigator.language || '';
  return first.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

let lang = initialLang();

function setLang(next) {
  lang = next;
  try {
    localStorage.setItem(LANG_KEY, next);
  } catch {
    // not remembered in storage; the cookie below still is
  }
  document.cookie = `wt_lang=${encodeURIComponent(next)}; path=/; max-age=31536000; samesite=strict`;
  document.documentElement.lang = next;
}

/** The UI's current language ('zh-CN' or 'en'), for the other modules. */
function currentLang() {
  return lang;
}

function t(key, params = {}) {
  const text = MESSAGES[lang][key] ?? MESSAGES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] === undefined ? `{${name}}` : String(params[name])));
}

// ---- DOM ----

/** An element: h('a', { href: '#/x', class: 'y' }, 'text', child). Attributes starting with "on" are listeners. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter((p) => p && p[1] !== undefined && p[1] !== null && p[1] !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

const main = () => document.getElementById('main');

function show(...nodes) {
  const m = main();
  m.replaceChildren(...nodes.flat());
}

function messageBox(kind, text) {
  return h('div', { class: `message ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

// ---- Formatting ----

function fmtTime(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: TIME_ZONE }).format(new Date(iso));
}

function fmtWeight(grams) {
  if (grams === undefined || grams === null) return '';
  if (Math.abs(grams) < 1000) return `${grams} g`;
  return `${(grams / 1000).toLocaleString(lang, { maximumFractionDigits: 2 })} kg`;
}

function fmtKg(grams) {
  return (grams / 1000).toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

function fmtDuration(ms) {
  if (ms === undefined || ms === null) return '';
  const min = Math.floor(ms / 60000);
  const d = Math.floor(min / 1440);
  const hr = Math.floor((min % 1440) / 60);
  const m = min % 60;
  const parts = [];
  if (d > 0) parts.push(t('dur.d', { n: d }));
  if (hr > 0 && d < 10) parts.push(t('dur.h', { n: hr }));
  if (d === 0 && (m > 0 || parts.length === 0)) parts.push(t('dur.min', { n: m }));
  return parts.join(lang === 'en' ? ' ' : '');
}

const roleName = (role) => t(`role.${role}`);

// ---- API ----

class ApiFailure extends Error {
  constructor(code, status, message, field) {
    super(message);
    this.code = code;
    this.status = status;
    this.field = field;
  }
}

/** The server's clock minus this browser's, from the Date header of the last API answer (null: none yet). */
let serverOffsetMs = null;
/** The server's clock minus this browser's, from GET /healthz (null: not asked); preferred to the Date header. */
let healthzOffsetMs = null;

/** Now on the server's clock (this browser's clock corrected by /healthz, else the last API answer's Date header). */
function serverNow() {
  return Date.now() + (healthzOffsetMs ?? serverOffsetMs ?? 0);
}

/**
 * Asks the server for its clock (GET /healthz answers its `time` in ms). The Date header is Node's real
 * time, but the alerts are stamped on the server's own clock, which in the demo runs ahead of real time and
 * faster (a day a minute): ask again just before showing an age.
 */
async function syncServerClock() {
  try {
    const sent = Date.now();
    const res = await fetch('/healthz', { credentials: 'same-origin', headers: { accept: 'application/json' } });
    const back = Date.now();
    const time = Date.parse((await res.json()).time);
    if (!Number.isNaN(time)) healthzOffsetMs = Math.abs(time - back) < 1500 ? 0 : time - Math.round((sent + back) / 2);
  } catch {
    // no answer: the Date header's clock stays
  }
}

async function api(path, { method = 'GET', body } = {}) {
  let res;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiFailure('NETWORK', 0, 'network');
  }
  const date = Date.parse(res.headers.get('date') || '');
  // The Date header has whole seconds: keep the browser's own clock when it is within a second and a half.
  if (!Number.isNaN(date)) serverOffsetMs = Math.abs(date - Date.now()) < 1500 ? 0 : date - Date.now();
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const e = data && data.error ? data.error : { code: 'UNKNOWN', message: res.statusText };
    throw new ApiFailure(e.code, res.status, e.message, e.field);
  }
  return data;
}

/** The human message of an API failure, in the current language, with the code for support calls. */
function errorText(e) {
  if (e instanceof ApiFailure) {
    const known = MESSAGES.en[`errors.${e.code}`] !== undefined;
    return known ? t(`errors.${e.code}`) : t('errors.UNKNOWN', { code: e.code });
  }
  return t('errors.UNKNOWN', { code: String(e && e.message ? e.message : e) });
}

function refusal(text) {
  return h('section', { class: 'refusal', role: 'alert', 'data-refusal': '' }, h('h2', {}, t('refusal.title')), h('p', {}, text));
}

/** A failure shown on a page: FORBIDDEN as a refusal, an ended session as a trip to the login page. */
function failure(e) {
  if (e instanceof ApiFailure && e.code === 'UNAUTHENTICATED') {
    me = null;
    go('#/login');
    return messageBox('error', errorText(e));
  }
  if (e instanceof ApiFailure && e.code === 'FORBIDDEN') return refusal(errorText(e));
  return messageBox('error', errorText(e));
}

// ---- Session ----

let me = null;

/** The signed-in user as GET /me gave it, or null (for the other modules). */
function currentMe() {
  return me;
}

async function loadMe() {
  namesCache = null;
  try {
    me = await api('/me');
  } catch (e) {
    if (!(e instanceof ApiFailure) || e.code !== 'UNAUTHENTICATED') throw e;
    me = null;
  }
}

let namesCache = null;

/** Institution id -> name for the institutions in the user's scope (GET /institutions), once per session. */
function institutionNames() {
  if (!me) return Promise.resolve(new Map());
  namesCache ??= api('/institutions')
    .then((r) => new Map(r.institutions.map((i) => [i.id, i.name])))
    .catch(() => new Map());
  return namesCache;
}

/** "Name (id)" when the name is known, else the id. */
function nameWithId(names, id) {
  if (!id) return '';
  const name = names && names.get(id);
  return name ? `${name} (${id})` : id;
}

const mayOverview = () => me !== null;
const mayTransit = () => me !== null && (me.user.role === 'transport' || me.user.role === 'disposal');
const maySupervise = () => me !== null && me.user.role === 'regulator';
const homeOf = () => (me && me.user.role === 'transport' ? '#/transit' : me && me.can.seeBags ? '#/trail' : me && me.user.role === 'public' ? '#/disclosure' : '#/overview');

function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

// ---- Header ----

function renderHeader(route) {
  const top = document.getElementById('top');
  const langButton = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      'data-lang-switch': '',
      lang: lang === 'en' ? 'zh-CN' : 'en',
      'aria-label': t('lang.switchLabel'),
      onclick: () => {
        setLang(lang === 'en' ? 'zh-CN' : 'en');
        render();
      },
    },
    t('lang.switch'),
  );
  const items = [];
  if (me) {
    const link = (hash, key) => h('li', {}, h('a', { href: hash, 'aria-current': route === hash ? 'page' : undefined }, t(key)));
    if (me.can.seeBags) items.push(link('#/trail', 'nav.trail'));
    if (me.can.seeAlerts) items.push(link('#/alerts', 'nav.alerts'));
    if (mayTransit()) items.push(link('#/transit', 'nav.transit'));
    if (me.can.seeBags) items.push(link('#/manifests', 'nav.manifests'));
    if (me.user.role === 'transport') items.push(link('#/crew', 'nav.crew'));
    if (mayOverview()) items.push(link('#/overview', me.user.role === 'public' ? 'nav.publicToday' : 'nav.overview'));
    if (maySupervise()) items.push(link('#/supervision', 'nav.supervision'));
  }
  // The public disclosure page is for everyone, signed in or not.
  items.push(h('li', {}, h('a', { href: '#/disclosure', 'aria-current': route === '#/disclosure' ? 'page' : undefined }, t('nav.disclosure'))));
  if (!me && route !== '#/login') items.push(h('li', {}, h('a', { href: '#/login', 'data-login-link': '' }, t('login.title'))));
  top.replaceChildren(
    h('a', { class: 'brand', href: me ? homeOf() : '#/login' }, t('app.name')),
    route !== '#/login' || me ? h('nav', { 'aria-label': t('nav.main') }, h('ul', {}, items)) : '',
    me ? h('span', { class: 'who' }, `${me.user.username} · ${roleName(me.user.role)}${me.scopeName ? ` · ${me.scopeName}` : ''}`) : '',
    langButton,
    me ? h('button', { type: 'button', class: 'secondary', 'data-logout': '', onclick: logout }, t('logout')) : '',
  );
}

async function logout() {
  try {
    await api('/session', { method: 'DELETE' });
  } catch {
    // the session may have ended already; the login page is right either way
  }
  me = null;
  go('#/login');
}

// ---- Login ----

function renderLogin() {
  const status = h('div', { 'aria-live': 'polite' });
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit' }, t('login.submit'));
  const form = h(
    'form',
    {
      class: 'card login',
      novalidate: true,
      onsubmit: async (ev) => {
        ev.preventDefault();
        if (!user.value.trim() || !pass.value) {
          status.replaceChildren(messageBox('error', t('errors.VALIDATION_FAILED')));
          return;
        }
        submit.disabled = true;
        try {
          await api('/session', { method: 'POST', body: { username: user.value.trim(), password: pass.value } });
          await loadMe();
          go(homeOf());
        } catch (e) {
          status.replaceChildren(messageBox('error', errorText(e)));
          pass.value = '';
          pass.focus();
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h1', {}, t('login.title')),
    h('label', { for: 'username' }, t('login.username')),
    user,
    h('label', { for: 'password' }, t('login.password')),
    pass,
    h('div', { class: 'actions' }, submit),
    status,
    h('p', { class: 'muted' }, t('login.publicNote'), ' ', h('a', { href: '#/disclosure', 'data-disclosure-link': '' }, t('login.publicLink'))),
  );
  show(form);
  user.focus();
}

// ---- Bag trail ----

const TAG_RE = /^(epc:[0-9a-f]{24}|qr:[!-~]{1,200})$/i;

/** What the search box holds, as the API call that finds it: a tag id, a bare EPC, a label, or a manifest. */
async function findTrail(q) {
  if (TAG_RE.test(q)) return { trail: await api(`/bags/${encodeURIComponent(q.toLowerCase().startsWith('epc:') ? q.toLowerCase() : q)}`) };
  if (/^[0-9a-f]{24}$/i.test(q)) return { trail: await api(`/bags/${encodeURIComponent(`epc:${q.toLowerCase()}`)}`) };
  let labelError = null;
  if (/^[!-~]+$/.test(q)) {
    try {
      return { trail: await api(`/labels/${encodeURIComponent(q)}`) };
    } catch (e) {
      if (!(e instanceof ApiFailure) || (e.code !== 'BAG_NOT_FOUND' && e.code !== 'LABEL_INVALID')) throw e;
      labelError = e;
    }
  }
  // Not a bag's tag or label: perhaps a transfer manifest (转移联单) number.
  if (/^[^\s]{1,64}$/.test(q)) {
    const found = await api(`/bags?manifest=${encodeURIComponent(q)}&limit=100`);
    if (found.bags.length === 1) return { trail: await api(`/bags/${encodeURIComponent(found.bags[0].bag)}`) };
    if (found.bags.length > 1) return { manifest: q, bags: found.bags };
  }
  throw labelError ?? new ApiFailure('BAG_NOT_FOUND', 404, 'not found');
}

async function renderTrailPage(params) {
  if (!me.can.seeBags) {
    show(h('h1', {}, t('trail.title')), refusal(t('refusal.role', { role: roleName(me.user.role) })));
    return;
  }
  const q = (params.get('q') || '').trim();
  const input = h('input', { id: 'q', name: 'q', type: 'search', value: q, 'aria-describedby': 'q-hint', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
  const form = h(
    'form',
    {
      role: 'search',
      onsubmit: (ev) => {
        ev.preventDefault();
        const v = input.value.trim();
        if (v) go(`#/trail?q=${encodeURIComponent(v)}`);
      },
    },
    h('label', { for: 'q' }, t('trail.search')),
    h('div', { class: 'row' }, h('div', { class: 'grow' }, input), h('button', { type: 'submit' }, t('trail.searchButton'))),
    h('p', { id: 'q-hint', class: 'muted' }, t('trail.hint')),
  );
  const result = h('div', { id: 'trail-result', 'aria-live': 'polite' });
  show(h('h1', {}, t('trail.title')), form, result);
  if (!q) {
    input.focus();
    await recentBags(result);
    return;
  }
  result.replaceChildren(h('p', { class: 'muted' }, t('loading')));
  try {
    const found = await findTrail(q);
    if (found.trail) result.replaceChildren(trailView(found.trail));
    else result.replaceChildren(manifestList(found.manifest, found.bags));
  } catch (e) {
    result.replaceChildren(failure(e));
  }
}

/** With nothing searched yet: the newest bags in scope, so there is always a tag to follow. */
async function recentBags(result) {
  try {
    const { bags } = await api('/bags?limit=5');
    if (bags.length === 0 || !main().contains(result)) return;
    result.replaceChildren(
      h(
        'section',
        { 'data-recent-bags': '' },
        h('h2', {}, t('trail.recent')),
        h('ul', {}, bags.map((b) => h('li', {}, h('a', { href: `#/trail?q=${encodeURIComponent(b.bag)}`, class: 'mono' }, b.bag), ` · ${b.category ? t(`cat.${b.category}`) : ''} · ${fmtWeight(b.sealedGrams)} · ${stateName(b.state)}`))),
      ),
    );
  } catch {
    // only a convenience: the search box is there
  }
}

function manifestList(manifest, bags) {
  return h(
    'section',
    {},
    h('h2', {}, t('trail.manifestResults', { manifest })),
    h('ul', {}, bags.map((b) => h('li', {}, h('a', { href: `#/trail?q=${encodeURIComponent(b.bag)}`, class: 'mono' }, b.bag), ` · ${b.category ? t(`cat.${b.category}`) : ''} · ${fmtWeight(b.sealedGrams)} · ${stateName(b.state)}`))),
  );
}

const stateName = (s) => (s === 'voided' ? t('state.voided') : t(`step.${s}`));
const recordKey = (r) => `${r.device}#${r.seq}`;

function verificationBadge(rec) {
  if (!rec) return '';
  return rec.verified
    ? h('span', { class: 'badge verified', 'data-verified': 'true' }, `✓ ${t('trail.verified')}`)
    : h('span', { class: 'badge failed', 'data-verified': 'false' }, `✗ ${t('trail.failed')}${rec.error ? ` (${rec.error.code})` : ''}`);
}

/** The checkpoint the bag's bundle proves its records in: tree size, and whether the witness quorum cosigned it. */
function checkpointBadge(log) {
  const c = log.checkpoint;
  if (!c) return h('span', { class: 'badge', 'data-checkpoint': 'none' }, t('trail.checkpointNone'));
  const witnessed = c.quorum === 0 ? t('trail.noQuorum') : t(c.quorumMet ? 'trail.cosignedQuorum' : 'trail.notCosignedQuorum', { n: c.cosignedBy.length, witnesses: c.witnesses, quorum: c.quorum });
  return h(
    'span',
    { class: c.quorum === 0 ? 'badge' : c.quorumMet ? 'badge verified' : 'badge failed', 'data-checkpoint': String(c.size), 'data-quorum-met': String(c.quorumMet), title: c.cosignedBy.join(', ') },
    `${t('trail.checkpointSize', { size: c.size })} · ${witnessed}`,
  );
}

/** A record's leaf index in the log (absent when the server keeps no log). */
function leafBadge(rec) {
  if (!rec || rec.leaf === undefined) return '';
  return h('span', { class: 'badge mono', 'data-leaf': rec.leaf === null ? '' : String(rec.leaf) }, rec.leaf === null ? t('trail.leafNone') : t('trail.leaf', { leaf: rec.leaf }));
}

function trailView(tr) {
  const places = new Map(tr.places.map((p) => [p.id, p]));
  const placeName = (id) => {
    const p = places.get(id);
    return p && p.name ? `${p.name} (${id})` : id;
  };
  const records = new Map(tr.records.map((r) => [recordKey(r), r]));
  const anomaliesOf = new Map();
  for (const a of tr.anomalies) {
    const k = recordKey(a.record);
    anomaliesOf.set(k, [...(anomaliesOf.get(k) || []), a]);
  }
  const stepKeys = new Set(tr.steps.map((s) => recordKey(s.record)));
  const loose = tr.anomalies.filter((a) => !stepKeys.has(recordKey(a.record)));

  const stepItem = (s, i) => {
    const k = recordKey(s.record);
    const rec = records.get(k);
    const anomalies = anomaliesOf.get(k) || [];
    return h(
      'li',
      { class: `card step${anomalies.length ? ' anomalous' : ''}`, 'data-step': s.step },
      h('h3', {}, `${i + 1}. ${t(`step.${s.step}`)}`),
      facts([
        [t('trail.time'), fmtTime(s.time)],
        [t('trail.place'), placeName(s.institution) + (s.site ? ` · ${s.site}` : '')],
        [t('trail.holder'), `${t(`holder.${s.holder.kind}`)} · ${s.holder.id}`],
        [t('trail.weight'), s.grams !== undefined ? fmtWeight(s.grams) : undefined],
        // A disposal batch names its bags without weighing the handover: no dangling comma then.
        [t('trail.handover'), s.handover ? (s.handover.grams === undefined || s.handover.grams === null ? t('trail.handoverBags', { bags: s.handover.bags }) : t('trail.handoverValue', { bags: s.handover.bags, weight: fmtWeight(s.handover.grams) })) : undefined],
        [t('trail.dwell'), s.dwellMs !== undefined ? fmtDuration(s.dwellMs) : undefined],
        [t('trail.badges'), s.badges.length ? s.badges.map((b) => h('span', { class: 'badge' }, b)) : undefined],
        [t('trail.vehicle'), s.vehicle],
        [t('trail.manifest'), s.manifest],
        [t('map.link'), s.step === 'picked-up' && s.vehicle ? h('a', { href: `#/transit-map?bag=${encodeURIComponent(tr.bag)}`, 'data-map-link': '' }, t('map.title')) : undefined],
        [t('trail.method'), s.method ? t(`method.${s.method}`) : undefined],
        [t('trail.batch'), s.batch],
        [t('trail.viaBox'), s.viaBox],
        [t('trail.record'), h('span', { 'data-record': k }, h('span', { class: 'mono' }, `${s.record.device} #${s.record.seq} ${s.record.hash.slice(0, 16)}…`), ' ', verificationBadge(rec), ' ', leafBadge(rec))],
      ]),
      s.amended ? h('p', { class: 'muted' }, t('trail.amended', { device: s.amended.by.device, seq: s.amended.by.seq, reason: s.amended.reason })) : '',
      anomalies.map((a) => h('p', { class: 'anomaly', role: 'note' }, `⚠ ${a.kind}: ${a.message}`)),
    );
  };

  const sealedDay = tr.steps.find((s) => s.step === 'sealed')?.time;
  const day = sealedDay ? new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(sealedDay)) : null;
  const exports = [h('a', { class: 'button secondary', href: `/api/v1/bags/${encodeURIComponent(tr.bag)}/bundle`, download: '', 'data-export': 'bundle' }, t('trail.bundle'))];
  if (me.can.exportRegister && day && tr.institution) {
    exports.push(
      h('a', { class: 'button secondary', href: `/api/v1/register.csv?institution=${encodeURIComponent(tr.institution)}&from=${day}&to=${day}`, download: '', 'data-export': 'register' }, t('trail.register')),
    );
  }
  const browserResult = h('div', { 'aria-live': 'polite', 'data-browser-summary': '' });
  const verifyButton = h(
    'button',
    { type: 'button', class: 'secondary', 'data-verify-browser': '', onclick: () => verifyInBrowser(tr, verifyButton, browserResult) },
    t('trail.verifyBrowser'),
  );
  exports.push(verifyButton);
  const v = tr.verification;
  return h(
    'article',
    { 'data-bag': tr.bag },
    h('h2', {}, `${t('trail.bag')} `, h('span', { class: 'mono' }, tr.bag)),
    h(
      'div',
      { class: 'card' },
      facts([
        [t('trail.tags'), tr.tags.map((x) => h('span', { class: 'badge mono' }, x))],
        [t('trail.state'), stateName(tr.state)],
        [t('trail.category'), tr.category ? t(`cat.${tr.category}`) : undefined],
        [t('trail.institution'), tr.institution ? placeName(tr.institution) : undefined],
        [t('trail.department'), tr.department],
        [t('trail.sealedWeight'), fmtWeight(tr.sealedGrams)],
        [t('trail.box'), tr.box],
        [t('trail.currentDwell'), tr.currentDwellMs !== null ? fmtDuration(tr.currentDwellMs) : undefined],
        [
          t('trail.verification'),
          h('span', { class: v.failed === 0 ? 'badge verified' : 'badge failed', 'data-verification': `${v.verified}/${v.records}` }, t('trail.verifiedCount', { verified: v.verified, records: v.records })),
        ],
        [t('trail.checkpoint'), tr.log ? checkpointBadge(tr.log) : undefined],
      ]),
      h('div', { class: 'actions', role: 'group', 'aria-label': t('trail.export') }, exports),
      browserResult,
    ),
    loose.length ? h('section', {}, h('h3', { class: 'anomaly' }, t('trail.anomalies')), h('ul', {}, loose.map((a) => h('li', { class: 'anomaly' }, `${a.kind}: ${a.message}`)))) : '',
    h('h3', {}, t('trail.steps')),
    h('ol', { class: 'timeline' }, tr.steps.map(stepItem)),
    tr.voided.length
      ? h(
          'section',
          {},
          h('h3', {}, t('trail.voided')),
          h('ul', {}, tr.voided.map((x) => h('li', {}, `${t(`step.${x.step.step}`)} · ${fmtTime(x.step.time)} · `, t('trail.voidedBy', { device: x.by.device, seq: x.by.seq, reason: x.reason })))),
        )
      : '',
  );
}

/**
 * Checks the bag's records again here, without trusting the server's flag: the audit bundle's signed
 * bytes against its keyring (client/verify.js: @noble/curves ed25519, zip215 false), each record's
 * hash against the one the trail shows, and, when the bundle carries log proofs, each record's inclusion
 * proof, the checkpoint's signature and its witness cosignatures (firmware-protocol's log code).
 */
async function verifyInBrowser(tr, button, out) {
  button.disabled = true;
  out.replaceChildren(h('p', { class: 'muted' }, t('loading')));
  try {
    const [bundle, verifier] = await Promise.all([api(`/bags/${encodeURIComponent(tr.bag)}/bundle`), import('/ui/assets/verify.js')]);
    const shown = new Map(tr.records.map((r) => [recordKey(r), r.hash]));
    const results = verifier.verifyBundle(bundle).map((r) => (r.ok && shown.has(recordKey(r)) && shown.get(recordKey(r)) !== r.hash ? { ...r, ok: false, reason: 'HASH_MISMATCH' } : r));
    for (const r of results) {
      const at = document.querySelector(`[data-record="${CSS.escape(recordKey(r))}"]`);
      if (!at) continue;
      at.querySelectorAll('[data-browser-verified], [data-browser-log]').forEach((e) => e.remove());
      at.append(
        ' ',
        r.ok
          ? h('span', { class: 'badge verified', 'data-browser-verified': 'true' }, `✓ ${t('trail.browserVerified')}`)
          : h('span', { class: 'badge failed', 'data-browser-verified': 'false' }, `✗ ${t('trail.browserFailed')} (${r.reason})`),
      );
      if (r.log) at.append(' ', browserLogBadge(r.log));
    }
    const ok = results.filter((r) => r.ok).length;
    const summary = [h('p', { class: ok === results.length ? 'badge verified' : 'badge failed', 'data-browser-count': `${ok}/${results.length}` }, t('trail.browserCount', { ok, n: results.length }))];
    if (bundle.log) {
      const proven = results.filter((r) => r.log && r.log.leaf !== undefined).length;
      const failed = results.some((r) => r.log && r.log.failed);
      summary.push(h('p', { class: failed ? 'badge failed' : 'badge verified', 'data-browser-log-count': `${proven}/${results.length}` }, t('trail.browserLogCount', { ok: proven, n: results.length })));
      for (const c of verifier.verifyBundleCheckpoints(bundle)) {
        const witnessing = c.quorum === 0 ? t('trail.browserNoQuorum') : c.quorumMet ? t('trail.browserWitnessed', { by: c.cosignedBy.join(', '), quorum: c.quorum }) : t('trail.browserUnwitnessed', { reason: c.reason });
        summary.push(
          h('p', { class: c.quorumMet ? 'badge verified' : 'badge failed', 'data-browser-checkpoint': String(c.size), 'data-browser-quorum-met': String(c.quorumMet) }, t('trail.browserCheckpoint', { size: c.size, witnessing })),
        );
      }
    }
    out.replaceChildren(...summary);
  } catch (e) {
    out.replaceChildren(failure(e));
  } finally {
    button.disabled = false;
  }
}

/** What the browser found of one record's log proof: proven at its leaf, not yet in a checkpoint, or failed (with the code). */
function browserLogBadge(log) {
  if (log.pending) return h('span', { class: 'badge', 'data-browser-log': 'pending' }, t('trail.browserLogPending'));
  if (log.failed) return h('span', { class: 'badge failed', 'data-browser-log': 'false' }, `✗ ${t('trail.browserLogFailed')} (${log.failed})`);
  return h('span', { class: 'badge verified', 'data-browser-log': 'true', 'data-browser-leaf': String(log.leaf) }, `✓ ${t('trail.browserLog', { leaf: log.leaf })}`);
}

// ---- Alerts ----

const ALERT_FILTERS = {
  active: ['open', 'acknowledged'],
  open: ['open'],
  acknowledged: ['acknowledged'],
  resolved: ['resolved'],
  all: [],
};

async function renderAlertsPage(params) {
  if (!me.can.seeAlerts) {
    show(h('h1', {}, t('alerts.title')), refusal(t('refusal.role', { role: roleName(me.user.role) })));
    return;
  }
  const filter = ALERT_FILTERS[params.get('status') || ''] ? params.get('status') : 'active';
  const select = h(
    'select',
    { id: 'alert-status', onchange: () => go(`#/alerts?status=${select.value}`) },
    Object.keys(ALERT_FILTERS).map((k) => h('option', { value: k, selected: k === filter }, t(`alerts.${k}`))),
  );
  const flash = h('div', { 'aria-live': 'polite', id: 'alert-flash' });
  const list = h('div', { id: 'alert-list' }, h('p', { class: 'muted' }, t('loading')));
  show(h('h1', {}, t('alerts.title')), h('div', { class: 'row' }, h('div', {}, h('label', { for: 'alert-status' }, t('alerts.status')), select)), flash, list);
  await loadAlerts(filter, list, flash);
}

async function loadAlerts(filter, list, flash) {
  const qs = new URLSearchParams({ lang, limit: '200' });
  for (const s of ALERT_FILTERS[filter]) qs.append('status', s);
  try {
    const [{ alerts }] = await Promise.all([api(`/alerts?${qs}`), syncServerClock()]);
    if (alerts.length === 0) {
      list.replaceChildren(h('p', { class: 'muted' }, t('alerts.none')));
      return;
    }
    // Worst first, then oldest first: what needs doing now is at the top.
    const rank = { critical: 0, warning: 1, info: 2 };
    alerts.sort((a, b) => rank[a.currentSeverity] - rank[b.currentSeverity] || a.openedAt.localeCompare(b.openedAt));
    const names = await institutionNames();
    const reload = () => loadAlerts(filter, list, flash);
    list.replaceChildren(...alerts.map((a) => alertCard(a, reload, flash, names)));
    // Confirmed violations (#9), added to each card once known.
    for (const a of alerts) {
      const slot = list.querySelector(`[data-alert-id="${a.id}"] [data-violation-slot]`);
      if (slot) alertViolationPart(a, slot, reload, { listed: alerts }).catch(() => null);
    }
  } catch (e) {
    list.replaceChildren(failure(e));
  }
}

function alertCard(a, reload, flash, names) {
  const status = h('div', { 'aria-live': 'polite' });
  const act = async (button, path, body, doneKey) => {
    button.disabled = true;
    try {
      await api(`/alerts/${a.id}/${path}?lang=${lang}`, { method: 'POST', body });
      flash.replaceChildren(messageBox('info', t(doneKey, { id: a.id })));
      await reload();
    } catch (e) {
      status.replaceChildren(failure(e));
      button.disabled = false;
    }
  };
  // Only what the API says this user may do to this alert now (a.actions: the rule's permission table
  // and the alert's status); a suspect party gets Explain, never Acknowledge or Resolve.
  const may = new Set(a.actions ?? []);
  const actions = h('div', { class: 'actions' });
  const forms = [];
  if (may.has('acknowledge')) {
    const ack = h('button', { type: 'button', 'data-action': 'acknowledge', onclick: () => act(ack, 'acknowledge', {}, 'alerts.done.acknowledged') }, t('alerts.acknowledge'));
    actions.append(ack);
  }
  // Explain and resolve: a button that opens a form whose note is required.
  const noteAction = (action, keys) => {
    const noteId = `${action}-note-${a.id}`;
    const note = h('textarea', { id: noteId, name: 'note', rows: '3', required: true, maxlength: '2000' });
    const submit = h('button', { type: 'submit' }, t(keys.submit));
    const form = h(
      'form',
      {
        hidden: true,
        novalidate: true,
        [`data-${action}-form`]: '',
        onsubmit: (ev) => {
          ev.preventDefault();
          if (!note.value.trim()) {
            status.replaceChildren(messageBox('error', t('errors.NOTE_REQUIRED')));
            note.focus();
            return;
          }
          act(submit, action, { note: note.value.trim() }, keys.done);
        },
      },
      h('label', { for: noteId }, t(keys.note)),
      note,
      h('div', { class: 'actions' }, submit, h('button', { type: 'button', class: 'secondary', onclick: () => { form.hidden = true; open.hidden = false; open.focus(); } }, t('alerts.cancel'))),
    );
    const open = h('button', { type: 'button', class: 'secondary', 'data-action': action, 'aria-expanded': 'false', onclick: () => { form.hidden = false; open.hidden = true; note.focus(); } }, t(keys.open));
    actions.append(open);
    forms.push(form);
  };
  if (may.has('explain')) noteAction('explain', { open: 'alerts.explain', submit: 'alerts.explainSubmit', note: 'alerts.explainNote', done: 'alerts.done.explained' });
  if (may.has('resolve')) noteAction('resolve', { open: 'alerts.resolve', submit: 'alerts.resolveSubmit', note: 'alerts.note', done: 'alerts.done.resolved' });
  return card(a, actions, forms, status, names);
}

function card(a, actions, forms, status, names) {
  const sev = a.currentSeverity;
  const lvl = Math.min(Math.max(a.escalationLevel, 1), 3);
  return h(
    'article',
    { class: `card alert-card sev-${sev}`, 'data-alert-id': a.id, 'data-status': a.status },
    h('h2', {}, h('span', { class: `badge sev-${sev}` }, t(`sev.${sev}`)), ' ', t(`rule.${a.rule}`) === `rule.${a.rule}` ? a.rule : t(`rule.${a.rule}`), ' ', h('span', { class: 'badge' }, t(`status.${a.status}`))),
    h('p', {}, a.message),
    facts([
      [t('alerts.id'), h('a', { href: `#/alert/${a.id}`, 'data-alert-link': '' }, `#${a.id}`)],
      [t('alerts.institution'), a.institution ? nameWithId(names, a.institution) : undefined],
      [t('alerts.bag'), a.bag ? (me.can.seeBags ? h('a', { href: `#/trail?q=${encodeURIComponent(a.bag)}`, class: 'mono' }, a.bag) : a.bag) : undefined],
      [t('alerts.device'), a.device],
      [t('alerts.manifest'), a.subject.startsWith('manifest:') ? h('a', { href: `#/manifest/${encodeURIComponent(a.subject.slice('manifest:'.length))}`, class: 'mono', 'data-manifest-link': '' }, a.subject.slice('manifest:'.length)) : undefined],
      [t('alerts.age'), h('span', { 'data-age': '', title: t('alerts.ageNote') }, `${fmtDuration(Math.max(0, serverNow() - Date.parse(a.openedAt)))} · ${fmtTime(a.openedAt)}`)],
      [t('alerts.escalation'), h('span', { 'data-escalation': lvl }, t('alerts.level', { level: lvl, who: t(`alerts.level${lvl}`) }))],
      a.acknowledgedBy ? ['', t('alerts.acknowledgedBy', { who: a.acknowledgedBy })] : null,
      a.resolvedBy ? ['', t('alerts.resolvedBy', { who: a.resolvedBy, note: a.note ?? '' })] : null,
      ...(a.explanations ?? []).map((e) => [t('alerts.explanation'), h('span', { 'data-explanation': '' }, t('alerts.explainedBy', { who: e.by, when: fmtTime(e.at), note: e.note }))]),
    ]),
    h('div', { 'data-violation-slot': '' }),
    actions,
    ...forms,
    status,
  );
}

/** One alert (#/alert/<id>): its card with the same actions, its evidence, and its confirmed violation. */
async function renderAlertDetail(id) {
  if (!me.can.seeAlerts) {
    show(h('h1', {}, t('alerts.detailTitle', { id })), refusal(t('refusal.role', { role: roleName(me.user.role) })));
    return;
  }
  const flash = h('div', { 'aria-live': 'polite' });
  const body = h('div', {}, h('p', { class: 'muted' }, t('loading')));
  show(h('h1', {}, t('alerts.detailTitle', { id })), h('p', {}, h('a', { href: '#/alerts' }, `← ${t('alerts.title')}`)), flash, body);
  const load = async () => {
    try {
      const [a, names] = await Promise.all([api(`/alerts/${encodeURIComponent(id)}?lang=${lang}`), institutionNames(), syncServerClock()]);
      const c = alertCard(a, load, flash, names);
      const evidence = a.evidence && a.evidence.length
        ? h('section', {}, h('h2', {}, t('alerts.evidence')), h('ul', { class: 'mono' }, a.evidence.map((e) => h('li', {}, `${e.device} #${e.seq}${e.hash ? ` ${e.hash.slice(0, 16)}…` : ''}`))))
        : '';
      body.replaceChildren(c, evidence);
      const slot = c.querySelector('[data-violation-slot]');
      await alertViolationPart(a, slot, load, { detail: true });
    } catch (e) {
      body.replaceChildren(failure(e));
    }
  };
  await load();
}

// ---- Overview ----

async function renderOverview() {
  const isPublic = me.user.role === 'public';
  const body = h('div', {}, h('p', { class: 'muted' }, t('loading')));
  show(h('h1', {}, isPublic ? t('overview.publicTitle') : t('overview.title')), isPublic ? h('p', { class: 'muted' }, t('overview.publicNote')) : '', body);
  try {
    const { institutions } = await api('/institutions');
    const [details, alerts] = await Promise.all([
      Promise.all(institutions.slice(0, 100).map((i) => api(`/institutions/${encodeURIComponent(i.id)}`).catch(() => null))),
      me.can.seeAlerts ? api('/alerts?status=open&status=acknowledged&limit=500').then((r) => r.alerts) : Promise.resolve(null),
    ]);
    const parts = [];
    if (alerts) {
      const bySev = { critical: 0, warning: 0, info: 0 };
      for (const a of alerts) bySev[a.currentSeverity] += 1;
      parts.push(
        h('h2', {}, t('overview.openAlerts')),
        h('div', { class: 'counts' }, Object.entries(bySev).map(([sev, n]) => h('a', { class: `card sev-${sev}`, href: '#/alerts', 'data-severity-count': sev }, h('div', { class: 'n' }, String(n)), t(`sev.${sev}`)))),
      );
    }
    const alertsOf = (id) => (alerts ? alerts.filter((a) => a.institution === id).length : null);
    const today = details.find((d) => d)?.massBalance.to;
    parts.push(h('h2', {}, t('overview.institutions'), today ? ` · ${t('overview.today', { day: today })}` : ''));
    if (institutions.length === 0) parts.push(h('p', { class: 'muted' }, t('overview.none')));
    else {
      const rows = institutions.slice(0, 100).map((inst, i) => {
        const d = details[i];
        const day = d ? d.massBalance.days.find((x) => x.day === d.massBalance.to) : undefined;
        return h(
          'tr',
          { 'data-institution': inst.id },
          h('td', {}, h('a', { href: `#/institution/${encodeURIComponent(inst.id)}` }, inst.name)),
          h('td', {}, t(`kind.${inst.kind}`)),
          h('td', {}, inst.jurisdictionPath.map((j) => j.name ?? j.id).join(' › ')),
          h('td', {}, d ? `${fmtKg(day ? day.sealedGrams : 0)} ${t('unit.kg')}` : '–'),
          h('td', {}, d ? `${fmtKg(day ? day.receivedGrams : 0)} ${t('unit.kg')}` : '–'),
          alerts ? h('td', {}, String(alertsOf(inst.id))) : '',
        );
      });
      parts.push(
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            {},
            h('thead', {}, h('tr', {}, [t('overview.name'), t('overview.kind'), t('overview.jurisdiction'), t('overview.sealedToday'), t('overview.receivedToday'), alerts ? t('overview.alerts') : null].filter(Boolean).map((x) => h('th', { scope: 'col' }, x)))),
            h('tbody', {}, rows),
          ),
        ),
      );
    }
    body.replaceChildren(...parts);
  } catch (e) {
    body.replaceChildren(failure(e));
  }
}

// ---- Transit (transport companies, disposal centres) ----

/** Picked up and not received within this long is overdue (the missing-in-transit rule's default). */
const TRANSIT_LIMIT_MS = 24 * 3_600_000;

async function renderTransit() {
  const body = h('div', {}, h('p', { class: 'muted' }, t('loading')));
  show(h('h1', {}, t('transit.title')), body);
  try {
    // The API narrows both searches to the bags this company's vehicles carried (or this centre received).
    const [inTransit, recent, names] = await Promise.all([api('/bags?state=picked-up&limit=500'), api('/bags?state=picked-up&state=received&state=disposed&limit=100'), institutionNames(), syncServerClock()]);
    // The server's clock, not this browser's: the demo's runs fast, and times are the server's.
    const now = serverNow();
    const overdue = inTransit.bags.filter((b) => b.pickedUpAt && now - Date.parse(b.pickedUpAt) > TRANSIT_LIMIT_MS);
    const table = (bags, id) =>
      bags.length === 0
        ? h('p', { class: 'muted' }, t('transit.none'))
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { 'data-table': id },
              h('thead', {}, h('tr', {}, [t('trail.bag'), t('trail.institution'), t('trail.vehicle'), t('trail.manifest'), t('transit.pickedUp'), t('trail.weight'), t('trail.state')].map((x) => h('th', { scope: 'col' }, x)))),
              h(
                'tbody',
                {},
                bags.map((b) =>
                  h(
                    'tr',
                    { 'data-bag': b.bag, class: b.pickedUpAt && !b.receivedAt && now - Date.parse(b.pickedUpAt) > TRANSIT_LIMIT_MS ? 'anomaly' : undefined },
                    h('td', {}, h('a', { class: 'mono', href: `#/trail?q=${encodeURIComponent(b.bag)}` }, b.bag)),
                    h('td', {}, nameWithId(names, b.institution)),
                    h('td', {}, b.vehicle ?? ''),
                    h('td', {}, b.manifest ? h('a', { href: `#/transit-map?bag=${encodeURIComponent(b.bag)}`, 'data-map-link': '' }, b.manifest) : ''),
                    h('td', {}, b.pickedUpAt ? `${fmtTime(b.pickedUpAt)} · ${t('inst.ago', { d: fmtDuration(Math.max(0, now - Date.parse(b.pickedUpAt))) })}` : ''),
                    h('td', {}, fmtWeight(b.receivedGrams ?? b.sealedGrams)),
                    h('td', {}, stateName(b.state)),
                  ),
                ),
              ),
            ),
          );
    body.replaceChildren(
      h('div', { class: 'counts' },
        h('div', { class: 'card' }, h('div', { class: 'n', 'data-count': 'in-transit' }, String(inTransit.total)), t('transit.inTransit')),
        h('div', { class: `card${overdue.length ? ' sev-critical' : ''}` }, h('div', { class: 'n', 'data-count': 'overdue' }, String(overdue.length)), t('transit.overdue'))),
      h('h2', {}, t('transit.overdue')),
      table(overdue, 'overdue'),
      h('h2', {}, t('transit.inTransit')),
      table(inTransit.bags, 'in-transit'),
      h('h2', {}, t('transit.recent')),
      table(recent.bags, 'recent'),
    );
  } catch (e) {
    body.replaceChildren(failure(e));
  }
}

// ---- Institution ----

let uplotLoading = null;

/** uPlot, served from this server (node_modules/uplot/dist), loaded on the first chart. */
function loadUplot() {
  if (window.uPlot) return Promise.resolve(window.uPlot);
  uplotLoading ??= new Promise((resolve, reject) => {
    document.head.append(h('link', { rel: 'stylesheet', href: '/ui/assets/uPlot.min.css' }));
    const s = h('script', { src: '/ui/assets/uPlot.iife.min.js' });
    s.addEventListener('load', () => resolve(window.uPlot));
    s.addEventListener('error', () => reject(new Error('uPlot did not load')));
    document.head.append(s);
  });
  return uplotLoading;
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

async function renderInstitution(id, params) {
  const from = DAY_RE.test(params.get('from') || '') ? params.get('from') : '';
  const to = DAY_RE.test(params.get('to') || '') ? params.get('to') : '';
  const fromInput = h('input', { id: 'mb-from', type: 'date', value: from });
  const toInput = h('input', { id: 'mb-to', type: 'date', value: to });
  const period = h(
    'form',
    {
      class: 'row',
      onsubmit: (ev) => {
        ev.preventDefault();
        const qs = new URLSearchParams();
        if (fromInput.value) qs.set('from', fromInput.value);
        if (toInput.value) qs.set('to', toInput.value);
        go(`#/institution/${encodeURIComponent(id)}${qs.size ? `?${qs}` : ''}`);
      },
    },
    h('div', {}, h('label', { for: 'mb-from' }, t('inst.from')), fromInput),
    h('div', {}, h('label', { for: 'mb-to' }, t('inst.to')), toInput),
    h('button', { type: 'submit' }, t('inst.show')),
  );
  const body = h('div', {}, h('p', { class: 'muted' }, t('loading')));
  show(h('h1', { id: 'inst-title' }, id), period, body);
  try {
    const qs = new URLSearchParams();
    if (from) qs.set('from', from);
    if (to) qs.set('to', to);
    const d = await api(`/institutions/${encodeURIComponent(id)}${qs.size ? `?${qs}` : ''}`);
    document.getElementById('inst-title').textContent = d.institution.name;
    const mb = d.massBalance;
    const parts = [
      facts([
        [t('overview.kind'), t(`kind.${d.institution.kind}`)],
        [t('overview.jurisdiction'), d.institution.jurisdictionPath.map((j) => j.name ?? j.id).join(' › ')],
        [t('inst.departments'), d.departments.map((x) => x.name).join('、') || undefined],
      ]),
      h('h2', {}, t('inst.massBalance', { from: mb.from, to: mb.to })),
    ];
    const chart = h('figure', { class: 'card chart', role: 'img', 'aria-label': t('inst.chartLabel'), 'data-chart': '' });
    if (mb.days.length === 0) parts.push(h('p', { class: 'muted' }, t('inst.noData')));
    else parts.push(chart);
    parts.push(
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { 'data-mass-balance': '' },
          h('thead', {}, h('tr', {}, [t('inst.day'), t('inst.bags'), `${t('inst.sealed')} (${t('unit.kg')})`, t('inst.receivedBags'), `${t('inst.received')} (${t('unit.kg')})`].map((x) => h('th', { scope: 'col' }, x)))),
          h(
            'tbody',
            {},
            mb.days.map((x) => h('tr', {}, h('td', {}, x.day), h('td', {}, String(x.bags)), h('td', {}, fmtKg(x.sealedGrams)), h('td', {}, String(x.received)), h('td', {}, fmtKg(x.receivedGrams)))),
            h('tr', {}, h('th', { scope: 'row' }, t('inst.total')), h('td', {}, String(mb.total.bags)), h('td', {}, fmtKg(mb.total.sealedGrams)), h('td', {}, String(mb.total.received)), h('td', {}, fmtKg(mb.total.receivedGrams))),
          ),
        ),
      ),
    );
    const devices = h('section', {});
    const climate = h('section', { 'data-climate': '' });
    const credit = h('section', { 'data-credit-slot': '' });
    parts.push(credit, climate, devices);
    body.replaceChildren(...parts);
    // The credit panel (#9): regulators for their jurisdiction, an institution admin for its own institution.
    const creditLoad = me.user.role === 'regulator' || me.user.role === 'institution_admin' ? creditPanel(id, credit) : Promise.resolve();
    if (mb.days.length > 0) await drawMassBalance(chart, mb);
    await creditLoad;
    // Storage rooms' climate: the hospital owning the room and its regulators (the API decides).
    if (me.user.role === 'regulator' || me.user.role === 'institution_admin') await renderClimate(climate, id);
    if (me.can.seeDevices) await renderDevices(devices, id);
  } catch (e) {
    body.replaceChildren(failure(e));
  }
}

const dayStart = (day) => Date.parse(`${day}T00:00:00+08:00`) / 1000;

async function drawMassBalance(el, mb) {
  const uPlot = await loadUplot();
  const days = mb.days;
  const xs = days.map((d) => dayStart(d.day));
  // The whole period asked for, half a day of margin each side; kg from zero, so a lone day still reads right.
  const xRange = [dayStart(mb.from) - 43200, dayStart(mb.to) + 43200];
  const top = Math.max(1, ...days.map((d) => Math.max(d.sealedGrams, d.receivedGrams) / 1000)) * 1.15;
  const width = Math.max(280, Math.min(el.clientWidth - 24, 1000));
  // eslint-disable-next-line no-new
  new uPlot(
    {
      width,
      height: 260,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), TIME_ZONE),
      scales: { x: { time: true, range: () => xRange }, y: { range: () => [0, top] } },
      series: [
        {},
        { label: `${t('inst.sealed')} (${t('unit.kg')})`, stroke: '#0b5cad', width: 2, points: { show: true } },
        { label: `${t('inst.received')} (${t('unit.kg')})`, stroke: '#b3261e', width: 2, dash: [6, 4], points: { show: true } },
      ],
      axes: [{}, { label: t('unit.kg') }],
    },
    [xs, days.map((d) => d.sealedGrams / 1000), days.map((d) => d.receivedGrams / 1000)],
    el,
  );
}

/** Each storage room's temperature over the last 24 h, against the 20 °C limit, with the outdoor probe's. */
async function renderClimate(section, institution) {
  const [{ rooms }] = await Promise.all([api(`/institutions/${encodeURIComponent(institution)}/rooms`), syncServerClock()]);
  if (rooms.length === 0) return;
  const parts = [h('h2', {}, t('climate.title'))];
  const charts = [];
  for (const r of rooms) {
    const d = await api(`/institutions/${encodeURIComponent(institution)}/rooms/${encodeURIComponent(r.room)}/climate`);
    const last = d.samples.at(-1);
    parts.push(
      h('h3', {}, t('climate.room', { room: r.room })),
      h(
        'p',
        { 'data-climate-last': r.room },
        last
          ? t('climate.last', { temperature: fmtTenths(last.temperature), humidity: fmtTenths(last.humidity), ago: fmtDuration(Math.max(0, serverNow() - Date.parse(last.time))) })
          : t('climate.none', { last: fmtTime(r.lastReadingAt) }),
      ),
    );
    if (d.samples.length > 0) {
      const chart = h('figure', { class: 'card chart', role: 'img', 'aria-label': t('climate.chartLabel', { room: r.room }), 'data-climate-chart': r.room });
      parts.push(chart);
      charts.push([chart, d]);
    }
  }
  section.replaceChildren(...parts);
  for (const [chart, d] of charts) await drawClimate(chart, d);
}

const fmtTenths = (n) => (n / 10).toFixed(1);

async function drawClimate(el, d) {
  const uPlot = await loadUplot();
  const xs = d.samples.map((s) => Date.parse(s.time) / 1000);
  const width = Math.max(280, Math.min(el.clientWidth - 24, 1000));
  // eslint-disable-next-line no-new
  new uPlot(
    {
      width,
      height: 220,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), TIME_ZONE),
      scales: { x: { time: true, range: () => [Date.parse(d.from) / 1000, Date.parse(d.to) / 1000] } },
      series: [
        {},
        { label: t('climate.temperature'), stroke: '#b3261e', width: 2 },
        { label: t('climate.outdoor'), stroke: '#7a5c00', width: 1, dash: [4, 4] },
        { label: t('climate.limit'), stroke: '#555', width: 1, dash: [2, 6], points: { show: false } },
      ],
      axes: [{}, { label: '°C' }],
    },
    [xs, d.samples.map((s) => s.temperature / 10), d.samples.map((s) => (s.outdoor === null ? null : s.outdoor / 10)), d.samples.map(() => 20)],
    el,
  );
}

async function renderDevices(section, institution) {
  const [{ devices }] = await Promise.all([api(`/devices?institution=${encodeURIComponent(institution)}`), syncServerClock()]);
  section.replaceChildren(
    h('h2', {}, t('inst.devices')),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { 'data-devices': '' },
        h('thead', {}, h('tr', {}, [t('inst.device'), t('inst.stations'), t('inst.site'), t('inst.deviceState'), t('inst.lastContact')].map((x) => h('th', { scope: 'col' }, x)))),
        h(
          'tbody',
          {},
          devices.map((d) => {
            const seen = d.status && d.status.lastSeenAt;
            return h(
              'tr',
              {},
              h('td', { class: 'mono' }, d.id),
              h('td', {}, d.stations.join(', ')),
              h('td', {}, d.site ?? ''),
              h('td', {}, (d.status && d.status.state) || ''),
              h('td', {}, seen ? `${t('inst.ago', { d: fmtDuration(Math.max(0, serverNow() - Date.parse(seen))) })} · ${fmtTime(seen)}` : t('inst.never')),
            );
          }),
        ),
      ),
    ),
  );
}

// ---- Router ----

let renderSeq = 0;
/** Whether GET /me was asked already for a visitor of the public disclosure page. */
let visitorChecked = false;

async function render() {
  const seq = ++renderSeq;
  document.documentElement.lang = lang;
  const hash = location.hash || '#/';
  const [path, query = ''] = hash.slice(1).split('?');
  const params = new URLSearchParams(query);
  // The public disclosure page needs no login; the others do.
  if (path === '/disclosure') {
    // Signed in or not: asked once per page load (GET /me answers 401 to a visitor).
    if (me === null && !visitorChecked) {
      await loadMe().catch(() => null);
      visitorChecked = true;
    }
    if (seq !== renderSeq) return;
    renderHeader('#/disclosure');
    document.title = `${t('disclosure.title')} · ${t('app.name')}`;
    return renderDisclosure(params);
  }
  if (me === null && path !== '/login') {
    await loadMe().catch(() => null);
    if (seq !== renderSeq) return;
    if (me === null) {
      go('#/login');
      return;
    }
  }
  const route = `#${path}`;
  renderHeader(route);
  document.title = `${t('app.name')}`;
  if (path === '/login') {
    if (me) go(homeOf());
    else renderLogin();
    return;
  }
  if (path === '/' || path === '') return go(homeOf());
  if (path === '/trail') return renderTrailPage(params);
  if (path === '/alerts') return renderAlertsPage(params);
  if (path === '/overview') return renderOverview();
  if (path === '/transit') return renderTransit();
  if (path === '/manifests') return renderManifestList(params);
  if (path === '/crew') return renderCrewToday();
  const manifestMatch = /^\/manifest\/(.+)$/.exec(path);
  if (manifestMatch) return renderManifest(decodeURIComponent(manifestMatch[1]));
  if (path === '/transit-map') return renderTransitMap(params);
  if (path === '/supervision' || path.startsWith('/supervision/')) return renderSupervision(path.slice('/supervision'.length), params);
  const alertMatch = /^\/alert\/(\d+)$/.exec(path);
  if (alertMatch) return renderAlertDetail(alertMatch[1]);
  const inst = /^\/institution\/(.+)$/.exec(path);
  if (inst) return renderInstitution(decodeURIComponent(inst[1]), params);
  show(messageBox('error', t('errors.NOT_FOUND')));
}

window.addEventListener('hashchange', () => {
  // A new page: move focus to its content (for keyboard and screen-reader users), unless the page
  // already put it somewhere useful (the login form's first field, a search box).
  render().then(() => {
    if (!main().contains(document.activeElement)) main().focus({ preventScroll: true });
  });
});
render();

export {
  api,
  ApiFailure,
  currentLang,
  currentMe,
  errorText,
  facts,
  failure,
  fmtDuration,
  fmtKg,
  fmtTime,
  go,
  h,
  institutionNames,
  loadUplot,
  messageBox,
  nameWithId,
  refusal,
  roleName,
  serverNow,
  show,
  t,
  TIME_ZONE,
};

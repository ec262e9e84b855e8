/**
 * The kiosk page, rendered on the agent in the operator's language: one render function for the first
 * page load and for every live update (the page swaps the fragments the server sends), so there is no
 * second copy of the display logic in browser code. Everything is inline: no CDN, no framework.
 */
import { DISPOSAL_METHODS, WASTE_CATEGORIES, type StationRole } from '@wastetrail/firmware-protocol';
import type { UplinkStatus } from '../uplink/uplink.ts';
import { renderMessage, term, UI_TEXT, type Language } from '../station/messages.ts';
import type { BadgeTap, Details, Notice, Prompt, StationMode, Step } from '../station/workflow.ts';

export interface RecordSummary {
  seq: number;
  type: string;
  time: string;
  grams?: number;
  count?: number;
  category?: string;
}

export interface KioskSnapshot {
  device: { id: string; institution: string; site?: string; role: StationRole };
  station: {
    mode: StationMode;
    modes: readonly StationMode[];
    step: Step;
    prompt: Prompt;
    notice?: Notice;
    bags: string[];
    category?: string;
    badges: BadgeTap[];
    /** Pack and unpack: the turnover box. */
    box?: string;
    /** A correction waiting for its authorising badge. */
    correcting?: { seq: number; action: 'void' | 'amend' };
    details: Details;
    detailFields: readonly string[];
  };
  scale: { grams?: number; stable: boolean; state: string; connected: boolean };
  reader: { connected: boolean };
  uplink: UplinkStatus;
  lastRecords: RecordSummary[];
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const t = (key: string, lang: Language) => UI_TEXT[key]?.[lang] ?? key;

function formatKg(grams: number): string {
  return (grams / 1000).toFixed(3);
}

/** The part that changes all the time: prompt, notice, weight, transaction, uplink, last records. */
export function renderLive(s: KioskSnapshot, lang: Language): string {
  const st = s.station;
  const notice = st.notice
    ? `<div class="notice ${st.notice.level}" data-code="${st.notice.code}">${escapeHtml(renderMessage(st.notice.code, st.notice.params, lang))}</div>`
    : '';
  const w = s.scale;
  const weight =
    w.grams === undefined
      ? `<span class="grams none">${escapeHtml(t('noReading', lang))}</span>`
      : `<span class="grams">${formatKg(w.grams)} kg</span> <span class="stability ${w.stable ? 'stable' : 'moving'}">${escapeHtml(t(w.stable ? 'stable' : 'unstable', lang))}</span>`;
  const bags = st.bags.length ? `<ul class="bags">${st.bags.map((b) => `<li>${escapeHtml(b)}</li>`).join('')}</ul>` : '';
  const badges = st.badges.length
    ? `<p>${escapeHtml(t('badges', lang))}: ${st.badges.map((b) => `${escapeHtml(term(b.slot, lang))} ${escapeHtml(b.name ?? b.badgeId)}`).join(', ')}</p>`
    : '';
  const category = st.category ? `<p>${escapeHtml(t('category', lang))}: ${escapeHtml(term(st.category, lang))}</p>` : '';
  const box = st.box ? `<p class="box">${escapeHtml(t('box', lang))}: <span class="mono">${escapeHtml(st.box)}</span></p>` : '';
  const u = s.uplink;
  const conn = u.state === 'connected' ? 'connected' : u.state === 'connecting' ? 'connecting' : 'offline';
  const records = s.lastRecords.length
    ? `<ol class="records">${s.lastRecords
        .map((r) => {
          const what = [term(r.type, lang), r.category ? term(r.category, lang) : '', r.count !== undefined && r.type !== 'sealed' ? `×${r.count}` : '', r.grams !== undefined ? `${formatKg(r.grams)} kg` : '']
            .filter(Boolean)
            .join(' ');
          return `<li><span class="seq">#${r.seq}</span> ${escapeHtml(what)} <time>${escapeHtml(r.time.slice(11, 19))}</time></li>`;
        })
        .join('')}</ol>`
    : `<p class="muted">${escapeHtml(t('none', lang))}</p>`;
  return `
<section class="step" data-step="${st.step}">
  <h2>${escapeHtml(t('nextStep', lang))}</h2>
  <p class="prompt" data-code="${st.prompt.code}">${escapeHtml(renderMessage(st.prompt.code, st.prompt.params, lang))}</p>
  ${notice}
  ${box}${category}${bags}${badges}
</section>
<section class="weight"><h2>${escapeHtml(t('weight', lang))}</h2><p>${weight}</p></section>
<section class="uplink">
  <p>${escapeHtml(t('connection', lang))}: <strong class="conn ${conn}">${escapeHtml(t(conn, lang))}</strong></p>
  <p>${escapeHtml(t('backlog', lang))}: <strong class="backlog">${u.backlog}</strong></p>
  <p>${escapeHtml(t('lastAck', lang))}: #${u.ackedSeq}</p>
  <p>${escapeHtml(t('scaleDevice', lang))}: ${escapeHtml(t(s.scale.connected ? 'online' : 'disconnected', lang))} · ${escapeHtml(t('readerDevice', lang))}: ${escapeHtml(t(s.reader.connected ? 'online' : 'disconnected', lang))}</p>
</section>
<section class="last"><h2>${escapeHtml(t('lastRecords', lang))}</h2>${records}</section>`;
}

/** Buttons and fields for the operator; re-sent only when they change, so typing is not interrupted. */
export function renderControls(s: KioskSnapshot, lang: Language): string {
  const st = s.station;
  const parts: string[] = [];
  if (st.modes.length > 1) {
    parts.push(
      `<div class="modes">${escapeHtml(t('mode', lang))}: ${st.modes
        .map((m) => `<button data-command="mode" data-value="${m}"${m === st.mode ? ' class="active"' : ''}>${escapeHtml(term(m, lang))}</button>`)
        .join('')}</div>`,
    );
  }
  if (st.mode === 'seal') {
    parts.push(
      `<div class="categories">${WASTE_CATEGORIES.map((c) => `<button data-command="category" data-value="${c}"${st.category === c ? ' class="active"' : ''}>${escapeHtml(term(c, lang))}</button>`).join('')}</div>`,
    );
  }
  for (const field of st.detailFields) {
    const value = st.details[field as keyof Details];
    if (field === 'method') {
      parts.push(
        `<div class="detail">${escapeHtml(term('method', lang))}: ${DISPOSAL_METHODS.map((m) => `<button data-command="detail" data-field="method" data-value="${m}"${value === m ? ' class="active"' : ''}>${escapeHtml(term(m, lang))}</button>`).join('')}</div>`,
      );
    } else {
      parts.push(
        `<form class="detail" data-field="${field}"><label>${escapeHtml(term(field, lang))} <input name="value" value="${escapeHtml(value ?? '')}" maxlength="64" autocomplete="off"></label><button type="submit">${escapeHtml(t('set', lang))}</button></form>`,
      );
    }
  }
  const actions = [`<button data-command="cancel" class="cancel">${escapeHtml(t('cancel', lang))}</button>`];
  if (st.mode !== 'seal') actions.unshift(`<button data-command="confirm">${escapeHtml(t('confirm', lang))}</button>`);
  parts.push(`<div class="actions">${actions.join('')}</div>`);
  parts.push(renderCorrectionForm(s, lang));
  return parts.join('\n');
}

/**
 * Correcting one of the station's last records: void it, or amend its weight (or a sealing's category),
 * with a reason; the station then asks for an authorising badge. The record list is the kiosk's own.
 */
function renderCorrectionForm(s: KioskSnapshot, lang: Language): string {
  const records = s.lastRecords.filter((r) => r.type !== 'correction');
  if (records.length === 0) return '';
  const option = (value: string, label: string) => `<option value="${escapeHtml(value)}">${escapeHtml(label)}</option>`;
  return `<details class="correct"><summary>${escapeHtml(t('correct', lang))}</summary>
<form data-form="correct">
<label>${escapeHtml(t('correctRecord', lang))} <select name="seq">${records.map((r) => option(String(r.seq), `#${r.seq} ${term(r.type, lang)} ${r.time.slice(11, 19)}`)).join('')}</select></label>
<label>${escapeHtml(t('correctAction', lang))} <select name="action">${option('void', term('void', lang))}${option('amend', term('amend', lang))}</select></label>
<label>${escapeHtml(t('correctKg', lang))} <input name="kg" inputmode="decimal" maxlength="10" autocomplete="off"></label>
<label>${escapeHtml(t('correctCategory', lang))} <select name="category">${option('', t('unchanged', lang))}${WASTE_CATEGORIES.map((c) => option(c, term(c, lang))).join('')}</select></label>
<label>${escapeHtml(t('correctReason', lang))} <input name="reason" maxlength="500" required autocomplete="off"></label>
<button type="submit">${escapeHtml(t('correctSubmit', lang))}</button>
</form></details>`;
}

const CSS = `
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;background:#f4f6f4;color:#1d2a1d}
header{display:flex;justify-content:space-between;align-items:center;background:#1f5f3a;color:#fff;padding:.6rem 1rem}
header h1{font-size:1.3rem;margin:0}header .lang button{font-size:1rem;margin-left:.3rem}
main{display:grid;grid-template-columns:2fr 1fr;gap:1rem;padding:1rem}
section{background:#fff;border-radius:.5rem;padding:.8rem 1rem;margin-bottom:1rem;box-shadow:0 1px 3px #0002}
h2{font-size:1rem;margin:.2rem 0;color:#556}.prompt{font-size:2rem;font-weight:600;margin:.4rem 0}
.notice{font-size:1.3rem;padding:.5rem;border-radius:.4rem;margin:.4rem 0}.notice.refusal{background:#fde2e1;color:#8a1111}
.notice.success{background:#dff5e3;color:#11532a}.notice.info{background:#e6eefb}
.grams{font-size:3rem;font-weight:700}.stability.stable{color:#11532a}.stability.moving{color:#a05a00}
.conn.connected{color:#11532a}.conn.offline{color:#8a1111}.conn.connecting{color:#a05a00}.backlog{font-size:1.4rem}
button{font-size:1.2rem;padding:.6rem 1rem;margin:.2rem;border-radius:.4rem;border:1px solid #888;background:#fff}
button.active{background:#1f5f3a;color:#fff}button.cancel{background:#fde2e1}input{font-size:1.2rem;padding:.4rem}
.records{padding-left:1.2rem}.correct form{display:grid;gap:.4rem}.mono{font-family:monospace}.seq{color:#667}.muted{color:#889}
`;

const SCRIPT = `
(function(){
  var lang=document.documentElement.lang;
  var saved=null;try{saved=localStorage.getItem('wt_lang')}catch(e){}
  if(saved&&saved!==lang&&!/[?&]lang=/.test(location.search)){location.search='?lang='+encodeURIComponent(saved);return}
  document.querySelectorAll('[data-lang]').forEach(function(b){b.addEventListener('click',function(){
    try{localStorage.setItem('wt_lang',b.dataset.lang)}catch(e){}location.search='?lang='+encodeURIComponent(b.dataset.lang)})});
  var live=document.getElementById('live'),controls=document.getElementById('controls'),last='';
  function send(cmd){fetch('/api/command',{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify(cmd)})}
  controls.addEventListener('click',function(e){var b=e.target.closest('button[data-command]');if(!b)return;
    var c={type:b.dataset.command};if(b.dataset.field)c.field=b.dataset.field;if(b.dataset.value)c[b.dataset.command==='detail'?'value':b.dataset.command]=b.dataset.value;send(c)});
  controls.addEventListener('submit',function(e){e.preventDefault();var f=e.target;
    if(f.dataset.form==='correct'){send({type:'correct',seq:Number(f.elements.seq.value),action:f.elements.action.value,kg:f.elements.kg.value,category:f.elements.category.value,reason:f.elements.reason.value});return}
    send({type:'detail',field:f.dataset.field,value:f.elements.value.value})});
  function apply(d){live.innerHTML=d.live;if(d.controls!==last&&!controls.contains(document.activeElement)){controls.innerHTML=d.controls;last=d.controls}}
  last=controls.innerHTML;
  if(window.EventSource){var es=new EventSource('/events?lang='+encodeURIComponent(lang));es.onmessage=function(m){apply(JSON.parse(m.data))}}
  else setInterval(function(){fetch('/fragments?lang='+encodeURIComponent(lang)).then(function(r){return r.json()}).then(apply)},1000);
})();`;

export function renderPage(s: KioskSnapshot, lang: Language): string {
  const site = [s.device.institution, s.device.site].filter(Boolean).join(' · ');
  return `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(t('title', lang))} · ${escapeHtml(s.device.id)}</title>
<style>${CSS}</style></head>
<body>
<header><h1>${escapeHtml(t('title', lang))}</h1><span>${escapeHtml(t('device', lang))} ${escapeHtml(s.device.id)} · ${escapeHtml(site)} · ${escapeHtml(term(s.station.mode, lang))}</span>
<span class="lang"><button data-lang="zh-CN">中文</button><button data-lang="en">English</button></span></header>
<main><div id="live">${renderLive(s, lang)}</div><div id="controls">${renderControls(s, lang)}</div></main>
<script>${SCRIPT}</script>
</body></html>`;
}

// The transit map (#/transit-map?bag=<tag> or ?manifest=<code>): the vehicle's track on the leg that
// carried a bag, drawn as SVG over the city's districts and roads (city-map.geojson, shipped with the
// server: no tile server, so it works on a closed network), with the registered route, the geofences,
// the stops, the cargo door events and the positions of transport alerts; then the same events as a
// table, for reading and for screen readers. Same rules as app.js: DOM from text nodes only, and the API
// decides who sees what.
import { api, failure, fmtTime, h, messageBox, show, t } from './app.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 900;
const HEIGHT = 620;
const PAD = 24;

/** An SVG element, as h() makes HTML ones. */
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== '') el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

let baseMap = null;
/** The districts and roads; a missing file leaves the map without them, never without the track. */
async function loadBaseMap() {
  baseMap ??= fetch('/ui/assets/city-map.geojson', { credentials: 'same-origin' })
    .then((r) => (r.ok ? r.json() : { features: [] }))
    .catch(() => ({ features: [] }));
  return baseMap;
}

/**
 * Longitude and latitude onto the picture: an equirectangular projection scaled by cos(latitude), which
 * over a city is exact enough to read distances by eye.
 */
function projection(points) {
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  const [w, e, so, n] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const k = Math.cos((((so + n) / 2) * Math.PI) / 180);
  const spanX = Math.max((e - w) * k, 1e-6);
  const spanY = Math.max(n - so, 1e-6);
  const scale = Math.min((WIDTH - 2 * PAD) / spanX, (HEIGHT - 2 * PAD) / spanY);
  // Centred: the spare room goes to both sides.
  const dx = (WIDTH - spanX * scale) / 2;
  const dy = (HEIGHT - spanY * scale) / 2;
  return ([lon, lat]) => [dx + (lon - w) * k * scale, HEIGHT - dy - (lat - so) * scale];
}

const pathOf = (project, coords) => coords.map((c, i) => `${i ? 'L' : 'M'}${project(c).map((x) => x.toFixed(1)).join(',')}`).join(' ');

function ruleName(rule) {
  const name = t(`rule.${rule}`);
  return name === `rule.${rule}` ? rule : name;
}

function drawMap(view, base) {
  const track = view.points.map((p) => [p.lon, p.lat]);
  const marks = [...view.doors.filter((d) => d.lat !== undefined).map((d) => [d.lon, d.lat]), ...view.alerts.map((a) => [a.lon, a.lat])];
  // The picture frames the track and what happened on it; the city around shows where that is.
  const framed = [...track, ...marks];
  const frame = framed.length ? framed : [...view.route, ...base.features.filter((f) => f.properties.kind === 'district').flatMap((f) => f.geometry.coordinates[0])];
  // At least a kilometre or so around what is framed, so the roads around show.
  const margin = 0.008;
  const project = projection(frame.length ? [...frame, ...frame.map(([x, y]) => [x + margin, y + margin]), ...frame.map(([x, y]) => [x - margin, y - margin])] : [[120, 30], [120.1, 30.1]]);
  const layers = [];
  for (const f of base.features) {
    if (f.properties.kind === 'district') layers.push(s('path', { d: `${pathOf(project, f.geometry.coordinates[0])} Z`, class: 'map-district' }, s('title', {}, f.properties.name)));
  }
  for (const f of base.features) {
    if (f.properties.kind === 'road') layers.push(s('path', { d: pathOf(project, f.geometry.coordinates), class: 'map-road' }, s('title', {}, f.properties.name)));
  }
  for (const g of view.geofences) layers.push(s('path', { d: `${pathOf(project, g.ring)} Z`, class: `map-fence map-fence-${g.kind}`, 'data-geofence': g.id }, s('title', {}, `${t(`map.fence.${g.kind}`)} ${g.id}`)));
  if (view.route.length > 1) layers.push(s('path', { d: pathOf(project, view.route), class: 'map-route', 'data-route': '' }));
  if (track.length > 1) layers.push(s('path', { d: pathOf(project, track), class: 'map-track', 'data-track': '' }));
  for (const st of view.stops) {
    const [x, y] = project([st.lon, st.lat]);
    layers.push(s('circle', { cx: x, cy: y, r: 7, class: st.geofence ? 'map-stop fenced' : 'map-stop', 'data-stop': st.from }, s('title', {}, `${t('map.stop')} ${st.minutes} min · ${fmtTime(st.from)}`)));
  }
  for (const d of view.doors) {
    if (d.lat === undefined) continue;
    const [x, y] = project([d.lon, d.lat]);
    layers.push(s('rect', { x: x - 5, y: y - 5, width: 10, height: 10, class: `map-door ${d.action}${d.geofence ? ' fenced' : ''}`, 'data-door': d.action }, s('title', {}, `${t(`map.door.${d.action}`)} · ${fmtTime(d.at)}`)));
  }
  for (const a of view.alerts) {
    const [x, y] = project([a.lon, a.lat]);
    layers.push(s('path', { d: `M${x},${y - 11} L${x + 10},${y + 7} L${x - 10},${y + 7} Z`, class: `map-alert sev-${a.severity}`, 'data-alert': a.rule }, s('title', {}, `${ruleName(a.rule)} · ${fmtTime(a.at)}`)));
  }
  if (track.length) {
    const [x0, y0] = project(track[0]);
    const [x1, y1] = project(track.at(-1));
    layers.push(s('circle', { cx: x0, cy: y0, r: 5, class: 'map-start' }, s('title', {}, `${t('map.start')} · ${fmtTime(view.points[0].at)}`)));
    layers.push(s('circle', { cx: x1, cy: y1, r: 5, class: 'map-end' }, s('title', {}, `${t('map.end')} · ${fmtTime(view.points.at(-1).at)}`)));
  }
  return s('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'transit-map', role: 'img', 'aria-label': t('map.aria', { vehicle: view.vehicle }) }, layers);
}

function legend() {
  const item = (cls, key) => h('li', {}, h('span', { class: `swatch ${cls}` }), ' ', t(key));
  return h('ul', { class: 'map-legend' }, item('track', 'map.legend.track'), item('route', 'map.legend.route'), item('fence', 'map.legend.fence'), item('stop', 'map.stop'), item('door', 'map.legend.door'), item('alert', 'map.legend.alert'));
}

/** Every stop, door event and alert in time order: what the map shows, as text. */
function eventsTable(view) {
  const rows = [
    ...view.stops.map((st) => ({ at: st.from, what: t('map.stopFor', { minutes: st.minutes }), where: st, place: st.geofence, cls: st.geofence ? '' : 'anomaly' })),
    ...view.doors.map((d) => ({ at: d.at, what: t(`map.door.${d.action}`), where: d, place: d.geofence, cls: d.action === 'open' && !d.geofence ? 'anomaly' : '' })),
    ...view.alerts.map((a) => ({ at: a.at, what: ruleName(a.rule), where: a, place: undefined, cls: 'anomaly', alert: a })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  if (!rows.length) return h('p', { class: 'muted' }, t('map.noEvents'));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { 'data-table': 'transit-events' },
      h('thead', {}, h('tr', {}, [t('trail.time'), t('map.event'), t('map.position'), t('map.place')].map((x) => h('th', { scope: 'col' }, x)))),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            { class: r.cls || undefined },
            h('td', {}, fmtTime(r.at)),
            h('td', {}, r.alert ? h('a', { href: `#/alert/${r.alert.id}` }, r.what) : r.what),
            h('td', { class: 'mono' }, r.where.lat !== undefined ? `${r.where.lat.toFixed(5)}, ${r.where.lon.toFixed(5)}` : t('map.noPosition')),
            h('td', {}, r.place ?? t('map.outside')),
          ),
        ),
      ),
    ),
  );
}

export async function renderTransitMap(params) {
  const bag = params.get('bag');
  const manifest = params.get('manifest');
  const body = h('div', {}, h('p', { class: 'muted' }, t('loading')));
  show(h('h1', {}, t('map.title')), body);
  if (!bag && !manifest) {
    body.replaceChildren(messageBox('error', t('map.askFor')));
    return;
  }
  try {
    const [view, base] = await Promise.all([api(`/transit?${bag ? `bag=${encodeURIComponent(bag)}` : `manifest=${encodeURIComponent(manifest)}`}`), loadBaseMap()]);
    body.replaceChildren(
      h('p', {}, t('map.summary', { vehicle: view.vehicle, manifest: view.manifest ?? '-', from: fmtTime(view.from), to: fmtTime(view.to) }), ' ', view.received ? t('map.received') : h('strong', { class: 'sev-critical' }, t('map.notReceived'))),
      h('p', {}, h('a', { class: 'mono', href: `#/trail?q=${encodeURIComponent(view.bag)}` }, view.bag)),
      view.points.length ? '' : messageBox('info', t('map.noFixes')),
      h('figure', { class: 'card map-figure' }, drawMap(view, base), legend()),
      h('h2', {}, t('map.events')),
      eventsTable(view),
    );
  } catch (e) {
    body.replaceChildren(failure(e));
  }
}

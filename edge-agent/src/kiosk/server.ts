/**
 * The kiosk: a page on localhost for the station's screen (node:http, no framework). It shows the
 * current step and what to do next, the live weight, the last records, the backlog and the uplink, in
 * zh-CN or English (switchable, remembered in a cookie and in the browser), updated live over
 * Server-Sent Events. Operator commands (category, cancel, confirm, mode, details) come back as JSON.
 *
 *   GET  /             the page (?lang=zh-CN|en; else the cookie; else the configured language)
 *   GET  /events       SSE: {live, controls} HTML fragments on every change
 *   GET  /fragments    the same, once (for browsers without EventSource)
 *   GET  /api/state    the snapshot as JSON
 *   POST /api/command  {type: category|cancel|confirm|mode|detail|manifest|correct, ...}
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WASTE_CATEGORIES } from '@wastetrail/firmware-protocol';
import type { Logger } from '@wastetrail/runtime';
import { isLanguage, type Language } from '../station/messages.ts';
import { DETAIL_FIELDS, MANIFEST_EVENT_TYPES, STATION_MODES, type ManifestEventType, type StationInput } from '../station/workflow.ts';
import { renderControls, renderLive, renderPage, type KioskSnapshot } from './view.ts';

export interface KioskSource {
  snapshot(): KioskSnapshot;
  /** An operator command; returns false when the command was not understood. */
  command(input: StationInput): void;
}

export interface KioskOptions {
  host: string;
  port: number;
  language: Language;
  source: KioskSource;
  logger: Logger;
  /** Shortest time between two live updates per client (weight readings come 10-20 a second). */
  minUpdateMs?: number;
}

export interface Kiosk {
  readonly url: string;
  /** Something changed: push an update to open pages (coalesced). */
  changed(): void;
  close(): Promise<void>;
}

const LANG_COOKIE = 'wt_lang';

export async function startKiosk(o: KioskOptions): Promise<Kiosk> {
  const clients = new Set<{ res: ServerResponse; lang: Language }>();
  const minUpdateMs = o.minUpdateMs ?? 150;
  let pending: NodeJS.Timeout | undefined;
  let lastPush = 0;

  const fragments = (lang: Language) => {
    const s = o.source.snapshot();
    return JSON.stringify({ live: renderLive(s, lang), controls: renderControls(s, lang) });
  };
  const push = () => {
    pending = undefined;
    lastPush = Date.now();
    const byLang = new Map<Language, string>();
    for (const c of clients) {
      let data = byLang.get(c.lang);
      if (data === undefined) byLang.set(c.lang, (data = fragments(c.lang)));
      c.res.write(`data: ${data}\n\n`);
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      o.logger.warn({ url: req.url, err: e }, 'kiosk request failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error');
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kiosk');
    const lang = chooseLanguage(url, req, o.language);
    if (req.method === 'GET' && url.pathname === '/') {
      const headers: Record<string, string> = {};
      // Remember an explicit choice for the next visit (the page also keeps it in localStorage).
      if (url.searchParams.has('lang')) headers['Set-Cookie'] = `${LANG_COOKIE}=${lang}; Path=/; Max-Age=31536000; SameSite=Strict`;
      return send(res, 200, 'text/html; charset=utf-8', renderPage(o.source.snapshot(), lang), headers);
    }
    if (req.method === 'GET' && url.pathname === '/api/state') return send(res, 200, 'application/json', JSON.stringify(o.source.snapshot()));
    if (req.method === 'GET' && url.pathname === '/fragments') return send(res, 200, 'application/json', fragments(lang));
    if (req.method === 'GET' && url.pathname === '/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      const client = { res, lang };
      clients.add(client);
      res.write(`retry: 2000\ndata: ${fragments(lang)}\n\n`);
      req.on('close', () => clients.delete(client));
      return;
    }
    if (req.method === 'POST' && url.pathname === '/api/command') {
      // Only this page may command the station: a JSON body forces a CORS preflight we never answer,
      // and an Origin, when sent, must be our own.
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${req.headers.host}`) return send(res, 403, 'application/json', '{"error":"foreign origin"}');
      if (!String(req.headers['content-type']).startsWith('application/json')) return send(res, 415, 'application/json', '{"error":"send application/json"}');
      // A manifest step lists up to 500 bags; every other command is a few bytes.
      const body = await readBody(req, 128 * 1024);
      const input = body === undefined ? undefined : toStationInput(body);
      if (!input) return send(res, 400, 'application/json', '{"error":"unknown command"}');
      o.source.command(input);
      return send(res, 200, 'application/json', '{"ok":true}');
    }
    if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, 'text/plain; charset=utf-8', 'ok');
    send(res, 404, 'text/plain; charset=utf-8', 'not found');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}/`;
  o.logger.info({ url }, 'kiosk listening');

  return {
    url,
    changed() {
      if (clients.size === 0 || pending) return;
      pending = setTimeout(push, Math.max(0, minUpdateMs - (Date.now() - lastPush)));
    },
    async close() {
      clearTimeout(pending);
      for (const c of clients) c.res.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function chooseLanguage(url: URL, req: IncomingMessage, fallback: Language): Language {
  const q = url.searchParams.get('lang');
  if (isLanguage(q)) return q;
  const cookie = /(?:^|;\s*)wt_lang=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  return isLanguage(cookie) ? cookie : fallback;
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(body);
}

function readBody(req: IncomingMessage, max: number): Promise<unknown> {
  return new Promise((resolve) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.on('end', () => {
      if (size > max) return resolve(undefined);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      } catch {
        resolve(undefined);
      }
    });
    req.on('error', () => resolve(undefined));
  });
}

/** An operator command from the page, checked; undefined when it is not one. */
export function toStationInput(body: unknown): StationInput | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  switch (b.type) {
    case 'cancel':
    case 'confirm':
      return { kind: b.type };
    case 'category':
      return (WASTE_CATEGORIES as readonly unknown[]).includes(b.category) ? { kind: 'category', category: b.category as (typeof WASTE_CATEGORIES)[number] } : undefined;
    case 'mode':
      return (STATION_MODES as readonly unknown[]).includes(b.mode) ? { kind: 'mode', mode: b.mode as (typeof STATION_MODES)[number] } : undefined;
    case 'detail':
      return (DETAIL_FIELDS as readonly unknown[]).includes(b.field) && typeof b.value === 'string' && b.value.length <= 200
        ? { kind: 'detail', field: b.field as (typeof DETAIL_FIELDS)[number], value: b.value }
        : undefined;
    case 'manifest': {
      // The body is checked against the record format by the workflow, which says what is wrong.
      const e = b.event as Record<string, unknown> | undefined;
      return typeof e === 'object' && e !== null && (MANIFEST_EVENT_TYPES as readonly unknown[]).includes(e.type) ? { kind: 'manifest', event: { type: e.type as ManifestEventType, body: e.body } } : undefined;
    }
    case 'correct': {
      // The target's hash and type come from the outbox (the agent); the workflow checks the rest.
      if (!Number.isSafeInteger(b.seq) || (b.action !== 'void' && b.action !== 'amend') || typeof b.reason !== 'string' || b.reason.length > 500) return undefined;
      const grams = b.kg === undefined || b.kg === '' ? undefined : typeof b.kg === 'string' || typeof b.kg === 'number' ? Math.round(Number(b.kg) * 1000) : NaN;
      if (grams !== undefined && !(Number.isSafeInteger(grams) && grams > 0)) return undefined;
      const category = b.category === undefined || b.category === '' ? undefined : (WASTE_CATEGORIES as readonly unknown[]).includes(b.category) ? (b.category as (typeof WASTE_CATEGORIES)[number]) : null;
      if (category === null) return undefined;
      const amend = { ...(grams !== undefined ? { grams } : {}), ...(category !== undefined ? { category } : {}) };
      return { kind: 'correct', seq: b.seq as number, action: b.action, reason: b.reason, ...(Object.keys(amend).length > 0 ? { amend } : {}) };
    }
    default:
      return undefined;
  }
}

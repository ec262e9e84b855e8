import { request } from 'node:http';
import { Script } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@wastetrail/runtime';
import { startKiosk, toStationInput, type Kiosk } from '../../src/kiosk/server.ts';
import type { KioskSnapshot } from '../../src/kiosk/view.ts';
import type { StationInput } from '../../src/station/workflow.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function snapshot(over: Partial<KioskSnapshot['station']> = {}): KioskSnapshot {
  return {
    device: { id: 'hz-h001-icu-01', institution: 'hz-h001', site: 'ICU-3F', role: 'department' },
    station: {
      mode: 'seal',
      modes: ['seal'],
      step: 'weigh',
      prompt: { code: 'WAIT_WEIGHT', params: { minGrams: 10 } },
      notice: { code: 'UNKNOWN_BADGE', level: 'refusal', params: { badge: '<script>x</script>' }, at: 0 },
      bags: ['epc:3074257bf7194e4000001a85'],
      category: 'sharps',
      badges: [],
      details: {},
      detailFields: [],
      ...over,
    },
    scale: { grams: 1250, stable: true, state: 'dynamic', connected: true },
    reader: { connected: true },
    uplink: { state: 'offline', since: 0, ackedSeq: 41, headSeq: 48, backlog: 7, attempts: 3 },
    lastRecords: [{ seq: 48, type: 'sealed', time: '2026-03-02T08:10:00.000Z', grams: 640, category: 'infectious' }],
  };
}

async function kiosk(source: Partial<{ snapshot: () => KioskSnapshot; command: (i: StationInput) => void }> = {}): Promise<Kiosk> {
  const k = await startKiosk({
    host: '127.0.0.1',
    port: 0,
    language: 'zh-CN',
    logger: silentLogger,
    minUpdateMs: 0,
    source: { snapshot: source.snapshot ?? (() => snapshot()), command: source.command ?? (() => {}) },
  });
  cleanups.push(() => k.close());
  return k;
}

describe('kiosk page', () => {
  it('shows the step, what to do next, the live weight, the backlog and the last records, in English', async () => {
    const k = await kiosk();
    expect(k.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(`${k.url}?lang=en`);
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/^wt_lang=en;/);
    const html = await res.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('Keep the load still on the scale until the weight is steady');
    expect(html).toContain('<span class="grams">1.250 kg</span>');
    expect(html).toContain('Records waiting to upload: <strong class="backlog">7</strong>');
    expect(html).toContain('offline (records are kept safely and uploaded when back online)');
    expect(html).toContain('#48</span> sealed infectious 0.640 kg');
    expect(html).toContain('Category: sharps');
    // Parameters are escaped: a badge id cannot inject markup.
    expect(html).toContain('Badge &#60;script&#62;x&#60;/script&#62; is not registered here');
    expect(html).not.toContain('<script>x</script>');
    // Everything is inline: no external script or stylesheet; the page's script at least compiles
    // (no browser here to run it).
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=/);
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1];
    expect(script).toContain('EventSource');
    expect(() => new Script(script!)).not.toThrow();
  });

  it('the same in Chinese, by default and when the cookie says so', async () => {
    const k = await kiosk();
    const zh = await (await fetch(k.url)).text();
    expect(zh).toContain('<html lang="zh-CN">');
    expect(zh).toContain('请将废物放稳在秤上，等待重量稳定');
    expect(zh).toContain('当前重量');
    expect(zh).toContain('待上传记录: <strong class="backlog">7</strong>');
    expect(zh).toContain('类别: 损伤性');
    expect(zh).toContain('离线（记录已安全保存，联网后自动上传）');
    const en = await (await fetch(k.url, { headers: { Cookie: 'wt_lang=en' } })).text();
    expect(en).toContain('Weight');
    expect(en).toContain('<html lang="en">');
  });

  it('pushes live updates over Server-Sent Events', async () => {
    let grams = 1250;
    const k = await kiosk({ snapshot: () => ({ ...snapshot(), scale: { grams, stable: false, state: 'dynamic', connected: true } }) });
    const res = await fetch(`${k.url}events?lang=en`);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const events: { live: string; controls: string }[] = [];
    let buffer = '';
    const next = async () => {
      while (!buffer.includes('\n\n')) buffer += new TextDecoder().decode((await reader.read()).value);
      const [event, ...rest] = buffer.split('\n\n');
      buffer = rest.join('\n\n');
      const data = event!.split('\n').find((l) => l.startsWith('data: '))!.slice(6);
      events.push(JSON.parse(data));
    };
    await next();
    expect(events[0]!.live).toContain('1.250 kg');
    grams = 2500;
    k.changed();
    await next();
    expect(events[1]!.live).toContain('2.500 kg');
    expect(events[1]!.live).toContain('moving');
    await reader.cancel();
  });

  it('takes operator commands as JSON from its own page only', async () => {
    const got: StationInput[] = [];
    const k = await kiosk({ command: (i) => got.push(i) });
    const post = (body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
      fetch(`${k.url}api/command`, { method: 'POST', headers, body: JSON.stringify(body) });
    expect((await post({ type: 'category', category: 'sharps' })).status).toBe(200);
    expect((await post({ type: 'cancel' })).status).toBe(200);
    expect((await post({ type: 'detail', field: 'manifest', value: 'M-1' })).status).toBe(200);
    expect((await post({ type: 'category', category: 'radioactive' })).status).toBe(400);
    expect((await post({ type: 'cancel' }, { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await post({ type: 'cancel' }, { 'Content-Type': 'application/json', Origin: 'http://evil.example' })).status).toBe(403);
    expect(got).toEqual([{ kind: 'category', category: 'sharps' }, { kind: 'cancel' }, { kind: 'detail', field: 'manifest', value: 'M-1' }]);
  });

  it('renders the controls of the mode: categories to seal, details and modes elsewhere', async () => {
    const k = await kiosk({
      snapshot: () => snapshot({ mode: 'store-out', modes: ['store-in', 'store-out'], step: 'details', prompt: { code: 'ENTER_MANIFEST' }, detailFields: ['vehicle', 'manifest'], details: { vehicle: 'ZJ-A12345' } }),
    });
    const html = await (await fetch(`${k.url}?lang=en`)).text();
    expect(html).toContain('Enter the transfer manifest number');
    expect(html).toContain('data-command="mode" data-value="store-out" class="active"');
    expect(html).toContain('<input name="value" value="ZJ-A12345"');
    expect(html).toContain('data-field="manifest"');
    expect(html).not.toContain('data-command="category"');
  });

  it('answers unknown paths with 404', async () => {
    const k = await kiosk();
    const status = await new Promise<number>((resolve, reject) => {
      request(`${k.url}nope`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(404);
  });

  it('only known commands become station inputs', () => {
    expect(toStationInput({ type: 'mode', mode: 'dispose' })).toEqual({ kind: 'mode', mode: 'dispose' });
    expect(toStationInput({ type: 'mode', mode: 'party' })).toBeUndefined();
    expect(toStationInput({ type: 'detail', field: 'room', value: 'x' })).toBeUndefined();
    expect(toStationInput({ type: 'committed', seq: 1 })).toBeUndefined();
    expect(toStationInput(null)).toBeUndefined();
  });

  it('a correction becomes a station input with the weight in grams; anything malformed is no command', () => {
    expect(toStationInput({ type: 'correct', seq: 48, action: 'amend', reason: 'early read', kg: '1.249', category: 'sharps' })).toEqual({ kind: 'correct', seq: 48, action: 'amend', reason: 'early read', amend: { grams: 1249, category: 'sharps' } });
    expect(toStationInput({ type: 'correct', seq: 48, action: 'void', reason: 'wrong bag', kg: '', category: '' })).toEqual({ kind: 'correct', seq: 48, action: 'void', reason: 'wrong bag' });
    for (const bad of [
      { type: 'correct', seq: '48', action: 'void', reason: 'x' },
      { type: 'correct', seq: 48, action: 'delete', reason: 'x' },
      { type: 'correct', seq: 48, action: 'void' },
      { type: 'correct', seq: 48, action: 'amend', reason: 'x', kg: '-1' },
      { type: 'correct', seq: 48, action: 'amend', reason: 'x', kg: 'abc' },
      { type: 'correct', seq: 48, action: 'amend', reason: 'x', category: 'glass' },
      { type: 'correct', seq: 48, action: 'void', reason: 'x'.repeat(501) },
    ]) {
      expect(toStationInput(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it('offers the correction form over its last records, in both languages, and shows the box being packed', async () => {
    const k = await kiosk({ snapshot: () => snapshot({ mode: 'pack', modes: ['seal', 'pack', 'unpack'], box: 'epc:331800e4a37fd40000000001', step: 'bags', prompt: { code: 'SCAN_BAGS_FOR_BOX', params: { box: 'epc:331800e4a37fd40000000001' } } }) });
    const zh = await (await fetch(`${k.url}?lang=zh-CN`)).text();
    expect(zh).toContain('更正记录');
    expect(zh).toContain('<option value="48">#48 封袋 08:10:00</option>');
    expect(zh).toContain('周转箱: <span class="mono">epc:331800e4a37fd40000000001</span>');
    expect(zh).toContain('请将要装入或取出周转箱 epc:331800e4a37fd40000000001 的废物袋放到读卡区');
    const en = await (await fetch(`${k.url}?lang=en`)).text();
    expect(en).toContain('Correct a record');
    expect(en).toContain('New weight (kg)');
    expect(en).toContain('data-command="mode" data-value="unpack"');
  });

  it('takes a transfer manifest step as a command (the site system or a form posts it); the workflow checks its body', async () => {
    const got: StationInput[] = [];
    const k = await kiosk({ command: (i) => got.push(i) });
    const closing = { type: 'manifest-closed', body: { manifest: 'M-1', outcome: 'processed', operator: 'op-1' } };
    const bags = Array.from({ length: 500 }, (_, i) => ({ tag: `epc:${i.toString(16).padStart(24, '0')}`, category: 'infectious', weight: { value: 1000, unit: 'g' } }));
    const issue = { type: 'manifest-issued', body: { manifest: 'M-1', version: 1, producer: 'h', transporter: 't', receiver: 'd', bags, weight: { value: 500_000, unit: 'g' }, issuer: 'k-1' } };
    const post = (body: unknown) => fetch(`${k.url}api/command`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ type: 'manifest', event: closing })).status).toBe(200);
    // 500 bags: larger than any other command, still taken.
    expect((await post({ type: 'manifest', event: issue })).status).toBe(200);
    expect((await post({ type: 'manifest', event: { type: 'sealed', body: {} } })).status).toBe(400);
    expect((await post({ type: 'manifest' })).status).toBe(400);
    expect(got).toEqual([
      { kind: 'manifest', event: closing },
      { kind: 'manifest', event: issue },
    ]);
  });
});

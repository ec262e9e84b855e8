import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCapturingLogger, createRootLogger } from '../src/index.ts';

describe('the root logger', () => {
  it('writes JSON lines with the child logger fields', () => {
    const log = createCapturingLogger('info');
    log.child({ component: 'ingest' }).warn({ device: 'hz-h001-ref-01', seq: 7, code: 'BAD_SIGNATURE' }, 'record quarantined');
    log.debug('not at info');
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatchObject({ level: 40, component: 'ingest', device: 'hz-h001-ref-01', seq: 7, code: 'BAD_SIGNATURE', msg: 'record quarantined' });
  });

  it('redacts passwords, tokens, cookies, secrets and private keys wherever they sit', () => {
    const log = createCapturingLogger('info');
    log.info({ password: 'hunter2', user: { token: 'tok-1' }, smtp: { auth: { password: 'p2' } }, privateKey: 'PEM', req: { headers: { cookie: 'sid=1', authorization: 'Bearer x' } } }, 'login');
    const text = JSON.stringify(log.lines[0]);
    for (const secret of ['hunter2', 'tok-1', 'p2', 'PEM', 'sid=1', 'Bearer x']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });

  it('hands each line, formatted as configured, to a line sink (the demo prints them above its display)', () => {
    const pretty: string[] = [];
    createRootLogger({ level: 'warn', format: 'pretty' }, { name: 'wastetrail-server', lines: (l) => pretty.push(l) }).child({ component: 'ingest' }).warn({ device: 'hz-h001-ref-01' }, 'record quarantined');
    expect(pretty).toHaveLength(1);
    expect(pretty[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN \(wastetrail-server\): record quarantined\n {4}component: "ingest"\n {4}device: "hz-h001-ref-01"$/);
    const json: string[] = [];
    createRootLogger({ level: 'info' }, { name: 'wastetrail-server', lines: (l) => json.push(l) }).info('up');
    expect(JSON.parse(json[0]!)).toMatchObject({ name: 'wastetrail-server', msg: 'up' });
  });

  it('logs an error with its type, message and stack', () => {
    const log = createCapturingLogger('info');
    log.error({ err: new TypeError('boom') }, 'failed');
    expect(log.lines[0]).toMatchObject({ err: { type: 'TypeError', message: 'boom' } });
    expect(String((log.lines[0]!.err as { stack: string }).stack)).toContain('TypeError: boom');
  });

  describe('to a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-log-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    it('appends JSON lines, relative paths from the config folder; pretty lines are readable', () => {
      createRootLogger({ level: 'info', destination: 'logs/server.log' }, { name: 'wastetrail-server', baseDir: dir }).info({ device: 'd1' }, 'hello');
      const line = JSON.parse(readFileSync(join(dir, 'logs/server.log'), 'utf8').trim()) as Record<string, unknown>;
      expect(line).toMatchObject({ name: 'wastetrail-server', msg: 'hello', device: 'd1', level: 30 });
      createRootLogger({ level: 'info', destination: join(dir, 'pretty.log'), format: 'pretty' }, { name: 'wastetrail-demo' }).warn({ device: 'd2' }, 'readable');
      const pretty = readFileSync(join(dir, 'pretty.log'), 'utf8');
      expect(pretty).toMatch(/WARN.*\(wastetrail-demo\): readable/);
      expect(pretty).toContain('device: "d2"');
      expect(pretty).not.toMatch(/^\{/);
    });
  });
});

/**
 * `wastetrail witness`, the real binary, against a real server (it cosigns, the server keeps and serves
 * the cosignature, again after the log grew; a bag's audit bundle then carries it and `wastetrail verify
 * --witness-key --quorum` passes, where before the witness cosigned it failed QUORUM_NOT_MET) and against a fake log whose key the test holds (a log that
 * rolls back or forks is refused by name, exit 1, the witness's state untouched).
 */
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cosigner,
  cosignerKeyString,
  ed25519KeyPairFromSeed,
  ed25519Signer,
  formatCheckpoint,
  generateEd25519KeyPair,
  leafHash,
  MemoryTree,
  nodeEd25519Verify,
  noteSigner,
  parseCosignerKey,
  signNote,
  toBase64,
  utf8,
  verifierKeyString,
  verifyCheckpoint,
  verifyCosignatures,
  parseVerifierKey,
} from '@wastetrail/firmware-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createUser } from '../../src/auth/index.ts';
import { DeviceClient, eventually, openTestStore, provision, TestDevice, uniqueId } from '../ingest/support.ts';
import { serverAddresses, spawnServer, wastetrail } from './support.ts';

const dirs: string[] = [];
const children: ChildProcess[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wt-witness-'));
  dirs.push(dir);
  return dir;
}

const WITNESS = 'witness.regulator.example/hz';

describe('wastetrail witness against a real server', () => {
  it('cosigns the checkpoint, which the server then serves with the cosignature and bundles carry; after the log grows it cosigns again', async () => {
    const t = await openTestStore();
    dirs.push(join(t.file, '..'));
    const device = new TestDevice(uniqueId('hz-h001-kiosk'));
    await provision(t.store, device);
    const auditor = { username: 'auditor-hz', password: 'correct horse battery staple' };
    expect(await createUser(t.store, { ...auditor, role: 'regulator', scope: 'hz' })).toMatchObject({ ok: true });
    await t.store.close();

    // The witness's key, made by the operator beforehand: the log's config names its verifier key.
    const dir = tempDir();
    const keyFile = join(dir, 'witness-key.pem');
    const pem = generateEd25519KeyPair().privateKeyPem;
    writeFileSync(keyFile, pem, { mode: 0o600 });
    const witnessKey = cosignerKeyString(cosigner(WITNESS, ed25519Signer(pem)));
    const config = {
      dataDir: './data',
      storage: { file: t.file },
      ingest: { batchMs: 20 },
      verifiableLog: { origin: 'log.wastetrail.example/witnessed', checkpointIntervalMs: 100, witnesses: [witnessKey], quorum: 1 },
      mqtt: { gateway: { tcp: { port: 0, host: '127.0.0.1' } } },
      http: { port: 0 },
    };
    writeFileSync(join(dir, 'server.jsonc'), JSON.stringify(config));
    const server = spawnServer(join(dir, 'server.jsonc'));
    children.push(server.child);
    const at = await serverAddresses(server);
    const logKey = (await server.nextLine()).slice('log key '.length);
    const trust = { origin: config.verifiableLog.origin, keys: [unwrap(parseVerifierKey(logKey))], ed25519Verify: nodeEd25519Verify };
    const served = async () => (await fetch(new URL('/log/v1/checkpoint', at.http))).text();
    const sizeServed = async () => {
      const c = verifyCheckpoint(await served(), trust);
      return c.ok ? c.value.size : -1;
    };

    const client = await DeviceClient.connect(at.mqtt, device, 'token');
    try {
      await client.publish(device.seal(3));
      await eventually(async () => (await sizeServed()) === 3, 'a checkpoint of the 3 records');
      const state = join(dir, 'state');
      const witness = () => wastetrail('witness', '--log', at.http.href, '--log-key', logKey, '--key', keyFile, '--state', state, '--name', WITNESS, '--once');

      // A regulator's bundle of the first bag, verified offline with the log's key and the witness's.
      const session = (await (await fetch(new URL('/api/v1/session', at.http), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(auditor) })).json()) as { token: string };
      const verifyBundle = async (name: string) => {
        const response = await fetch(new URL(`/api/v1/bags/${encodeURIComponent(`epc:${'1'.padStart(24, '0')}`)}/bundle`, at.http), { headers: { authorization: `Bearer ${session.token}` } });
        expect(response.status).toBe(200);
        const file = join(dir, name);
        writeFileSync(file, await response.text());
        return { file, run: await wastetrail('verify', file, '--log-key', logKey, '--witness-key', witnessKey, '--quorum', '1') };
      };
      // Not cosigned yet: the bundle proves the record under the log's key alone, which the quorum refuses.
      const unwitnessed = await verifyBundle('unwitnessed.json');
      expect(unwitnessed.run.code).toBe(1);
      expect(unwitnessed.run.stdout).toMatch(/^invalid: QUORUM_NOT_MET record=1: .*cosigned by 0 of the trusted witnesses/m);

      const first = await witness();
      expect(first, first.stderr).toMatchObject({ code: 0 });
      const witnessed = await verifyBundle('witnessed.json');
      expect(witnessed.run.code, witnessed.run.stdout).toBe(0);
      expect(witnessed.run.stdout).toContain(`witnesses: quorum 1 (keys from --witness-key); cosigned: size 3 by ${WITNESS}\n`);
      const carried = (JSON.parse(readFileSync(witnessed.file, 'utf8')) as { log: { proofs: string[] } }).log.proofs[0]!;
      expect(carried.split('\n').filter((l) => l.startsWith(`\u2014 ${WITNESS} `))).toHaveLength(1);
      expect(first.stdout).toBe(`witness key ${witnessKey}\ncosigned log.wastetrail.example/witnessed 3\n`);
      const cosigned = await served();
      expect(verifyCheckpoint(cosigned, trust)).toMatchObject({ ok: true, value: { size: 3 } });
      expect(verifyCosignatures(cosigned, [unwrap(parseCosignerKey(witnessKey))], nodeEd25519Verify)).toMatchObject({ ok: true, value: { cosignatures: [{ witness: { name: WITNESS } }] } });
      expect(readFileSync(join(state, 'checkpoint'), 'utf8')).toBe(cosigned.slice(0, cosigned.indexOf('\n\n') + 1));

      await client.publish(device.seal(2));
      await eventually(async () => (await sizeServed()) === 5, 'a checkpoint of the 5 records');
      expect(verifyCosignatures(await served(), [unwrap(parseCosignerKey(witnessKey))], nodeEd25519Verify)).toMatchObject({ ok: true, value: { cosignatures: [] } });
      const second = await witness();
      expect(second, second.stderr).toMatchObject({ code: 0, stdout: `witness key ${witnessKey}\ncosigned log.wastetrail.example/witnessed 5\n` });
      expect(verifyCosignatures(await served(), [unwrap(parseCosignerKey(witnessKey))], nodeEd25519Verify)).toMatchObject({ ok: true, value: { cosignatures: [{ witness: { name: WITNESS } }] } });
    } finally {
      await client.client.endAsync(true);
    }
  });

  it('the server refuses a cosignature by a witness it was not configured with: UNKNOWN_WITNESS, nothing kept', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'server.jsonc'), JSON.stringify({ dataDir: './data', verifiableLog: { origin: 'log.wastetrail.example/alone' }, mqtt: { gateway: { tcp: { port: 0, host: '127.0.0.1' } } }, http: { port: 0 } }));
    const server = spawnServer(join(dir, 'server.jsonc'));
    children.push(server.child);
    const at = await serverAddresses(server);
    const logKey = (await server.nextLine()).slice('log key '.length);
    const run = await wastetrail('witness', '--log', at.http.href, '--log-key', logKey, '--key', join(dir, 'w.pem'), '--state', join(dir, 'state'), '--once');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('COSIGNATURE_NOT_TAKEN: the log answered 403');
    expect(run.stderr).toContain('UNKNOWN_WITNESS');
    const note = await (await fetch(new URL('/log/v1/checkpoint', at.http))).text();
    expect(note.split('\n').filter((l) => l.startsWith('\u2014 '))).toHaveLength(1);
  });
});

describe('wastetrail witness against a log that misbehaves', () => {
  const ORIGIN = 'log.fake.example/misbehaving';
  const logSigner = noteSigner(ORIGIN, ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(7)).privateKeyPem));
  const logKey = verifierKeyString(logSigner);

  function treeOf(leaves: string[]): MemoryTree {
    const tree = new MemoryTree();
    for (const l of leaves) tree.append(leafHash(utf8(l)));
    return tree;
  }

  /** A log serving `tree`'s checkpoint, signed by the test's log key, with proofs and a cosignature endpoint. */
  async function fakeLog(): Promise<{ url: string; serve(tree: MemoryTree): void; cosignatures: string[] }> {
    let tree = new MemoryTree();
    const cosignatures: string[] = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (req.method === 'GET' && url.pathname === '/log/v1/checkpoint') {
        res.end(signNote(formatCheckpoint({ origin: ORIGIN, size: tree.size, root: tree.root() }), logSigner));
      } else if (req.method === 'GET' && url.pathname === '/api/v1/log/consistency') {
        const from = Number(url.searchParams.get('from'));
        const to = Number(url.searchParams.get('to'));
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ from, to, hashes: from <= to && to <= tree.size ? tree.consistencyProof(from, to).map(toBase64) : [] }));
      } else if (req.method === 'POST' && url.pathname === '/log/v1/cosignature') {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
          cosignatures.push(body);
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ size: tree.size, witnesses: [] }));
        });
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return { url: `http://127.0.0.1:${port}/`, serve: (t) => (tree = t), cosignatures };
  }

  async function witnessed(log: Awaited<ReturnType<typeof fakeLog>>) {
    const dir = tempDir();
    const key = join(dir, 'witness-key.pem');
    const state = join(dir, 'state');
    const run = () => wastetrail('witness', '--log', log.url, '--log-key', logKey, '--key', key, '--state', state, '--once');
    return { key, state, run };
  }

  it('makes its key (0600) on the first run and prints its verifier key; a good log is cosigned', async () => {
    const log = await fakeLog();
    const w = await witnessed(log);
    log.serve(treeOf(['a', 'b', 'c']));
    const first = await w.run();
    expect(first, first.stderr).toMatchObject({ code: 0 });
    expect(statSync(w.key).mode & 0o777).toBe(0o600);
    const printed = first.stdout.split('\n')[0]!.slice('witness key '.length);
    expect(printed).toBe(cosignerKeyString(cosigner('witness.wastetrail.local', ed25519Signer(readFileSync(w.key, 'utf8')))));
    expect(verifyCosignatures(log.cosignatures[0]!, [unwrap(parseCosignerKey(printed))], nodeEd25519Verify)).toMatchObject({ ok: true, value: { cosignatures: [{ witness: { name: 'witness.wastetrail.local' } }] } });
    // The same key on the next run.
    expect((await w.run()).stdout.split('\n')[0]).toBe(`witness key ${printed}`);
  });

  // Cosigned: a, b, c, d. Then shown a smaller tree, the same size with another root, a larger tree that rewrote leaf 1.
  it.each([
    ['a rolled-back log', 'CHECKPOINT_ROLLBACK', ['a', 'b']],
    ['a forked log (same size, another root)', 'CHECKPOINT_FORK', ['a', 'b', 'c', 'd-rewritten']],
    ['a larger tree that does not extend the cosigned one', 'CHECKPOINT_INCONSISTENT', ['a', 'x', 'c', 'd', 'e', 'f']],
  ])('%s is refused: %s, exit 1, state unchanged, nothing cosigned', async (_what, code, leaves) => {
    const log = await fakeLog();
    const w = await witnessed(log);
    log.serve(treeOf(['a', 'b', 'c', 'd']));
    expect((await w.run()).code).toBe(0);
    const state = readFileSync(join(w.state, 'checkpoint'), 'utf8');
    log.serve(treeOf(leaves));
    const refused = await w.run();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^wastetrail witness: refused: ${code}: `, 'm'));
    expect(readFileSync(join(w.state, 'checkpoint'), 'utf8')).toBe(state);
    expect(log.cosignatures).toHaveLength(1);
  });
});

function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

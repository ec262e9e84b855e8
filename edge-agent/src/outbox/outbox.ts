/**
 * The durable outbox: the device's hash chain in SQLite, and the truth about what exists. A record is
 * numbered (seq = last + 1), chained (prev = hash of the last), signed and inserted in ONE immediate
 * transaction, with WAL and synchronous=FULL, before anything is published. So a kill -9 at any
 * instant either loses a record nobody was told about, or keeps it whole: no gap, no fork, no seq
 * used twice. The server's acknowledgement (highest contiguous seq it stored) is tracked here too.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  encodeEnvelope,
  formatDeviceTime,
  GENESIS_PREV,
  signRecord,
  type CustodyEvent,
  type Ed25519Signer,
  type EventType,
  type SignedRecord,
} from '@wastetrail/firmware-protocol';

const SCHEMA_VERSION = 1;

export interface OutboxRecord extends SignedRecord {
  seq: number;
  hash: string;
  type: EventType;
  time: string;
}

export interface ChainHeadInfo {
  seq: number;
  hash: string;
}

export type AckOutcome =
  /** The server's ack moved forward. */
  | { kind: 'advanced'; seq: number }
  /** Nothing new (an old or repeated ack). */
  | { kind: 'stale'; seq: number }
  /** The server's hash at that seq is not ours: it holds another chain for this device id. */
  | { kind: 'mismatch'; seq: number; ours: string; theirs: string }
  /** The server claims a seq we never wrote (an outbox restored from an old backup, or a cloned id). */
  | { kind: 'beyond-head'; seq: number; head: number };

export interface OutboxOptions {
  deviceId: string;
  signer: Ed25519Signer;
  /** Device time in ms since the epoch; records carry it as RFC 3339 UTC. */
  clock?: () => number;
}

/** The tags a custody event names, to answer "was this bag already recorded here?". */
export function tagsOfEvent(event: CustodyEvent): string[] {
  switch (event.type) {
    case 'sealed':
      return event.body.tags;
    case 'disposed':
      return event.body.bags;
    case 'aggregated':
      return [event.body.box, ...event.body.bags];
    case 'collected':
    case 'stored':
    case 'picked-up':
    case 'received':
      return event.body.bags.map((b) => b.tag);
    case 'correction':
    case 'heartbeat':
    case 'climate':
    // A manifest is found by its number; the bags' own custody records name the tags.
    case 'manifest-issued':
    case 'manifest-received':
    case 'manifest-closed':
    case 'track':
    case 'door':
      return [];
  }
}

export class OutboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboxError';
  }
}

export class Outbox {
  readonly deviceId: string;
  readonly file: string;
  private readonly db: Database.Database;
  private readonly signer: Ed25519Signer | undefined;
  private readonly clock: () => number;
  private readonly stmt: Statements;
  private readonly appendTx: Database.Transaction<(events: CustodyEvent[]) => OutboxRecord[]>;

  /** Opens (creating if needed) the outbox of one device. Without a signer it is read-only in effect. */
  constructor(file: string, options: Omit<OutboxOptions, 'signer'> & { signer?: Ed25519Signer }) {
    this.file = file;
    this.deviceId = options.deviceId;
    this.signer = options.signer;
    this.clock = options.clock ?? Date.now;
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.db = new Database(file);
    try {
      this.db.pragma('journal_mode = WAL');
      // FULL: a committed transaction survives power loss, not only a crash of this process.
      this.db.pragma('synchronous = FULL');
      this.db.pragma('busy_timeout = 5000');
      this.migrate();
      this.stmt = prepareStatements(this.db);
    } catch (e) {
      this.db.close();
      throw e;
    }
    this.appendTx = this.db.transaction((events: CustodyEvent[]) => this.appendInTransaction(events));
  }

  private migrate(): void {
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE IF NOT EXISTS records (
        seq   INTEGER PRIMARY KEY,
        hash  TEXT NOT NULL UNIQUE,
        type  TEXT NOT NULL,
        time  TEXT NOT NULL,
        bytes BLOB NOT NULL,
        sig   BLOB NOT NULL
      ) STRICT;
      CREATE TABLE IF NOT EXISTS record_tags (
        tag  TEXT NOT NULL,
        seq  INTEGER NOT NULL REFERENCES records(seq),
        type TEXT NOT NULL,
        PRIMARY KEY (tag, seq)
      ) STRICT, WITHOUT ROWID;
      -- The kiosk lists the last custody records; years of heartbeats must not be scanned to find them.
      CREATE INDEX IF NOT EXISTS records_custody ON records(seq) WHERE type != 'heartbeat';
      -- Receipts (docs/protocol/log.md#receipts): the server's log leaf of each acknowledged record, and the
      -- size of the checkpoint an audit proved it in (NULL until then). Added without a schema bump: an
      -- older agent never reads it.
      CREATE TABLE IF NOT EXISTS receipts (
        seq             INTEGER PRIMARY KEY REFERENCES records(seq),
        leaf            INTEGER NOT NULL,
        checkpoint_size INTEGER
      ) STRICT;
      CREATE INDEX IF NOT EXISTS receipts_unproven ON receipts(seq) WHERE checkpoint_size IS NULL;
    `);
    const get = this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
    const put = this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING');
    this.db.transaction(() => {
      put.run('schema', String(SCHEMA_VERSION));
      put.run('device', this.deviceId);
      put.run('acked_seq', '0');
    }).immediate();
    const schema = Number(get.get('schema')?.value);
    if (schema !== SCHEMA_VERSION) throw new OutboxError(`${this.file} has outbox schema ${schema}; this agent reads ${SCHEMA_VERSION}`);
    const owner = get.get('device')?.value;
    // One outbox holds one device's chain: records of another id must never be continued under this one.
    if (owner !== this.deviceId) throw new OutboxError(`${this.file} holds the chain of device ${owner}, not ${this.deviceId}: use another dataDir`);
  }

  /** Signs and commits one event as the next record of the chain. Throws if it could not be stored. */
  append(event: CustodyEvent): OutboxRecord {
    return this.appendMany([event])[0]!;
  }

  /** Several records in one transaction (tests and imports; the station writes one at a time). */
  appendMany(events: CustodyEvent[]): OutboxRecord[] {
    if (!this.signer) throw new OutboxError('this outbox was opened without the device key: it cannot sign');
    // IMMEDIATE takes the write lock before reading the head: a second process cannot fork the chain.
    return this.appendTx.immediate(events);
  }

  private appendInTransaction(events: CustodyEvent[]): OutboxRecord[] {
    const head = this.stmt.head.get();
    let seq = head?.seq ?? 0;
    let prev = head?.hash ?? GENESIS_PREV;
    const out: OutboxRecord[] = [];
    for (const event of events) {
      seq++;
      const time = formatDeviceTime(this.clock());
      const signed = signRecord({ device: this.deviceId, seq, prev, time, event }, this.signer!);
      this.stmt.insert.run(seq, signed.hash, event.type, time, signed.bytes, signed.signature);
      for (const tag of tagsOfEvent(event)) this.stmt.insertTag.run(tag, seq, event.type);
      out.push({ seq, hash: signed.hash, type: event.type, time, bytes: signed.bytes, signature: signed.signature });
      prev = signed.hash;
    }
    return out;
  }

  head(): ChainHeadInfo {
    const h = this.stmt.head.get();
    return h ? { seq: h.seq, hash: h.hash } : { seq: 0, hash: GENESIS_PREV };
  }

  /** The highest seq the server acknowledged (0: none). */
  ackedSeq(): number {
    return Number(this.stmt.getMeta.get('acked_seq')?.value ?? 0);
  }

  /** Records committed and not yet acknowledged by the server. */
  backlog(): number {
    return Math.max(0, this.head().seq - this.ackedSeq());
  }

  /** The oldest record the server has not acknowledged (seq and device time), if there is one. */
  oldestUnacknowledged(): { seq: number; time: string } | undefined {
    return this.stmt.timeAt.get(this.ackedSeq() + 1);
  }

  hashAt(seq: number): string | undefined {
    return this.stmt.hashAt.get(seq)?.hash;
  }

  /** Applies a server ack {seq, hash}: it covers every record up to seq, if the hash is ours. */
  acknowledge(seq: number, hash: string): AckOutcome {
    const head = this.head().seq;
    if (seq > head) return { kind: 'beyond-head', seq, head };
    const ours = this.hashAt(seq);
    if (ours !== hash) return { kind: 'mismatch', seq, ours: ours ?? '', theirs: hash };
    if (seq <= this.ackedSeq()) return { kind: 'stale', seq };
    this.stmt.setMeta.run('acked_seq', String(seq));
    return { kind: 'advanced', seq };
  }

  /**
   * Keeps the server's receipts for acknowledged records: seq -> leaf index. Only seqs this outbox holds and
   * the server acknowledged; a receipt already kept is not replaced (a log never moves a leaf). Returns how many
   * were new.
   */
  addReceipts(pairs: ReadonlyArray<{ seq: number; index: number }>): number {
    const acked = this.ackedSeq();
    let added = 0;
    this.db.transaction(() => {
      for (const p of pairs) if (p.seq <= acked && this.stmt.insertReceipt.run({ seq: p.seq, leaf: p.index }).changes > 0) added++;
    })();
    return added;
  }

  /** Receipts whose inclusion no audit proved yet, with their records, oldest first, at most `limit`. */
  unprovenReceipts(limit: number): Array<{ record: OutboxRecord; leaf: number }> {
    return this.stmt.unproven.all(limit).map((r) => ({ record: toRecord(r), leaf: r.leaf }));
  }

  /** Notes that an audit proved these leaves in the checkpoint of this size. */
  markProven(seqs: readonly number[], checkpointSize: number): void {
    this.db.transaction(() => {
      for (const seq of seqs) this.stmt.markProven.run(checkpointSize, seq);
    })();
  }

  /** The receipt of one record, if the server sent one. */
  receipt(seq: number): { leaf: number; checkpointSize: number | null } | undefined {
    const r = this.stmt.receipt.get(seq);
    return r ? { leaf: r.leaf, checkpointSize: r.checkpoint_size } : undefined;
  }

  /** Records from `from` to `to` (inclusive) in order, at most `limit`. */
  range(from: number, to: number, limit: number): OutboxRecord[] {
    return this.stmt.range.all(from, to, limit).map(toRecord);
  }

  /** Every record from `from` on, one at a time (export): nothing is loaded whole. */
  *iterate(from = 1): IterableIterator<OutboxRecord> {
    for (const row of this.stmt.all.iterate(from)) yield toRecord(row);
  }

  /** The last `n` custody records (heartbeats and climate batches left out), newest first: the kiosk's list. */
  recentCustody(n: number): OutboxRecord[] {
    return this.stmt.recentCustody.all(n).map(toRecord);
  }

  /** Event types this station recorded for a tag, oldest first. */
  tagHistory(tag: string): EventType[] {
    return this.stmt.tagHistory.all(tag).map((r) => r.type as EventType);
  }

  getMeta(key: string): string | undefined {
    return this.stmt.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmt.setMeta.run(key, value);
  }

  /** A consistent copy of the database while it is in use (for backups). */
  backup(toFile: string): Promise<unknown> {
    return this.db.backup(toFile);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function prepareStatements(db: Database.Database) {
  return {
    head: db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1'),
    insert: db.prepare('INSERT INTO records (seq, hash, type, time, bytes, sig) VALUES (?, ?, ?, ?, ?, ?)'),
    insertTag: db.prepare('INSERT OR IGNORE INTO record_tags (tag, seq, type) VALUES (?, ?, ?)'),
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    hashAt: db.prepare<[number], { hash: string }>('SELECT hash FROM records WHERE seq = ?'),
    timeAt: db.prepare<[number], { seq: number; time: string }>('SELECT seq, time FROM records WHERE seq = ?'),
    range: db.prepare<[number, number, number], RecordRow>('SELECT seq, hash, type, time, bytes, sig FROM records WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?'),
    all: db.prepare<[number], RecordRow>('SELECT seq, hash, type, time, bytes, sig FROM records WHERE seq >= ? ORDER BY seq'),
    // Climate batches are no custody step either; the extra term keeps the records_custody index usable.
    recentCustody: db.prepare<[number], RecordRow>("SELECT seq, hash, type, time, bytes, sig FROM records WHERE type != 'heartbeat' AND type != 'climate' ORDER BY seq DESC LIMIT ?"),
    tagHistory: db.prepare<[string], { type: string }>('SELECT type FROM record_tags WHERE tag = ? ORDER BY seq'),
    insertReceipt: db.prepare<[{ seq: number; leaf: number }]>('INSERT OR IGNORE INTO receipts (seq, leaf) SELECT @seq, @leaf WHERE EXISTS (SELECT 1 FROM records WHERE seq = @seq)'),
    unproven: db.prepare<[number], RecordRow & { leaf: number }>(
      'SELECT r.seq, r.hash, r.type, r.time, r.bytes, r.sig, x.leaf FROM receipts x JOIN records r ON r.seq = x.seq WHERE x.checkpoint_size IS NULL ORDER BY x.seq LIMIT ?',
    ),
    markProven: db.prepare('UPDATE receipts SET checkpoint_size = ? WHERE seq = ? AND checkpoint_size IS NULL'),
    receipt: db.prepare<[number], { leaf: number; checkpoint_size: number | null }>('SELECT leaf, checkpoint_size FROM receipts WHERE seq = ?'),
  };
}
type Statements = ReturnType<typeof prepareStatements>;

interface RecordRow {
  seq: number;
  hash: string;
  type: string;
  time: string;
  bytes: Buffer;
  sig: Buffer;
}

function toRecord(r: RecordRow): OutboxRecord {
  return {
    seq: r.seq,
    hash: r.hash,
    type: r.type as EventType,
    time: r.time,
    bytes: new Uint8Array(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength),
    signature: new Uint8Array(r.sig.buffer, r.sig.byteOffset, r.sig.byteLength),
  };
}

/** One export line (JSONL): the record's envelope, exactly as it travels. */
export function envelopeLine(r: OutboxRecord): string {
  return encodeEnvelope(r);
}

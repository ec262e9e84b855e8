/**
 * The SQLite store's hot path as prepared better-sqlite3 statements: ingest's group commit and the bag
 * projection's writes run for every record, and building each query through drizzle cost more than
 * SQLite's own work (docs/benchmarks.md). Table and column names and value encodings still come from
 * the drizzle schema (schema.sqlite.ts), so the schema stays the one definition.
 */
import type Database from 'better-sqlite3';
import { getTableColumns, getTableName, type Column } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as schema from './schema.sqlite.ts';

type Row = Record<string, unknown>;
type ColumnsOf<T extends SQLiteTable> = keyof T['$inferInsert'] & string;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

interface Field {
  key: string;
  column: Column;
}

/** Values in the driver's encoding (JSON text, buffers, ...), in the fields' order. */
function encoder(fields: readonly Field[]): (row: Row) => unknown[] {
  return (row) =>
    fields.map(({ key, column }) => {
      const v = row[key];
      return v === undefined || v === null ? null : column.mapToDriverValue(v);
    });
}

function fieldsOf<T extends SQLiteTable>(table: T, keys: readonly ColumnsOf<T>[]): Field[] {
  const all = getTableColumns(table) as Record<string, Column>;
  return keys.map((key) => {
    const column = all[key];
    if (!column) throw new Error(`table ${getTableName(table)} has no column ${key}`);
    return { key, column };
  });
}

/**
 * `insert into <table> (<columns>) values (...) <tail>` prepared once; `run(row)` takes a row keyed like
 * the drizzle schema. `tail` is the conflict clause, e.g. `on conflict do nothing`.
 */
export function preparedInsert<T extends SQLiteTable>(db: Database.Database, table: T, keys: readonly ColumnsOf<T>[], tail = ''): (row: Partial<T['$inferInsert']>) => Database.RunResult {
  const fields = fieldsOf(table, keys);
  const statement = db.prepare(
    `insert into ${quote(getTableName(table))} (${fields.map((f) => quote(f.column.name)).join(', ')}) values (${fields.map(() => '?').join(', ')}) ${tail}`,
  );
  const encode = encoder(fields);
  return (row) => statement.run(encode(row as Row));
}

/** `excluded.<column>` for every column but the conflict target's: an upsert that replaces the row. */
export function replaceAllBut<T extends SQLiteTable>(table: T, keys: readonly ColumnsOf<T>[], target: readonly ColumnsOf<T>[]): string {
  const targets = new Set<string>(target);
  return fieldsOf(table, keys)
    .filter((f) => !targets.has(f.key))
    .map(({ column }) => `${quote(column.name)} = excluded.${quote(column.name)}`)
    .join(', ');
}

/** The SQL name of a schema column, for the few hand-written statements. */
export function columnName<T extends SQLiteTable>(table: T, key: ColumnsOf<T>): string {
  return quote(fieldsOf(table, [key])[0]!.column.name);
}

export function tableName(table: SQLiteTable): string {
  return quote(getTableName(table));
}

type Insert<T extends SQLiteTable> = (row: Partial<T['$inferInsert']>) => Database.RunResult;

/** The statements appendRecords and the bag projection run per record and per bag. */
export interface HotStatements {
  /** `changes` is 0 when (device, seq) is stored already. */
  insertRecord: Insert<typeof schema.records>;
  storedHash(device: string, seq: number): string | undefined;
  insertRecordTag: Insert<typeof schema.recordTags>;
  insertCorrection: Insert<typeof schema.recordCorrections>;
  /** Never moves an ack backwards (another process on the same file may have acked further); `changes` 0 when it did not move. */
  recordAck: Insert<typeof schema.deviceStatus>;
  recordSeen: Insert<typeof schema.deviceStatus>;
  /** Replaces a bag's summary; keeps the stored trail when the new row has none. */
  upsertBag: Insert<typeof schema.bags>;
  deleteBag: Database.Statement<[string]>;
  deleteBagTags: Database.Statement<[string]>;
  insertBagTag: Insert<typeof schema.bagTags>;
  /** The log head's tree size (the one row the migration made). */
  logSize(): number;
  setLogSize: Database.Statement<[number]>;
  leafHash(index: number): Buffer | undefined;
  nodeHash(level: number, index: number): Buffer | undefined;
  insertLeaf: Insert<typeof schema.logLeaves>;
  insertNode: Insert<typeof schema.logNodes>;
}

export function hotStatements(db: Database.Database): HotStatements {
  const records = schema.records;
  const bags = schema.bags;
  const bagKeys = Object.keys(getTableColumns(bags)) as Array<ColumnsOf<typeof bags>>;
  const recordHash = db.prepare(`select ${columnName(records, 'hash')} as hash from ${tableName(records)} where ${columnName(records, 'device')} = ? and ${columnName(records, 'seq')} = ?`);
  const ds = schema.deviceStatus;
  const ackedSeq = columnName(ds, 'ackedSeq');
  const { logHead: head, logLeaves: leaves, logNodes: nodes } = schema;
  const logSize = db.prepare(`select ${columnName(head, 'size')} as size from ${tableName(head)}`);
  const leafHash = db.prepare(`select ${columnName(leaves, 'leafHash')} as hash from ${tableName(leaves)} where ${columnName(leaves, 'index')} = ?`);
  const nodeHash = db.prepare(`select ${columnName(nodes, 'hash')} as hash from ${tableName(nodes)} where ${columnName(nodes, 'level')} = ? and ${columnName(nodes, 'index')} = ?`);
  return {
    insertRecord: preparedInsert(db, records, ['device', 'seq', 'hash', 'prev', 'kid', 'deviceTime', 'receivedAt', 'type', 'bytes', 'signature', 'body'], 'on conflict do nothing'),
    storedHash: (device: string, seq: number) => (recordHash.get(device, seq) as { hash: string } | undefined)?.hash,
    insertRecordTag: preparedInsert(db, schema.recordTags, ['tag', 'device', 'seq'], 'on conflict do nothing'),
    insertCorrection: preparedInsert(db, schema.recordCorrections, ['targetDevice', 'targetSeq', 'device', 'seq'], 'on conflict do nothing'),
    recordAck: preparedInsert(
      db,
      ds,
      ['device', 'ackedSeq', 'ackedHash'],
      `on conflict (${columnName(ds, 'device')}) do update set ${replaceAllBut(ds, ['ackedSeq', 'ackedHash'], [])} where ${tableName(ds)}.${ackedSeq} is null or ${tableName(ds)}.${ackedSeq} <= excluded.${ackedSeq}`,
    ),
    recordSeen: preparedInsert(db, ds, ['device', 'lastSeenAt'], `on conflict (${columnName(ds, 'device')}) do update set ${replaceAllBut(ds, ['lastSeenAt'], [])}`),
    upsertBag: preparedInsert(
      db,
      bags,
      bagKeys,
      `on conflict (${columnName(bags, 'bag')}) do update set ${replaceAllBut(
        bags,
        bagKeys.filter((k) => k !== 'trail'),
        ['bag'],
      )}, ${columnName(bags, 'trail')} = coalesce(excluded.${columnName(bags, 'trail')}, ${tableName(bags)}.${columnName(bags, 'trail')})`,
    ),
    deleteBag: db.prepare(`delete from ${tableName(bags)} where ${columnName(bags, 'bag')} = ?`),
    deleteBagTags: db.prepare(`delete from ${tableName(schema.bagTags)} where ${columnName(schema.bagTags, 'bag')} = ?`),
    insertBagTag: preparedInsert(db, schema.bagTags, ['tag', 'bag']),
    logSize: () => (logSize.get() as { size: number }).size,
    setLogSize: db.prepare(`update ${tableName(head)} set ${columnName(head, 'size')} = ?`),
    leafHash: (index) => (leafHash.get(index) as { hash: Buffer } | undefined)?.hash,
    nodeHash: (level, index) => (nodeHash.get(level, index) as { hash: Buffer } | undefined)?.hash,
    insertLeaf: preparedInsert(db, leaves, ['index', 'device', 'seq', 'entry', 'leafHash']),
    insertNode: preparedInsert(db, nodes, ['level', 'index', 'hash']),
  };
}


/**
 * What the dialect-free queries (this folder, one file per aggregate) are given: a drizzle database, the
 * tables, and the few things the two dialects say differently. sqlite.ts and pg.ts each build one and
 * add only what cannot be shared: transactions that read before they write, the SQLite hot path's
 * prepared statements, PostgreSQL's row locks.
 *
 * The database is typed as PostgreSQL's. The part of drizzle's query builder used here (select, insert
 * with onConflict and returning, update, delete, awaited for its rows) is the same in its SQLite
 * builder, and both schemas have the same tables, columns and column keys (schema.sqlite.ts,
 * schema.pg.ts). PostgreSQL-only calls (`for('update')`) stay in pg.ts; the store contract tests
 * (server/test/store) run every query here on both.
 */
import { and, sql, type Column, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type * as pgSchema from '../schema.pg.ts';

import type { DialectTime } from '../dashboard-rows.ts';

export type Tables = typeof pgSchema;
export type QueryDb = NodePgDatabase<Tables>;

/** What a transaction offers the queries: the same builders as the database. */
export type QueryTx = Pick<QueryDb, 'select' | 'insert' | 'update' | 'delete'>;

/** A write built but not run yet (a drizzle builder: awaiting it runs it). */
export type Write = PromiseLike<unknown>;

type SealedTotalsBags = Record<'institution' | 'state' | 'sealedGrams' | 'receivedGrams' | 'pickedUpAt' | 'sealedAt' | 'sealedDay', Column>;

export interface Dialect {
  /** Runs the writes `build` makes on the transaction it is given, in order, in ONE transaction. */
  writeAll(build: (tx: QueryTx) => Iterable<Write>): Promise<void>;
  /** The larger of two values (SQLite's two-argument max, PostgreSQL's greatest). */
  greatest(a: Column, b: unknown): SQL;
  /** The type sums of grams are cast to (they are read back as JavaScript numbers). */
  gramsType: 'bigint' | 'integer';
  /** The count of bags picked up within 48 h of sealing (timestamps are ISO text, subtracted as each dialect can). */
  handedOverWithin48h(bags: SealedTotalsBags): SQL<number>;
  /** Values per IN (...) list. */
  inChunk: number;
  /** (device, seq) pairs per OR-of-ANDs: keeps the expression under the dialect's depth limit. */
  pairChunk: number;
  /** Time arithmetic on the RFC 3339 text columns (the dashboard's daily figures). */
  time: DialectTime;
}

export interface Queries {
  db: QueryDb;
  t: Tables;
  dialect: Dialect;
}

/** Rows per multi-row INSERT: well under SQLite's 32766 bound variables at 12 columns. */
export const INSERT_CHUNK = 500;

/** count(*) as a JavaScript number in both dialects (PostgreSQL's bigint count would come back as text). */
export const countAll = sql<number>`cast(count(*) as integer)`;

/** A condition nothing meets (SQLite has no boolean literal): an empty list filters everything out. */
export const nothing = sql`0 = 1`;

export type { SealedTotalsBags };

/** Splits a list for IN (...) lists and multi-row inserts. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** AND of the filter parts that are present; undefined when there are none (no WHERE). */
export function conjunction(parts: Array<SQL | undefined>): SQL | undefined {
  const present = parts.filter((p): p is SQL => p !== undefined);
  return present.length === 0 ? undefined : and(...present);
}

export function listOf<T>(v: T | T[] | undefined): T[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v : [v];
}

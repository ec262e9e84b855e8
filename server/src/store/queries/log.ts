/**
 * The verifiable log as stored (LogStore): leaves, complete nodes, checkpoints and cosignatures. Leaves
 * are appended only by each dialect's appendRecords (sequencing: ../log-append.ts). logSize and logNodes
 * here are drizzle's; the SQLite store answers them from its prepared statements.
 */
import { and, asc, desc, eq, gte, inArray, lt, or, sql } from 'drizzle-orm';
import { nodeKey, type Hash, type NodeAddress } from '@wastetrail/firmware-protocol';
import type { LogStore } from '../repository.ts';
import { byTable } from '../log-append.ts';
import { chunks, type Dialect, type QueryDb, type Queries, type Tables } from './context.ts';

export function logQueries({ db, t, dialect }: Queries): LogStore {
  const leaves = t.logLeaves;
  async function checkpointOf(size: number) {
    const [row] = await db.select().from(t.logCheckpoints).where(eq(t.logCheckpoints.size, size));
    return row;
  }
  // Every trail the API shows names the checkpoint that proves it: prepared once, like the session reads.
  const newestCheckpoint = db.select().from(t.logCheckpoints).orderBy(desc(t.logCheckpoints.size)).limit(1).prepare('wt_latest_checkpoint');
  const cosignaturesAt = db
    .select()
    .from(t.logCosignatures)
    .where(eq(t.logCosignatures.size, sql.placeholder('size')))
    .orderBy(asc(t.logCosignatures.addedAt), asc(t.logCosignatures.witness))
    .prepare('wt_cosignatures_of');
  return {
    async logSize() {
      const [head] = await db.select({ size: t.logHead.size }).from(t.logHead);
      return head!.size;
    },

    logNodes(nodes) {
      return readLogNodes(db, t, dialect, nodes);
    },

    async logNodeRow(level, from, to) {
      const rows =
        level === 0
          ? await db.select({ hash: leaves.leafHash }).from(leaves).where(and(gte(leaves.index, from), lt(leaves.index, to))).orderBy(asc(leaves.index))
          : await db
              .select({ hash: t.logNodes.hash })
              .from(t.logNodes)
              .where(and(eq(t.logNodes.level, level), gte(t.logNodes.index, from), lt(t.logNodes.index, to)))
              .orderBy(asc(t.logNodes.index));
      return rows.map((row) => new Uint8Array(row.hash));
    },

    async logEntries(from, to) {
      const rows = await db.select({ entry: leaves.entry }).from(leaves).where(and(gte(leaves.index, from), lt(leaves.index, to))).orderBy(asc(leaves.index));
      return rows.map((row) => new Uint8Array(row.entry));
    },

    async logIndexes(records) {
      const found = new Map<string, number>();
      for (const part of chunks(records, dialect.pairChunk)) {
        const rows = await db
          .select({ index: leaves.index, device: leaves.device, seq: leaves.seq })
          .from(leaves)
          .where(or(...part.map((r) => and(eq(leaves.device, r.device), eq(leaves.seq, r.seq)))));
        for (const row of rows) found.set(`${row.device}\n${row.seq}`, row.index);
      }
      return records.map((r) => found.get(`${r.device}\n${r.seq}`));
    },

    async addCheckpoint(c) {
      const added = await db.insert(t.logCheckpoints).values(c).onConflictDoNothing().returning({ size: t.logCheckpoints.size });
      return added.length > 0;
    },

    async latestCheckpoint() {
      const [row] = await newestCheckpoint.execute();
      return row;
    },

    checkpointOf,

    async addCosignature(c) {
      const added = await db.insert(t.logCosignatures).values(c).onConflictDoNothing().returning({ size: t.logCosignatures.size });
      return added.length > 0;
    },

    async latestCheckpointCosignedBy(witnesses, quorum) {
      if (witnesses.length === 0 || quorum > witnesses.length) return undefined;
      const [row] = await db
        .select({ size: t.logCosignatures.size })
        .from(t.logCosignatures)
        .where(inArray(t.logCosignatures.witness, [...witnesses]))
        .groupBy(t.logCosignatures.size)
        .having(sql`count(*) >= ${quorum}`)
        .orderBy(desc(t.logCosignatures.size))
        .limit(1);
      return row === undefined ? undefined : checkpointOf(row.size);
    },

    async cosignaturesOf(size) {
      return cosignaturesAt.execute({ size });
    },
  };
}

/** Hashes of complete tree nodes: leaf hashes from log_leaves, the rest from log_nodes; absent when not complete. */
export async function readLogNodes(db: Pick<QueryDb, 'select'>, t: Tables, dialect: Dialect, nodes: readonly NodeAddress[]): Promise<Map<string, Hash>> {
  const found = new Map<string, Hash>();
  const { leaves, inner } = byTable(nodes);
  for (const part of chunks(leaves, dialect.inChunk)) {
    const rows = await db.select({ index: t.logLeaves.index, hash: t.logLeaves.leafHash }).from(t.logLeaves).where(inArray(t.logLeaves.index, part));
    for (const row of rows) found.set(nodeKey({ level: 0, index: row.index }), new Uint8Array(row.hash));
  }
  for (const part of chunks(inner, dialect.pairChunk)) {
    const rows = await db
      .select()
      .from(t.logNodes)
      .where(or(...part.map((n) => and(eq(t.logNodes.level, n.level), eq(t.logNodes.index, n.index)))));
    for (const row of rows) found.set(nodeKey(row), new Uint8Array(row.hash));
  }
  return found;
}

/** The transfer manifest projection (ManifestStore); rows and filters in ../manifest-rows.ts. */
import { asc, desc, eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { ManifestStore } from '../repository.ts';
import { chunks } from '../rows.ts';
import { DEFAULT_MANIFEST_PAGE, manifestInPlay, manifestRow, manifestWhere } from '../manifest-rows.ts';
import { countAll, INSERT_CHUNK, nothing, type Queries } from './context.ts';

export function manifestQueries({ db, t, dialect }: Queries): ManifestStore {
  const m = t.manifests;
  /** On a manifest conflict: every column from the new row. */
  const replace: Record<string, SQL> = {};
  for (const [key, column] of Object.entries(getTableColumns(m))) if (key !== 'manifest') replace[key] = sql.raw(`excluded.${column.name}`);
  return {
    async upsertManifests(manifests) {
      if (manifests.length === 0) return;
      // In number order, so two processes projecting overlapping manifests take the row locks in the same order.
      const ordered = [...manifests].sort((a, b) => (a.manifest < b.manifest ? -1 : a.manifest > b.manifest ? 1 : 0));
      await dialect.writeAll((tx) => chunks(ordered, INSERT_CHUNK / 12).map((part) => tx.insert(m).values(part.map(manifestRow)).onConflictDoUpdate({ target: m.manifest, set: replace })));
    },

    async manifest(manifest) {
      const [row] = await db.select({ data: m.data }).from(m).where(eq(m.manifest, manifest));
      return row?.data;
    },

    async searchManifests(filter) {
      const where = manifestWhere(filter, m, nothing);
      const [count] = await db.select({ n: countAll }).from(m).where(where);
      const rows = await db
        .select({ data: m.data })
        .from(m)
        .where(where)
        .orderBy(desc(m.startedAt), asc(m.manifest))
        .limit(filter.limit ?? DEFAULT_MANIFEST_PAGE)
        .offset(filter.offset ?? 0);
      return { manifests: rows.map((r) => r.data), total: count!.n };
    },

    async manifestsInPlay(since) {
      const rows = await db.select({ data: m.data }).from(m).where(manifestInPlay(since, m)).orderBy(asc(m.manifest));
      return rows.map((r) => r.data);
    },
  };
}

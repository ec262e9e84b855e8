/** The bag projection (BagStore): its rows, searches, daily figures and trails. */
import { and, asc, eq, getTableColumns, gt, gte, inArray, isNotNull, lt, lte, ne, notInArray, or, sql, type Column, type SQL } from 'drizzle-orm';
import type { WasteCategory } from '@wastetrail/firmware-protocol';
import type { BagTrail } from '../../custody/index.ts';
import type { BagFilter, BagStore, BagSummary, DailyMass, ProjectedBag } from '../repository.ts';
import { BAG_STATES_IN_CUSTODY, type BagOrder } from '../vocabulary.ts';
import { chunks, conjunction, countAll, INSERT_CHUNK, nothing, type Queries, type Tables } from './context.ts';

/**
 * The bag projection's queries. upsertBags here is drizzle's, in chunks; the SQLite store replaces it
 * with its prepared statements (sqlite-statements.ts: the projection writes after every commit).
 */
/** The ORDER BY of a bag search (BagFilter.order): by sealing time, never-sealed bags last, then by bag id. */
export function bagOrderBy(order: BagOrder | undefined, t: { sealedAt: Column; bag: Column }): SQL[] {
  return order === 'oldest' ? [sql`${t.sealedAt} asc nulls last`, asc(t.bag)] : [sql`${t.sealedAt} desc nulls last`, asc(t.bag)];
}

/** Trails per page of eachBagTrailInPlay. */
const TRAIL_PAGE = 1000;

/**
 * Bags the time rules must see (repository.ts eachBagTrailInPlay): in custody, or sealed or moved since
 * `since`. `state in (...)`, not `not in`: each term then has its index (a multi-index OR), not a scan.
 */
export function bagsInPlay(b: Record<'state' | 'lastStepAt' | 'sealedAt', Column>, since: string): SQL {
  return or(inArray(b.state, BAG_STATES_IN_CUSTODY), gte(b.lastStepAt, since), gte(b.sealedAt, since))!;
}

export function bagQueries({ db, t, dialect }: Queries): BagStore {
  const b = t.bags;
  const { trail: _trail, ...summaryColumns } = getTableColumns(b);
  /** On a bag conflict: every column from the new row, but a trail kept when none is given. */
  const replace: Record<string, SQL> = {};
  for (const [key, column] of Object.entries(summaryColumns)) if (key !== 'bag') replace[key] = sql.raw(`excluded.${column.name}`);
  replace.trail = sql`coalesce(excluded.trail, ${b.trail})`;
  const grams = sql.raw(dialect.gramsType);
  const sumOfGrams = (column: SQL | Column) => sql<number>`cast(coalesce(sum(${column}), 0) as ${grams})`.mapWith(Number);

  return {
    async upsertBags(bags, options = {}) {
      const keep = new Set(bags.map((x) => x.bag));
      const remove = (options.remove ?? []).filter((x) => !keep.has(x));
      // In id order, so two processes projecting overlapping bags take the row locks in the same order.
      const ordered = [...bags].sort((x, y) => (x.bag < y.bag ? -1 : x.bag > y.bag ? 1 : 0));
      await dialect.writeAll(function* (tx) {
        for (const part of chunks(remove, dialect.inChunk)) yield tx.delete(b).where(inArray(b.bag, part));
        for (const part of chunks(ordered, INSERT_CHUNK / 5)) {
          yield tx.insert(b).values(part.map(bagRow)).onConflictDoUpdate({ target: b.bag, set: replace });
          yield tx.delete(t.bagTags).where(inArray(t.bagTags.bag, part.map((x) => x.bag)));
          for (const rows of chunks(part.flatMap(bagTagRows), INSERT_CHUNK)) yield tx.insert(t.bagTags).values(rows);
        }
      });
    },

    async bag(bag) {
      const [row] = await db.select(summaryColumns).from(b).where(eq(b.bag, bag));
      return row && bagFromRow(row);
    },

    async bagByTag(tag) {
      const [row] = await db
        .select(summaryColumns)
        .from(t.bagTags)
        .innerJoin(b, eq(b.bag, t.bagTags.bag))
        .where(eq(t.bagTags.tag, tag))
        .orderBy(sql`case when ${b.bag} = ${tag} then 0 else 1 end`, sql`${b.sealedAt} asc nulls last`, asc(b.bag))
        .limit(1);
      return row && bagFromRow(row);
    },

    async searchBags(filter) {
      const where = bagWhere(b, filter);
      const [count] = await db.select({ n: countAll }).from(b).where(where);
      const rows = await db
        .select(summaryColumns)
        .from(b)
        .where(where)
        .orderBy(...bagOrderBy(filter.order, b))
        .limit(filter.limit ?? DEFAULT_BAG_PAGE)
        .offset(filter.offset ?? 0);
      return { bags: rows.map(bagFromRow), total: count!.n };
    },

    async dailyMassBalance(institution, fromDay, toDay): Promise<DailyMass[]> {
      return db
        .select({
          day: sql<string>`${b.sealedDay}`,
          bags: countAll,
          sealedGrams: sumOfGrams(b.sealedGrams),
          received: sql<number>`cast(count(${b.receivedAt}) as integer)`,
          receivedGrams: sumOfGrams(b.receivedGrams),
        })
        .from(b)
        .where(and(eq(b.institution, institution), gte(b.sealedDay, fromDay), lte(b.sealedDay, toDay), ne(b.state, 'voided')))
        .groupBy(b.sealedDay)
        .orderBy(asc(b.sealedDay));
    },

    async bagTrail(bag) {
      const [row] = await db.select({ trail: b.trail }).from(b).where(eq(b.bag, bag));
      return row?.trail ?? undefined;
    },

    async eachBagTrailInPlay(since, visit) {
      // In pages by bag id, so only one page of trails is in memory at a time.
      let visited = 0;
      for (let after: string | undefined; ; ) {
        const rows = await db
          .select({ bag: b.bag, trail: b.trail })
          .from(b)
          .where(and(isNotNull(b.trail), bagsInPlay(b, since), after === undefined ? undefined : gt(b.bag, after)))
          .orderBy(asc(b.bag))
          .limit(TRAIL_PAGE);
        for (const r of rows) visit(r.trail!);
        visited += rows.length;
        if (rows.length < TRAIL_PAGE) return visited;
        after = rows.at(-1)!.bag;
      }
    },

    async sealedTotals(fromDay, toDay) {
      const disposed = sql`${b.state} = 'disposed'`;
      return db
        .select({
          institution: sql<string>`${b.institution}`,
          bags: countAll,
          sealedGrams: sumOfGrams(b.sealedGrams),
          disposedBags: sql<number>`cast(sum(case when ${disposed} then 1 else 0 end) as integer)`,
          disposedGrams: sumOfGrams(sql`case when ${disposed} then ${b.receivedGrams} end`),
          handedOverWithin48h: dialect.handedOverWithin48h(b),
        })
        .from(b)
        .where(and(isNotNull(b.institution), gte(b.sealedDay, fromDay), lte(b.sealedDay, toDay), ne(b.state, 'voided')))
        .groupBy(b.institution)
        .orderBy(asc(b.institution));
    },
  };
}

function bagWhere(b: Tables['bags'], f: BagFilter): SQL | undefined {
  return conjunction([
    f.institutions !== undefined ? (f.institutions.length > 0 ? inArray(b.institution, f.institutions) : nothing) : undefined,
    f.disposalInstitution !== undefined ? eq(b.disposalInstitution, f.disposalInstitution) : undefined,
    f.vehicles !== undefined ? (f.vehicles.length > 0 ? inArray(b.vehicle, f.vehicles) : nothing) : undefined,
    f.from !== undefined ? gte(b.sealedAt, f.from) : undefined,
    f.to !== undefined ? lt(b.sealedAt, f.to) : undefined,
    f.states !== undefined ? (f.states.length > 0 ? inArray(b.state, f.states) : nothing) : undefined,
    f.category !== undefined ? eq(b.category, f.category) : undefined,
    f.manifest !== undefined ? eq(b.manifest, f.manifest) : undefined,
  ]);
}

// ---- Rows ----

/** The columns of `bags`: a bag's summary (category as stored text) and its trail. */
export type BagRow = Omit<BagSummary, 'category'> & { category: string | null; trail: BagTrail | null };

export function bagFromRow(r: Omit<BagRow, 'trail'>): BagSummary {
  return {
    bag: r.bag,
    tags: r.tags,
    institution: r.institution,
    department: r.department,
    category: r.category as WasteCategory | null,
    state: r.state,
    sealedAt: r.sealedAt,
    sealedGrams: r.sealedGrams,
    sealedDay: r.sealedDay,
    lastStep: r.lastStep,
    lastStepAt: r.lastStepAt,
    pickedUpAt: r.pickedUpAt,
    receivedAt: r.receivedAt,
    receivedGrams: r.receivedGrams,
    disposedAt: r.disposedAt,
    vehicle: r.vehicle,
    manifest: r.manifest,
    disposalInstitution: r.disposalInstitution,
    anomalies: r.anomalies,
  };
}

export function bagRow(b: ProjectedBag): BagRow {
  const { trail, ...summary } = b;
  return { ...bagFromRow({ ...summary, tags: [...summary.tags] }), trail: trail ?? null };
}

/** The bag_tags rows of a bag: each of its tags once. */
export function bagTagRows(b: BagSummary): Array<{ tag: string; bag: string }> {
  return [...new Set(b.tags)].map((tag) => ({ tag, bag: b.bag }));
}

/** searchBags' page when no limit is given. */
export const DEFAULT_BAG_PAGE = 100;

/** Where vehicles went (the track and door records' index) and storage rooms' climate samples (TrackStore). */
import { and, asc, eq, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import type { TrackStore } from '../repository.ts';
import { chunks, INSERT_CHUNK, type Queries } from './context.ts';
import { storedRecordFromRow } from './records.ts';

export function trackQueries({ db, t, dialect }: Queries): TrackStore {
  const c = t.climateSamples;
  return {
    async vehicleRecords(filter) {
      if (filter.vehicles?.length === 0) return [];
      const v = t.vehicleTrackRecords;
      const rows = await db
        .select({ record: t.records })
        .from(v)
        .innerJoin(t.records, and(eq(t.records.device, v.device), eq(t.records.seq, v.seq)))
        .where(and(filter.vehicles ? inArray(v.vehicle, [...filter.vehicles]) : undefined, gte(v.toTime, filter.from), lte(v.fromTime, filter.to)))
        .orderBy(asc(t.records.id));
      return rows.map((r) => storedRecordFromRow(r.record));
    },

    async addClimateSamples(samples) {
      if (samples.length === 0) return;
      await dialect.writeAll((tx) => chunks(samples, INSERT_CHUNK).map((part) => tx.insert(t.climateSamples).values(part).onConflictDoNothing()));
    },

    async climateSamples(f) {
      return db.select().from(c).where(and(eq(c.institution, f.institution), eq(c.room, f.room), gte(c.time, f.from), lt(c.time, f.to))).orderBy(asc(c.time), asc(c.device), asc(c.seq), asc(c.sample)).limit(f.limit);
    },

    async climateSince(since) {
      return db.select().from(c).where(gte(c.time, since)).orderBy(asc(c.institution), asc(c.room), asc(c.time), asc(c.device), asc(c.seq), asc(c.sample));
    },

    async climateRooms() {
      return db.select({ institution: c.institution, room: c.room, lastTime: sql<string>`max(${c.time})` }).from(c).groupBy(c.institution, c.room).orderBy(asc(c.institution), asc(c.room));
    },
  };
}

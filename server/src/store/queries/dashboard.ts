/** The regulator's dashboard (DashboardStore): daily figures counted in SQL, and the vehicles' last tracks. */
import { and, desc, eq } from 'drizzle-orm';
import type { DashboardStore } from '../repository.ts';
import { alertDayQuery, bagDayQuery, vehicleTrackWhere } from '../dashboard-rows.ts';
import type { Queries } from './context.ts';
import { storedRecordFromRow } from './records.ts';

export function dashboardQueries({ db, t, dialect }: Queries): DashboardStore {
  return {
    async latestVehicleTracks(vehicles) {
      const v = t.vehicleTrackRecords;
      // One backward step on the (vehicle, to_time) index per vehicle: a fleet is small, its tracks are not.
      const rows = await Promise.all(
        vehicles.map(async (plate) => {
          const [row] = await db
            .select({ record: t.records })
            .from(v)
            .innerJoin(t.records, and(eq(t.records.device, v.device), eq(t.records.seq, v.seq)))
            .where(vehicleTrackWhere(v, t.records, plate))
            .orderBy(desc(v.toTime), desc(t.records.id))
            .limit(1);
          return row ? [storedRecordFromRow(row.record)] : [];
        }),
      );
      return rows.flat();
    },

    async dailyFigures(q) {
      const b = bagDayQuery(q, t.bags, dialect.time);
      const a = alertDayQuery(q, t.alerts, dialect.time);
      const [bags, alerts] = await Promise.all([
        db.select(b.columns).from(t.bags).where(b.where).groupBy(b.groupBy).orderBy(b.groupBy),
        db.select(a.columns).from(t.alerts).where(a.where).groupBy(a.groupBy).orderBy(a.groupBy),
      ]);
      return { bags, alerts };
    },
  };
}

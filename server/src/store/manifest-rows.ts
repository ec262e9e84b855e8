/**
 * The manifests table as both stores write and search it (schema.sqlite.ts, schema.pg.ts): one row per
 * manifest, its searchable columns taken from the manifest, the manifest itself as JSON.
 */
import { and, asc, desc, gte, inArray, isNotNull, isNull, lt, or, eq, gt, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Manifest } from '../manifests/manifest.ts';
import type { ManifestFilter } from './repository.ts';
import { conjunction } from './rows.ts';

export const DEFAULT_MANIFEST_PAGE = 100;

type ManifestColumns = Record<'manifest' | 'status' | 'producer' | 'transporter' | 'receiver' | 'vehicle' | 'startedAt' | 'lastAt' | 'closedAt' | 'discrepancies', AnyColumn>;

export function manifestRow(m: Manifest) {
  return {
    manifest: m.manifest,
    status: m.status,
    producer: m.producer,
    transporter: m.transporter,
    receiver: m.receiver,
    vehicle: m.vehicle,
    startedAt: m.signatures.reduce((min, s) => (s.time < min ? s.time : min), m.lastAt),
    lastAt: m.lastAt,
    closedAt: m.closedAt,
    discrepancies: m.discrepancies.filter((d) => d.severity === 'discrepancy').length,
    data: m,
  };
}

/** `nothing` is the dialect's false (SQLite has no boolean literal). */
export function manifestWhere(f: ManifestFilter, t: ManifestColumns, nothing: SQL): SQL | undefined {
  const scope = f.parties;
  const inScope =
    scope === undefined
      ? undefined
      : scope.institutions.length + scope.vehicles.length === 0
        ? nothing
        : or(
            ...(scope.institutions.length > 0 ? [inArray(t.producer, [...scope.institutions]), inArray(t.transporter, [...scope.institutions]), inArray(t.receiver, [...scope.institutions])] : []),
            ...(scope.vehicles.length > 0 ? [inArray(t.vehicle, [...scope.vehicles])] : []),
          );
  return conjunction([
    inScope,
    f.manifest !== undefined ? eq(t.manifest, f.manifest) : undefined,
    f.producer !== undefined ? eq(t.producer, f.producer) : undefined,
    f.transporter !== undefined ? eq(t.transporter, f.transporter) : undefined,
    f.receiver !== undefined ? eq(t.receiver, f.receiver) : undefined,
    f.vehicle !== undefined ? eq(t.vehicle, f.vehicle) : undefined,
    f.statuses !== undefined ? (f.statuses.length > 0 ? inArray(t.status, f.statuses) : nothing) : undefined,
    f.from !== undefined ? gte(t.startedAt, f.from) : undefined,
    f.to !== undefined ? lt(t.startedAt, f.to) : undefined,
    f.discrepant === true ? gt(t.discrepancies, 0) : f.discrepant === false ? eq(t.discrepancies, 0) : undefined,
    f.open === true ? isNull(t.closedAt) : f.open === false ? isNotNull(t.closedAt) : undefined,
  ]);
}

/** The ORDER BY of a manifest search (ManifestFilter.order); the number breaks ties so that paging is stable. */
export function manifestOrder(order: ManifestFilter['order'], t: ManifestColumns): SQL[] {
  if (order === 'number') return [asc(t.manifest)];
  return [order === 'oldest' ? asc(t.startedAt) : desc(t.startedAt), asc(t.manifest)];
}

/** Manifests the rules must see (repository.ts manifestsInPlay). */
export function manifestInPlay(since: string, t: ManifestColumns): SQL {
  return or(isNull(t.closedAt), gte(t.lastAt, since), and(isNotNull(t.closedAt), gte(t.closedAt, since)))!;
}

/**
 * What the rules need to know besides trails, read from the store: each institution with its
 * jurisdiction path (city > district > grid, walked up the jurisdiction parents) and each device with
 * when it was last heard from. The builders are pure; loadRuleWorld is the one read.
 */
import { resolveThresholds, type DeviceStatus as RuleDeviceStatus, type InstitutionInfo, type RuleConfig, type RuleThresholds } from '../rules/index.ts';
import type { CustodyStore, DeviceRegistration, DeviceStatus, Institution, Jurisdiction } from '../store/index.ts';

/** The jurisdiction path of a jurisdiction id, broadest first; a loop or an unknown parent stops the walk. */
export function jurisdictionPathOf(id: string, jurisdictions: ReadonlyMap<string, Jurisdiction>): string[] {
  const path: string[] = [];
  for (let j: string | null | undefined = id; j != null && !path.includes(j); j = jurisdictions.get(j)?.parent) path.push(j);
  return path.reverse();
}

export function institutionInfos(jurisdictions: readonly Jurisdiction[], institutions: readonly Institution[]): InstitutionInfo[] {
  const byId = new Map(jurisdictions.map((j) => [j.id, j]));
  return institutions.map((i) => ({
    id: i.id,
    jurisdiction: jurisdictionPathOf(i.jurisdiction, byId),
    // A transport company's devices ride in its vehicles: the steps they sign are not at a fixed place.
    ...(i.kind === 'transport' ? { mobile: true } : {}),
  }));
}

export function ruleDevices(devices: readonly DeviceRegistration[], statuses: readonly DeviceStatus[]): RuleDeviceStatus[] {
  const seen = new Map(statuses.map((s) => [s.device, s.lastSeenAt]));
  return devices.map((d) => {
    const lastSeen = seen.get(d.id);
    return { device: d.id, institution: d.institution, stations: [...d.stations], ...(lastSeen ? { lastSeenMs: Date.parse(lastSeen) } : {}) };
  });
}

export interface RuleWorld {
  institutions: InstitutionInfo[];
  devices: RuleDeviceStatus[];
  /** The time zone in force at an institution (for the days bags are sealed on). */
  timeZoneOf(institution: string): string;
  /** The thresholds in force at an institution. */
  thresholdsOf(institution: string): RuleThresholds;
}

export async function loadRuleWorld(store: CustodyStore, config: RuleConfig): Promise<RuleWorld> {
  const [jurisdictions, institutions, devices, statuses] = await Promise.all([store.jurisdictions(), store.institutions(), store.devices(), store.deviceStatuses()]);
  const infos = institutionInfos(jurisdictions, institutions);
  const paths = new Map(infos.map((i) => [i.id, i.jurisdiction]));
  const thresholds = new Map<string, RuleThresholds>();
  const thresholdsOf = (institution: string) => {
    let t = thresholds.get(institution);
    if (t === undefined) thresholds.set(institution, (t = resolveThresholds(config, paths.get(institution) ?? [])));
    return t;
  };
  return {
    institutions: infos,
    devices: ruleDevices(devices, statuses),
    timeZoneOf: (institution) => thresholdsOf(institution).timeZone,
    thresholdsOf,
  };
}

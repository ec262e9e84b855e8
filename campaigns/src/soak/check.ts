/**
 * What the soak checks once everything has stopped (pure): every record an edge agent committed is
 * stored by the server, once, with the same hash; each bag's trail on the server names every record
 * its stations wrote about it; and no alert of the rules that mean "records were lost, forged or
 * reordered" was raised. Failures are listed, not just counted, so a failed soak says where to look.
 */

/** One record of a device's chain: in an agent's outbox or in the server's store. */
export interface ChainRecord {
  device: string;
  seq: number;
  hash: string;
}

/** A record naming a bag's tag (the outbox's and the store's record_tags). */
export interface BagMention {
  tag: string;
  device: string;
  seq: number;
}

export interface DeliveryReport {
  committed: number;
  stored: number;
  /** Committed by an agent, not stored. */
  lost: ChainRecord[];
  /** Stored more than once: the same (device, seq) or the same hash in two rows. */
  duplicated: ChainRecord[];
  /** Stored under a (device, seq) an agent committed with another hash. */
  altered: ChainRecord[];
  /** Stored, but committed by no agent (not from the city). */
  unknown: ChainRecord[];
}

const key = (r: { device: string; seq: number }) => `${r.device}#${r.seq}`;

export function checkDelivery(committed: readonly ChainRecord[], stored: readonly ChainRecord[]): DeliveryReport {
  const byPosition = new Map<string, ChainRecord[]>();
  const byHash = new Map<string, number>();
  for (const s of stored) {
    const k = key(s);
    byPosition.set(k, [...(byPosition.get(k) ?? []), s]);
    byHash.set(s.hash, (byHash.get(s.hash) ?? 0) + 1);
  }
  const duplicated = stored.filter((s) => byPosition.get(key(s))!.length > 1 || byHash.get(s.hash)! > 1);
  const committedAt = new Map(committed.map((c) => [key(c), c]));
  const lost: ChainRecord[] = [];
  const altered: ChainRecord[] = [];
  for (const c of committed) {
    const here = byPosition.get(key(c));
    if (!here) lost.push(c);
    else if (here.some((s) => s.hash !== c.hash)) altered.push(c);
  }
  const unknown = stored.filter((s) => !committedAt.has(key(s)));
  return { committed: committed.length, stored: stored.length, lost, duplicated, altered, unknown };
}

export interface TrailReport {
  bags: number;
  /** Bags whose server trail misses a record a station wrote about them. */
  broken: { tag: string; missing: { device: string; seq: number }[] }[];
}

export function checkTrails(atStations: readonly BagMention[], onServer: readonly BagMention[]): TrailReport {
  const stored = new Set(onServer.map((m) => `${m.tag} ${key(m)}`));
  const missing = new Map<string, { device: string; seq: number }[]>();
  const bags = new Set<string>();
  for (const m of atStations) {
    bags.add(m.tag);
    if (!stored.has(`${m.tag} ${key(m)}`)) missing.set(m.tag, [...(missing.get(m.tag) ?? []), { device: m.device, seq: m.seq }]);
  }
  return { bags: bags.size, broken: [...missing].map(([tag, m]) => ({ tag, missing: m })) };
}

/**
 * The rules whose alerts say records were lost, forged, replayed or reordered, or a bag counted twice:
 * a crash must raise none of them. The time rules (a bag waiting, a station silent) may fire while a
 * component is down: that is what they are for, so they are reported, not expected to be 0.
 */
export const CRASH_MUST_NOT_RAISE = ['integrity', 'out-of-order', 'unknown-origin', 'cloned-tag'] as const;

/** An alert as the soak reads it from the store. */
export interface RaisedAlert {
  rule: string;
  device: string | null;
  bag: string | null;
  /** The rule saw its condition clear (e.g. the late seal arrived). */
  cleared: boolean;
  /** The bag's seal record was stored after its receipt at disposal (it reached the server late). */
  lateSeal?: boolean;
  /** When it was opened, and since when its condition held, on the server's (simulated) clock. */
  openedAtMs?: number;
  sinceMs?: number;
}

export interface AlertReport {
  byRule: Record<string, number>;
  /** Of those, how many saw their condition clear (the bag moved on, the station spoke again). */
  clearedByRule: Record<string, number>;
  /** Alerts of CRASH_MUST_NOT_RAISE rules not explained below. */
  unexpected: number;
  /**
   * unknown-origin about a bag whose seal reached the server after its receipt at disposal: its ward's
   * station was offline or killed with the seal in its backlog (docs/server/rules.md: the rule waits
   * only until disposal). Explained when the condition cleared once the seal arrived.
   */
  lateSeal: { raised: number; cleared: number; sealedWhileOffline: number };
  /** device-silent alerts about the station that was offline on purpose. */
  offlineStationSilent: number;
}

export function checkAlerts(alerts: readonly RaisedAlert[], offline: { station: string; bags: ReadonlySet<string> } | undefined): AlertReport {
  const byRule: Record<string, number> = {};
  const clearedByRule: Record<string, number> = {};
  for (const a of alerts) {
    byRule[a.rule] = (byRule[a.rule] ?? 0) + 1;
    if (a.cleared) clearedByRule[a.rule] = (clearedByRule[a.rule] ?? 0) + 1;
  }
  const mustNot = new Set<string>(CRASH_MUST_NOT_RAISE);
  const late = alerts.filter((a) => a.rule === 'unknown-origin' && a.lateSeal === true);
  const explained = new Set(late.filter((a) => a.cleared));
  return {
    byRule,
    clearedByRule,
    unexpected: alerts.filter((a) => mustNot.has(a.rule) && !explained.has(a)).length,
    lateSeal: { raised: late.length, cleared: explained.size, sealedWhileOffline: late.filter((a) => a.bag !== null && offline?.bags.has(a.bag) === true).length },
    offlineStationSilent: alerts.filter((a) => a.rule === 'device-silent' && a.device === offline?.station).length,
  };
}

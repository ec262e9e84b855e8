/**
 * The people of the city at their stations, doing what the kiosk asks, in its order:
 *   seal       the bag's tag into the reader field, the category on the screen, the bag on the scale,
 *              the nurse's badge
 *   handovers  every bag's tag into the field, the load on the scale, vehicle/manifest or method/batch
 *              on the screen, then the badges in turn (giver, then receiver; or the keeper/operator)
 * Each step waits until the screen moves on; a refusal on the screen or no progress in time cancels the
 * transaction, so nothing half-done is left behind. Tags and badges are taken away afterwards.
 */
import { epcFromBadgeId, epcFromTagId, type TagId } from '@wastetrail/firmware-protocol';
import type { StationDevices } from './devices.ts';
import type { ActionOutcome, CityAction, HandoverLoad, ManifestSigning } from './model.ts';
import type { CityStation, StationNotice, StationView } from './station.ts';

type SealAction = Extract<CityAction, { kind: 'seal' }>;
type HandoverAction = Extract<CityAction, { kind: 'handover' }>;

export interface PerformOptions {
  /** Longest one transaction may take, in real ms. */
  timeoutMs?: number;
  /** Stops waiting (the city is stopping): the transaction is cancelled. */
  signal?: AbortSignal;
}

class StepFailed extends Error {}

/** Watches the screen: new refusals, progress, and a deadline. */
class Screen {
  private readonly station: CityStation;
  private readonly deadline: number;
  private readonly signal: AbortSignal | undefined;
  private seen: StationNotice | undefined;
  /** Refusals the caller decided to live with (a bag this station already recorded). */
  readonly tolerated: StationNotice[] = [];

  constructor(station: CityStation, o: PerformOptions, defaultTimeoutMs: number) {
    this.station = station;
    this.deadline = performance.now() + (o.timeoutMs ?? defaultTimeoutMs);
    this.signal = o.signal;
    this.seen = station.view().notice;
  }

  get view(): StationView {
    return this.station.view();
  }

  /** Polls until `done` holds; a new refusal that `tolerate` does not accept fails the step. */
  async until(done: (v: StationView) => boolean, what: string, tolerate?: (n: StationNotice) => boolean): Promise<StationView> {
    for (;;) {
      const v = this.station.view();
      if (v.notice !== this.seen) {
        this.seen = v.notice;
        if (v.notice?.level === 'refusal') {
          if (!tolerate?.(v.notice)) throw new StepFailed(`refused ${v.notice.code}${v.notice.params ? ` ${JSON.stringify(v.notice.params)}` : ''} while waiting for ${what}`);
          this.tolerated.push(v.notice);
        }
      }
      if (done(v)) return v;
      if (this.signal?.aborted) throw new StepFailed(`stopped while waiting for ${what}`);
      if (performance.now() > this.deadline) throw new StepFailed(`no ${what} in time (screen: ${v.step}, ${v.bags.length} bags, ${v.badges} badges)`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

const tagEpc = (tag: TagId) => {
  const epc = epcFromTagId(tag);
  if (!epc) throw new TypeError(`not an RFID tag: ${tag}`);
  return epc;
};
const badgeEpc = (badge: string) => {
  const epc = epcFromBadgeId(badge);
  if (!epc) throw new TypeError(`not a badge the reader can see: ${badge}`);
  return epc;
};

/** A nurse seals one bag at the ward station. */
export async function sealBag(station: CityStation, devices: StationDevices, a: SealAction, o: PerformOptions = {}): Promise<ActionOutcome> {
  const screen = new Screen(station, o, 15_000);
  const before = screen.view.lastSeq;
  const tag = tagEpc(a.tag);
  const badge = badgeEpc(a.staff);
  try {
    if (screen.view.step !== 'idle') station.command({ kind: 'cancel' });
    await devices.enter(tag, 'bag', o.signal);
    await screen.until((v) => v.step === 'category' && v.bags.includes(a.tag), 'the category prompt');
    station.command({ kind: 'category', category: a.category });
    await devices.put(a.grams);
    await screen.until((v) => v.step === 'badge' || v.lastSeq > before, 'a steady weight');
    await devices.enter(badge, 'badge', o.signal);
    await screen.until((v) => v.lastSeq > before, 'the sealed record');
    return { ok: true, committed: [a.tag] };
  } catch (err) {
    return failed(station, screen, before, err, { late: [a.tag], done: [] });
  } finally {
    await Promise.all([devices.leave(badge), devices.leave(tag), devices.clear()]);
  }
}

/** A handover: every load of the action is one transaction (usually one). */
export async function handOver(station: CityStation, devices: StationDevices, a: HandoverAction, o: PerformOptions = {}): Promise<ActionOutcome> {
  const committed: TagId[] = [];
  for (const load of a.loads) {
    const outcome = await handOverLoad(station, devices, a, load, o);
    committed.push(...outcome.committed);
    if (!outcome.ok) return { ...outcome, committed };
  }
  return { ok: true, committed };
}

async function handOverLoad(station: CityStation, devices: StationDevices, a: HandoverAction, load: HandoverLoad, o: PerformOptions): Promise<ActionOutcome> {
  const screen = new Screen(station, o, 20_000 + 100 * load.bags.length);
  const tags = load.bags.map((t) => ({ tag: t, epc: tagEpc(t) }));
  const badges = a.badges.map(badgeEpc);
  // A bag this station recorded already (a run stopped hard after the record) is refused: it is done.
  const already = (n: StationNotice) => n.code.startsWith('ALREADY_') && typeof n.params?.tag === 'string' && load.bags.includes(n.params.tag);
  const alreadyDone = () => new Set(screen.tolerated.filter(already).map((n) => String(n.params!.tag)));
  let before = screen.view.lastSeq;
  /** Badges still held to the reader. */
  const held = new Set<Uint8Array>();
  try {
    if (screen.view.step !== 'idle') station.command({ kind: 'cancel' });
    if (screen.view.mode !== a.mode) {
      station.command({ kind: 'mode', mode: a.mode });
      await screen.until((v) => v.mode === a.mode, `mode ${a.mode}`);
    }
    before = screen.view.lastSeq;
    await Promise.all(tags.map((t) => devices.enter(t.epc, 'bag', o.signal)));
    await screen.until((v) => v.bags.length + alreadyDone().size >= tags.length, `all ${tags.length} bags read`, already);
    if (screen.view.bags.length === 0) return { ok: true, committed: [...alreadyDone()] };
    await devices.put(load.grams);
    for (const field of ['vehicle', 'manifest', 'method', 'batch'] as const) {
      const value = a.details[field];
      if (value !== undefined) station.command({ kind: 'detail', field, value });
    }
    await screen.until((v) => v.step === 'badge', 'the badge prompt', already);
    for (let i = 0; i < badges.length; i++) {
      const badge = badges[i]!;
      await devices.enter(badge, 'badge', o.signal);
      held.add(badge);
      await screen.until((v) => v.badges > i || v.lastSeq > before, `badge ${i + 1} of ${badges.length}`, already);
      await devices.leave(badge);
      held.delete(badge);
    }
    await screen.until((v) => v.lastSeq > before, 'the record', already);
    return { ok: true, committed: [...load.bags] };
  } catch (err) {
    return failed(station, screen, before, err, { late: load.bags, done: [...alreadyDone()] });
  } finally {
    await Promise.all([...tags.map((t) => devices.leave(t.epc)), ...[...held].map((b) => devices.leave(b)), devices.clear()]);
  }
}

/** A manifest step on the station's manifest form: submitted whole, done when its record is written. */
export async function signManifest(station: CityStation, event: ManifestSigning['event'], o: PerformOptions = {}): Promise<ActionOutcome> {
  const screen = new Screen(station, o, 15_000);
  const before = screen.view.lastSeq;
  try {
    if (screen.view.step !== 'idle') station.command({ kind: 'cancel' });
    station.command({ kind: 'manifest', event });
    await screen.until((v) => v.lastSeq > before, `the ${event.type} record of ${event.body.manifest}`);
    return { ok: true, committed: [] };
  } catch (err) {
    return failed(station, screen, before, err, { late: [], done: [] });
  }
}

/** `late`: the bags that count if the record went in after all; `done`: bags recorded here before. */
function failed(station: CityStation, screen: Screen, before: number, err: unknown, bags: { late: TagId[]; done: TagId[] }): ActionOutcome {
  // The record may have gone in just as time ran out: then it counts.
  if (screen.view.lastSeq > before) return { ok: true, committed: bags.late };
  const committed = bags.done;
  if (screen.view.step !== 'idle') station.command({ kind: 'cancel' });
  if (err instanceof StepFailed) return { ok: false, committed, reason: err.message };
  return { ok: false, committed, reason: err instanceof Error ? err.message : String(err) };
}

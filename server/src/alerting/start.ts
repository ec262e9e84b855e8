/**
 * The alerting service: the shell around the pure rules and alert book.
 *
 *   ingest commit ─> bag projection (server/src/bags) ─> BAG_RULES on the bags touched ─> alert book ─> onEffects
 *   (off ingest's path: commits go on while it catches up, and commits waiting are projected together)
 *   integrity findings ─────────────────────────────────> integrityAlert ──────────────> alert book ─> onEffects
 *   tick (every tickMs, or tick(nowMs)) ─> every rule over the bags in play, devices, institutions
 *                                       ─> alert book + escalation ─> onEffects
 *
 * Commits, findings and ticks are handled one after another, in the order they come. People's actions
 * (acknowledge, resolve) go straight to the book; the store's revisions keep them and the ticks from
 * overwriting each other.
 */
import { Counter, Registry, silentLogger, type Logger } from '@wastetrail/runtime';
import { escalationPolicyFor } from '../alerts/index.ts';
import { BagProjection } from '../bags/index.ts';
import { CLIMATE_WINDOW_MS, climateSamplesOf, roomClimates } from '../climate/index.ts';
import { ManifestProjection } from '../manifests/index.ts';
import type { AcceptedHook, AcceptedRecord } from '../ingest/index.ts';
import type { IntegrityHook } from '../ingest/integrity.ts';
import { loadedVehicleOf, loadTransport } from './transport.ts';
import { BAG_RULES, MANIFEST_RULES, evaluateRules, ruleLookbackMs, startEvaluation, subjectKey, type IntegrityFinding, type RuleConfig, type RuleEvaluation } from '../rules/index.ts';
import type { CustodyStore } from '../store/index.ts';
import { integrityEvaluation } from './integrity.ts';
import { AlertLedger, type AlertActionOutcome, type AlertNotice } from './ledger.ts';
import { loadRuleWorld, type RuleWorld } from './world.ts';

/** What alerting follows of ingest (server/src/ingest: the Ingest it returns). */
export interface AlertingIngest {
  onAccepted(hook: AcceptedHook): () => void;
  onIntegrity?(hook: IntegrityHook): () => void;
}

/** Accepted records not yet projected beyond which ingest waits for the projection. */
const MAX_PROJECTION_BACKLOG = 20_000;

export interface AlertingOptions {
  store: CustodyStore;
  /** Each commit's records update the bag projection and are judged; its integrity findings go through the book. */
  ingest?: AlertingIngest;
  ruleConfig: RuleConfig;
  /** The clock (ms since the epoch): alert times, commit-time judgements and timer ticks use it. */
  clock: () => number;
  /** How often every rule runs (ms); 0: only when tick() is called. */
  tickMs: number;
  /** Several processes: the timer's tick (and so escalation) runs only while this says this process leads. */
  isLeader?: () => boolean;
  /** What the book decided, for notifications: opened (with severity), severity raised, escalated to level N, ... */
  onEffects?: (notices: AlertNotice[]) => void | Promise<void>;
  /** Fill an empty bag projection from the stored records at start (default true). */
  rebuildEmptyProjection?: boolean;
  /** A child of the process's root logger; default: silent. */
  logger?: Logger;
  /** The process's registry: alerts raised and escalated are counted on it (wastetrail_alerts_*). */
  metrics?: Registry;
}

export interface TickReport {
  nowMs: number;
  /** Trails judged: bags neither disposed nor voided, and bags sealed or moved within ruleLookbackMs. */
  bags: number;
  devices: number;
  institutions: number;
  notices: AlertNotice[];
}

/** acknowledge and resolve, for the HTTP API: each applies the book's rule and stores the result. */
export interface AlertActions {
  /** open -> acknowledged (escalation stops); the note, if any, is kept with the acknowledgement. */
  acknowledge(alertId: number, by: string, note?: string): Promise<AlertActionOutcome>;
  /** open | acknowledged -> resolved, with a note saying what was done (NOTE_REQUIRED without one). */
  resolve(alertId: number, by: string, note: string): Promise<AlertActionOutcome>;
  /** A party's note on an unresolved alert; status and escalation unchanged (NOTE_REQUIRED without one). */
  explain(alertId: number, by: string, note: string): Promise<AlertActionOutcome>;
}

export interface Alerting extends AlertActions {
  readonly projection: BagProjection;
  readonly manifests: ManifestProjection;
  /** Runs every rule at `nowMs` (default: the clock), escalates, and reports. */
  tick(nowMs?: number): Promise<TickReport>;
  /** What follows a commit: its bags projected, judged by BAG_RULES, filed. (The ingest hook calls it.) */
  accept(records: readonly AcceptedRecord[]): Promise<AlertNotice[]>;
  /** Integrity findings into the book. (The ingest hook calls it.) */
  fileIntegrity(findings: readonly IntegrityFinding[]): Promise<AlertNotice[]>;
  /** Rebuilds every bag from every stored record; returns the records read. */
  rebuildBags(): Promise<number>;
  /** Resolves once everything queued so far is done (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startAlerting(options: AlertingOptions): Promise<Alerting> {
  const service = new AlertingService(options);
  await service.start();
  return service;
}

/** acknowledge / resolve on their own, for a process that runs the API but not the rules. */
export function alertActions(options: Pick<AlertingOptions, 'store' | 'clock' | 'onEffects' | 'logger'>, notify = announcer(options)): AlertActions {
  const ledger = new AlertLedger(options.store);
  return {
    async acknowledge(alertId, by, note) {
      const { outcome, notices } = await ledger.acknowledge(alertId, by, options.clock(), note);
      await notify(notices);
      return outcome;
    },
    async resolve(alertId, by, note) {
      const { outcome, notices } = await ledger.resolve(alertId, by, note, options.clock());
      await notify(notices);
      return outcome;
    },
    explain: (alertId, by, note) => ledger.explain(alertId, by, note, options.clock()),
  };
}

/** What the book decided goes to the log, the alert counters and onEffects (notifications). */
function announcer(options: Pick<AlertingOptions, 'onEffects' | 'logger' | 'metrics'>): (notices: AlertNotice[]) => Promise<void> {
  const log = options.logger ?? silentLogger;
  const registry = options.metrics ?? new Registry();
  const raised = new Counter({ name: 'wastetrail_alerts_raised_total', help: 'Alerts opened, by rule and severity.', labelNames: ['rule', 'severity'], registers: [registry] });
  const escalated = new Counter({ name: 'wastetrail_alerts_escalated_total', help: 'Alerts escalated to the institution head (level 2) or the regulator (level 3), by rule.', labelNames: ['rule', 'level'], registers: [registry] });
  return async (notices) => {
    for (const { effect, alert } of notices) {
      if (effect.kind === 'opened') raised.inc({ rule: alert.rule, severity: effect.severity });
      if (effect.kind === 'escalated') escalated.inc({ rule: alert.rule, level: String(effect.level) });
      log.info(
        { alert: alert.id, rule: alert.rule, severity: alert.severity, institution: alert.institution ?? undefined, device: alert.device ?? undefined, effect: effect.kind, escalationLevel: 'level' in effect ? effect.level : undefined },
        `alert ${effect.kind}`,
      );
    }
    if (!options.onEffects || notices.length === 0) return;
    try {
      await options.onEffects(notices);
    } catch (err) {
      log.error({ notices: notices.length, err }, 'onEffects failed');
    }
  };
}

class AlertingService implements Alerting {
  readonly projection: BagProjection;
  readonly manifests: ManifestProjection;
  private readonly options: AlertingOptions;
  private readonly store: CustodyStore;
  private readonly ledger: AlertLedger;
  private readonly log: Logger;
  private readonly notify: (notices: AlertNotice[]) => Promise<void>;
  private readonly actions: AlertActions;
  private readonly unsubscribe: Array<() => void> = [];
  private world: RuleWorld | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private closed = false;
  /** Accepted records waiting for the next projection run (taken together), and how many are not projected yet. */
  private incoming: { records: AcceptedRecord[]; done: Promise<AlertNotice[]> } | undefined;
  private projecting = 0;

  constructor(options: AlertingOptions) {
    this.options = options;
    this.store = options.store;
    this.ledger = new AlertLedger(options.store);
    this.log = options.logger ?? silentLogger;
    this.notify = announcer(options);
    this.actions = alertActions(options, this.notify);
    this.projection = new BagProjection({ store: options.store });
    this.manifests = new ManifestProjection({ store: options.store });
  }

  async start(): Promise<void> {
    await this.refreshWorld();
    const ingest = this.options.ingest;
    if (ingest) {
      this.unsubscribe.push(
        ingest.onAccepted((records) => {
          const done = this.accept(records).then(
            () => undefined,
            (err: unknown) => this.log.error({ records: records.length, err }, 'bag projection or rules after a commit failed'),
          );
          // Ingest commits (and acknowledges) on while the projection catches up; only a projection
          // this far behind makes ingest wait, so memory stays bounded.
          return this.projecting > MAX_PROJECTION_BACKLOG ? done : undefined;
        }),
      );
      if (ingest.onIntegrity) {
        this.unsubscribe.push(
          ingest.onIntegrity(async (findings) => {
            await this.fileIntegrity(findings);
          }),
        );
      }
    }
    if (this.options.rebuildEmptyProjection ?? true) {
      void this.run(async () => {
        if ((await this.store.searchBags({ limit: 1 })).total > 0 || (await this.store.countRecords()) === 0) return;
        this.log.info('the bag projection is empty: rebuilding it from the stored records');
        const read = await this.projection.rebuildAll();
        this.log.info({ records: read }, 'bag projection rebuilt');
      }).catch((err: unknown) => this.log.error({ err }, 'rebuilding the bag projection failed'));
      void this.run(async () => {
        // A store from before the manifest projection: its manifests come from the records it holds.
        if ((await this.store.searchManifests({ limit: 1 })).total > 0 || (await this.store.countRecords()) === 0) return;
        const read = await this.manifests.rebuildAll();
        this.log.info({ records: read, manifests: (await this.store.searchManifests({ limit: 1 })).total }, 'manifest projection rebuilt');
      }).catch((err: unknown) => this.log.error({ err }, 'rebuilding the manifest projection failed'));
    }
    if (this.options.tickMs > 0) {
      this.timer = setInterval(() => {
        // A tick still running (a big city) is not queued again behind itself.
        if (this.ticking || this.closed) return;
        if (this.options.isLeader?.() === false) {
          // Not the leader: no rules, no escalation; but the institutions and keyring the commits are judged with stay fresh.
          this.run(() => this.refreshWorld()).catch((err: unknown) => this.log.error({ err }, 'reloading institutions and keyring failed'));
          return;
        }
        this.tick().catch((err: unknown) => this.log.error({ err }, 'rule tick failed'));
      }, this.options.tickMs);
      this.timer.unref();
    }
  }

  acknowledge(alertId: number, by: string, note?: string): Promise<AlertActionOutcome> {
    return this.actions.acknowledge(alertId, by, note);
  }

  resolve(alertId: number, by: string, note: string): Promise<AlertActionOutcome> {
    return this.actions.resolve(alertId, by, note);
  }

  explain(alertId: number, by: string, note: string): Promise<AlertActionOutcome> {
    return this.actions.explain(alertId, by, note);
  }

  accept(records: readonly AcceptedRecord[]): Promise<AlertNotice[]> {
    // Commits that arrive while the queue is busy are projected together: a bag touched by several
    // commits is rebuilt once, and each transaction carries more bags.
    this.projecting += records.length;
    if (this.incoming) {
      this.incoming.records.push(...records);
      return this.incoming.done;
    }
    const incoming: { records: AcceptedRecord[]; done: Promise<AlertNotice[]> } = { records: [...records], done: Promise.resolve([]) };
    this.incoming = incoming;
    incoming.done = this.run(async () => {
      this.incoming = undefined;
      try {
        return await this.project(incoming.records);
      } finally {
        this.projecting -= incoming.records.length;
      }
    });
    return incoming.done;
  }

  private async project(records: readonly AcceptedRecord[]): Promise<AlertNotice[]> {
    // Climate readings are kept per room for the API and the tick's climate rules (no bag rule uses them).
    const climate = records.filter((r) => r.record.type === 'climate');
    if (climate.length > 0) {
      // A device provisioned since the last tick is not in the world yet: read it again rather than drop its readings.
      if (climate.some((r) => !this.world!.devices.some((d) => d.device === r.record.device))) await this.refreshWorld();
      const devices = new Map(this.world!.devices.map((d) => [d.device, d.institution]));
      await this.store.addClimateSamples(climateSamplesOf(climate, (d) => devices.get(d)));
    }
    const { trails, removed } = await this.projection.projectAccepted(records);
    const manifests = await this.manifests.projectAccepted(records);
    if (trails.length === 0 && removed.length === 0 && manifests.length === 0) return [];
    const world = this.world!;
    const evaluation = evaluateRules({ nowMs: this.options.clock(), config: this.options.ruleConfig, institutions: world.institutions, trails, manifests, rules: [...BAG_RULES, ...MANIFEST_RULES] });
    // Ids that turned out not to be bags were judged too: whatever was said about them has cleared.
    return this.file(withJudged(evaluation, removed.map((b) => subjectKey('bag', b))));
  }

  fileIntegrity(findings: readonly IntegrityFinding[]): Promise<AlertNotice[]> {
    return this.run(() => this.file(integrityEvaluation(findings, this.options.clock())));
  }

  tick(nowMs?: number): Promise<TickReport> {
    this.ticking = true;
    return this.run(async () => {
      const now = nowMs ?? this.options.clock();
      const config = this.options.ruleConfig;
      const world = await this.refreshWorld();
      const lookbackMs = ruleLookbackMs(config);
      const since = new Date(now - lookbackMs).toISOString();
      const [manifests, rooms, readings] = await Promise.all([
        this.store.manifestsInPlay(since),
        this.store.climateRooms(),
        this.store.climateSince(new Date(now - CLIMATE_WINDOW_MS).toISOString()),
      ]);
      // The trails stream through the rules: each rule keeps what it needs of each, so the tick's memory
      // does not hold the city's trails. The transport context needs the loaded vehicles, so it comes last.
      const evaluation = startEvaluation({ nowMs: now, config, institutions: world.institutions, devices: world.devices, manifests, climate: roomClimates(rooms, readings) });
      const loaded = new Set<string>();
      const bags = await this.store.eachBagTrailInPlay(since, (trail) => {
        evaluation.add(trail);
        const vehicle = loadedVehicleOf(trail);
        if (vehicle !== undefined) loaded.add(vehicle);
      });
      const transport = await loadTransport(this.store, { nowMs: now, lookbackMs, devices: world.devices, loaded });
      const notices = await this.file(evaluation.finish(transport), escalationPolicyFor(config, world.institutions));
      return { nowMs: now, bags, devices: world.devices.length, institutions: world.institutions.length, notices };
    }).finally(() => {
      this.ticking = false;
    });
  }

  rebuildBags(): Promise<number> {
    return this.run(() => this.projection.rebuildAll());
  }

  async idle(): Promise<void> {
    for (let seen = this.queue; ; seen = this.queue) {
      await seen.catch(() => undefined);
      if (seen === this.queue) return;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (const off of this.unsubscribe.splice(0)) off();
    await this.idle();
  }

  private async file(evaluation: RuleEvaluation, policy?: Parameters<AlertLedger['file']>[1]): Promise<AlertNotice[]> {
    const notices = await this.ledger.file(evaluation, policy);
    await this.notify(notices);
    return notices;
  }

  /** Institutions, devices and time zones, re-read each tick (and the keyring the projection reads). */
  private async refreshWorld(): Promise<RuleWorld> {
    const world = await loadRuleWorld(this.store, this.options.ruleConfig);
    this.world = world;
    this.projection.setTimeZones((institution) => world.timeZoneOf(institution));
    this.manifests.setThresholds((institution) => world.thresholdsOf(institution).manifestDiscrepancy);
    await this.projection.reloadKeyring();
    await this.manifests.reloadKeyring();
    return world;
  }

  /** One thing at a time, in order; a failure is the caller's and does not stop what comes after. */
  private run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

function withJudged(evaluation: RuleEvaluation, subjects: readonly string[]): RuleEvaluation {
  if (subjects.length === 0) return evaluation;
  return { ...evaluation, evaluated: { rules: evaluation.evaluated.rules, subjects: [...new Set([...evaluation.evaluated.subjects, ...subjects])].sort() } };
}

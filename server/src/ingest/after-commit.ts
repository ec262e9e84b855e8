/**
 * What follows a commit, after the acks: the batch's integrity findings (to the alerting service's hook,
 * or filed into the alert book directly when none is registered) and the onAccepted hooks, in order.
 * A hook that fails is logged; it never undoes a commit.
 */
import type { Keyring } from '@wastetrail/firmware-protocol';
import type { Logger } from '@wastetrail/runtime';
import type { CustodyStore } from '../store/index.ts';
import { fileIntegrityFindings, integrityFinding, type IntegrityFinding, type IntegrityHook, type IntegrityProblem } from './integrity.ts';
import type { AcceptedRecord } from './pending-batch.ts';
import type { IngestStats } from './stats.ts';

export type AcceptedHook = (records: AcceptedRecord[]) => void | Promise<void>;

export interface AfterCommitOptions {
  store: CustodyStore;
  /** The keyring in force: which institution a device belongs to. */
  keyring: () => Keyring;
  counters: IngestStats;
  log: Logger;
  now: () => number;
}

export class AfterCommit {
  private readonly o: AfterCommitOptions;
  private readonly acceptedHooks = new Set<AcceptedHook>();
  private readonly integrityHooks = new Set<IntegrityHook>();
  private readonly jurisdictions = new Map<string, string | undefined>();

  constructor(options: AfterCommitOptions) {
    this.o = options;
  }

  onAccepted(hook: AcceptedHook): () => void {
    this.acceptedHooks.add(hook);
    return () => this.acceptedHooks.delete(hook);
  }

  onIntegrity(hook: IntegrityHook): () => void {
    this.integrityHooks.add(hook);
    return () => this.integrityHooks.delete(hook);
  }

  /** The batch's problems as findings, each with its device's institution and jurisdiction. */
  async integrity(problems: ReadonlyMap<string, IntegrityProblem>): Promise<void> {
    if (problems.size === 0) return;
    try {
      const found: IntegrityFinding[] = [];
      for (const p of problems.values()) {
        const institution = this.o.keyring().devices.get(p.device)?.institution;
        const jurisdiction = institution === undefined ? undefined : await this.jurisdictionOf(institution);
        found.push(integrityFinding(p, { institution, jurisdiction }));
      }
      if (this.integrityHooks.size === 0) await fileIntegrityFindings(this.o.store, found, this.o.now());
      else for (const hook of this.integrityHooks) await hook(found);
      this.o.counters.integrityAlerts += found.length;
    } catch (err) {
      this.o.log.error({ problems: [...problems.keys()], err }, 'integrity alerts not stored');
    }
  }

  /** The records a commit stored, to every onAccepted hook in turn (a returned promise is awaited). */
  async accepted(records: AcceptedRecord[]): Promise<void> {
    if (records.length === 0) return;
    for (const hook of this.acceptedHooks) {
      try {
        await hook(records);
      } catch (err) {
        this.o.log.error({ err }, 'onAccepted hook failed');
      }
    }
  }

  private async jurisdictionOf(institution: string): Promise<string | undefined> {
    if (!this.jurisdictions.has(institution)) this.jurisdictions.set(institution, (await this.o.store.institution(institution))?.jurisdiction);
    return this.jurisdictions.get(institution);
  }
}

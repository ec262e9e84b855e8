/**
 * The light witness's shell: runs an audit (audit.ts), says what it found in the log (an error line with
 * the failure's code: an alarm), and counts outcomes for the agent's metrics. `wastetrail-edge audit`
 * runs it once; the running agent every `verifiableLog.auditMinutes`.
 */
import type { NoteVerifierKey } from '@wastetrail/firmware-protocol';
import type { Logger } from '@wastetrail/runtime';
import type { Outbox } from '../outbox/outbox.ts';
import { auditLog, type AuditFailureCode, type AuditOutcome } from './audit.ts';

export interface LogWitnessOptions {
  outbox: Outbox;
  url: string;
  key: NoteVerifierKey;
  logger: Logger;
  fetch?: typeof fetch;
}

export class LogWitness {
  /** Audits passed, and failed by code, since this process started. */
  readonly stats: { passed: number; failed: Map<AuditFailureCode, number> } = { passed: 0, failed: new Map() };
  private readonly o: LogWitnessOptions;
  private running: Promise<AuditOutcome> | undefined;

  constructor(o: LogWitnessOptions) {
    this.o = o;
  }

  /** One audit; a call while one runs waits for that one. */
  audit(): Promise<AuditOutcome> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Resolves once no audit runs (before the outbox closes). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async run(): Promise<AuditOutcome> {
    const { outbox, url, key, logger } = this.o;
    const r = await auditLog({ outbox, url, key, ...(this.o.fetch ? { fetch: this.o.fetch } : {}) });
    if (r.ok) {
      this.stats.passed++;
      logger.info({ size: r.size, previousSize: r.previousSize, proven: r.proven, waiting: r.waiting }, 'log audit passed');
    } else {
      this.stats.failed.set(r.code, (this.stats.failed.get(r.code) ?? 0) + 1);
      const at = { ...(r.seq !== undefined ? { seq: r.seq } : {}), ...(r.leaf !== undefined ? { leaf: r.leaf } : {}) };
      logger.error({ code: r.code, url, ...at }, `LOG AUDIT FAILED ${r.code}: ${r.message}`);
    }
    return r;
  }
}

/** Drives a StationWorkflow the way the agent does, with the time passed in and commits answered. */
import { EVENT_BODIES, type CustodyEvent, type EventType } from '@wastetrail/firmware-protocol';
import { expect } from 'vitest';
import { LANGUAGES, renderMessage } from '../../src/station/messages.ts';
import { StationWorkflow, type StationInput, type StationSettings, type StationState } from '../../src/station/workflow.ts';

export const BAG_A = 'epc:3074257bf7194e4000001a85';
export const BAG_B = 'epc:3174257bf4499602d2000000';
export const BAG_C = 'epc:30aaaaaaaaaaaaaaaaaaaaaa';
export const STAFF = 'giai:0614141.100742';
export const COLLECTOR = 'giai:0614141.200001';
export const KEEPER = 'giai:0614141.300001';
export const CREW = 'giai:0614141.400001';
export const OPERATOR = 'giai:0614141.500001';

export const BASE: Omit<StationSettings, 'role'> = { stepTimeoutMs: 60_000, weighTimeoutMs: 10_000, minGrams: 10, maxBags: 5 };

export class Station {
  readonly wf: StationWorkflow;
  state: StationState;
  now = 1_000;
  readonly committed: CustodyEvent[] = [];
  /** Records the shell "writes"; set to an Error to make the next commit fail. */
  failNext: Error | undefined;
  /** Tag histories the shell would look up in the outbox. */
  readonly history = new Map<string, EventType[]>();
  private seq = 0;

  constructor(settings: Partial<StationSettings> & Pick<StationSettings, 'role'>) {
    this.wf = new StationWorkflow({ ...BASE, ...settings });
    this.state = this.wf.initial();
  }

  send(input: StationInput, advanceMs = 0): this {
    this.now += advanceMs;
    const out = this.wf.next(this.state, input, this.now);
    this.state = out.state;
    // Whatever the station says must read as a sentence in both languages: every {parameter} filled.
    for (const m of [out.state.prompt, out.state.notice]) {
      for (const lang of LANGUAGES) if (m) expect(renderMessage(m.code, m.params, lang), `${m.code} in ${lang}`).not.toMatch(/\{\w+\}/);
    }
    for (const e of out.effects) {
      // Every record the machine asks for must be one the server will accept.
      const check = EVENT_BODIES[e.event.type].check(e.event.body, 'body');
      expect(check.ok, JSON.stringify(check)).toBe(true);
      if (this.failNext) {
        const err = this.failNext;
        this.failNext = undefined;
        this.send({ kind: 'commit-failed', reason: err.message });
      } else {
        this.committed.push(e.event);
        this.seq++;
        for (const tag of tagsOf(e.event)) this.history.set(tag, [...(this.history.get(tag) ?? []), e.event.type]);
        this.send({ kind: 'committed', seq: this.seq });
      }
    }
    return this;
  }

  tag(tagId: string, source: 'rfid' | 'qr' = 'rfid', extra: Partial<Extract<StationInput, { kind: 'tag' }>> = {}): this {
    return this.send({ kind: 'tag', tagId, source, history: this.history.get(tagId) ?? [], ...extra });
  }

  /** A load settling: a moving reading, then steady ones. */
  weigh(grams: number): this {
    this.send({ kind: 'weight', grams: grams + 37, stable: false }, 100);
    return this.send({ kind: 'weight', grams, stable: true }, 400);
  }

  unload(): this {
    this.send({ kind: 'weight', grams: 3, stable: false }, 100);
    return this.send({ kind: 'weight', grams: 0, stable: true }, 400);
  }

  badge(id: string): this {
    return this.send({ kind: 'badge', badgeId: id });
  }

  tick(ms: number): this {
    return this.send({ kind: 'tick' }, ms);
  }

  get notice() {
    return this.state.notice?.code;
  }

  get prompt() {
    return this.state.prompt.code;
  }
}

function tagsOf(e: CustodyEvent): string[] {
  if (e.type === 'sealed') return e.body.tags;
  if (e.type === 'disposed') return e.body.bags;
  if ('bags' in e.body && Array.isArray(e.body.bags)) return (e.body.bags as { tag: string }[]).map((b) => b.tag);
  return [];
}

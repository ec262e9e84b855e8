/**
 * The station workflow: a pure state machine. Device events and operator commands go in with the time
 * (monotonic ms), a new state and effects come out; nothing here reads a clock, a port or a database.
 * The only effect is `commit` (write one custody record); the shell answers it with `committed` or
 * `commit-failed`, so the station never says "sealed" for a record that is not on disk.
 *
 * A transaction is a checklist filled in order; what is missing first is the next step:
 *   seal (department)        bag tag -> category -> stable weight -> staff badge           -> sealed
 *   collect                  bags -> stable weight -> giver badge -> receiver badge        -> collected
 *   store-in (storage)       bags -> stable weight -> keeper badge                         -> stored
 *   store-out (storage)      bags -> stable weight -> vehicle, manifest -> giver -> crew   -> picked-up
 *   pickup                   bags -> stable weight -> vehicle, manifest -> giver -> crew   -> picked-up
 *   receive (disposal)       bags -> stable weight -> vehicle, manifest -> operator        -> received
 *   dispose (disposal)       bags -> method, batch -> operator (weight if the scale has one)-> disposed
 *   pack / unpack            box tag -> bags -> staff or keeper badge                      -> aggregated
 *   correct (any station)    one of its own records, void or amend, reason -> authoriser    -> correction
 * In the multi-bag modes bags may be added until the first badge is accepted, which also locks the
 * weight. Refusals (unknown badge, bag already recorded here, tag lost, weight never stable, timeout)
 * set a notice and either keep the transaction (the operator can fix it) or drop it whole.
 */
import {
  DISPOSAL_METHODS,
  EVENT_BODIES,
  EVENTS_BY_STATION,
  code as codeSchema,
  type CustodyEvent,
  type DisposalMethod,
  type EventType,
  type StationRole,
  type TagId,
  type WasteCategory,
} from '@wastetrail/firmware-protocol';

export const STATION_MODES = ['seal', 'collect', 'store-in', 'store-out', 'pickup', 'receive', 'dispose', 'pack', 'unpack'] as const;
export type StationMode = (typeof STATION_MODES)[number];

/** The modes a station of each role offers; the first is the default. */
export const MODES_BY_ROLE: Readonly<Record<StationRole, readonly StationMode[]>> = {
  // Bags are packed into turnover boxes on the ward or in the storage room (docs/devices/rfid.md).
  department: ['seal', 'pack', 'unpack'],
  collection: ['collect'],
  storage: ['store-in', 'store-out', 'pack', 'unpack'],
  pickup: ['pickup'],
  disposal: ['receive', 'dispose'],
  // A vehicle station hands nothing over: it signs its track and door events (src/vehicle/).
  vehicle: [],
};

export const EVENT_OF_MODE: Readonly<Record<StationMode, EventType>> = {
  seal: 'sealed',
  collect: 'collected',
  'store-in': 'stored',
  'store-out': 'picked-up',
  pickup: 'picked-up',
  receive: 'received',
  dispose: 'disposed',
  pack: 'aggregated',
  unpack: 'aggregated',
};

/** Modes that put bags into a turnover box or take them out: a box tag, bags, one badge; no weight. */
const BOX_MODES: readonly StationMode[] = ['pack', 'unpack'];

/** A turnover box's tag: a GRAI-96 EPC (header 0x33), as bags are SGTIN-96 or SSCC-96 (docs/devices/rfid.md). */
export const isBoxTag = (tagId: TagId): boolean => tagId.startsWith('epc:33');

export type BadgeSlot = 'staff' | 'giver' | 'receiver' | 'keeper' | 'crew' | 'operator';
/** Roles a known badge may carry (config `badges.known[].roles`). */
export const BADGE_ROLES = ['staff', 'collector', 'keeper', 'crew', 'operator'] as const;
export type BadgeRole = (typeof BADGE_ROLES)[number];

/** The badges each mode needs, in the order they are tapped, and which roles may fill each. */
const BADGE_SLOTS: Readonly<Record<StationMode, readonly { slot: BadgeSlot; roles: readonly BadgeRole[] }[]>> = {
  seal: [{ slot: 'staff', roles: ['staff'] }],
  collect: [{ slot: 'giver', roles: ['staff'] }, { slot: 'receiver', roles: ['collector'] }],
  'store-in': [{ slot: 'keeper', roles: ['keeper'] }],
  'store-out': [{ slot: 'giver', roles: ['keeper'] }, { slot: 'crew', roles: ['crew'] }],
  pickup: [{ slot: 'giver', roles: ['keeper'] }, { slot: 'crew', roles: ['crew'] }],
  receive: [{ slot: 'operator', roles: ['operator'] }],
  dispose: [{ slot: 'operator', roles: ['operator'] }],
  pack: [{ slot: 'staff', roles: ['staff', 'keeper'] }],
  unpack: [{ slot: 'staff', roles: ['staff', 'keeper'] }],
};

export const DETAIL_FIELDS = ['vehicle', 'manifest', 'method', 'batch'] as const;
export type DetailField = (typeof DETAIL_FIELDS)[number];
/** The details each mode needs before its badges. */
export const DETAILS_OF_MODE: Readonly<Record<StationMode, readonly DetailField[]>> = {
  seal: [],
  collect: [],
  'store-in': [],
  'store-out': ['vehicle', 'manifest'],
  pickup: ['vehicle', 'manifest'],
  receive: ['vehicle', 'manifest'],
  dispose: ['method', 'batch'],
  pack: [],
  unpack: [],
};
/** Details that belong to one handover and are cleared after its record (a vehicle stays, a manifest does not). */
const PER_TRANSACTION_DETAILS: readonly DetailField[] = ['manifest', 'batch'];

export type Details = Partial<Record<DetailField, string>>;

export type Step = 'idle' | 'box' | 'bags' | 'category' | 'weigh' | 'details' | 'badge' | 'saving';

export type MessageCode =
  // prompts: what to do next
  | 'PLACE_BAG'
  | 'SCAN_BAGS'
  | 'CHOOSE_CATEGORY'
  | 'WAIT_WEIGHT'
  | 'ENTER_VEHICLE'
  | 'ENTER_MANIFEST'
  | 'ENTER_METHOD'
  | 'ENTER_BATCH'
  | 'TAP_STAFF_BADGE'
  | 'TAP_GIVER_BADGE'
  | 'TAP_RECEIVER_BADGE'
  | 'TAP_KEEPER_BADGE'
  | 'TAP_CREW_BADGE'
  | 'TAP_OPERATOR_BADGE'
  | 'SCAN_BOX'
  | 'SCAN_BAGS_FOR_BOX'
  | 'TAP_AUTHORISER_BADGE'
  | 'SAVING'
  // done
  | 'SEALED'
  | 'COLLECTED'
  | 'STORED'
  | 'PICKED_UP'
  | 'RECEIVED'
  | 'DISPOSED'
  | 'MANIFEST_SIGNED'
  | 'PACKED'
  | 'UNPACKED'
  | 'CORRECTED'
  // information
  | 'BAG_ADDED'
  | 'BAG_REMOVED'
  | 'BADGE_ACCEPTED'
  | 'DETAIL_SET'
  | 'MODE_CHANGED'
  | 'CATEGORY_FROM_LABEL'
  | 'BOX_SET'
  | 'CORRECTION_STARTED'
  // refusals
  | 'CANCELLED'
  | 'TIMEOUT'
  | 'WEIGHT_UNSTABLE'
  | 'WEIGHT_TOO_LOW'
  | 'SCALE_OFFLINE'
  | 'UNKNOWN_BADGE'
  | 'BADGE_NOT_ALLOWED'
  | 'SAME_BADGE'
  | 'ALREADY_SEALED'
  | 'ALREADY_COLLECTED'
  | 'ALREADY_STORED'
  | 'ALREADY_PICKED_UP'
  | 'ALREADY_RECEIVED'
  | 'ALREADY_DISPOSED'
  | 'TAG_LOST'
  | 'TWO_BAGS'
  | 'TOO_MANY_BAGS'
  | 'BAGS_CLOSED'
  | 'NOT_A_BAG_LABEL'
  | 'CATEGORY_MISMATCH'
  | 'SCAN_BAG_FIRST'
  | 'CATEGORY_FIRST'
  | 'WEIGHT_FIRST'
  | 'DETAILS_FIRST'
  | 'INVALID_DETAIL'
  | 'NOT_IN_THIS_MODE'
  | 'FINISH_FIRST'
  | 'MANIFEST_INVALID'
  | 'TWO_BOXES'
  | 'BOX_NOT_A_BAG'
  | 'RECORD_NOT_FOUND'
  | 'NOT_CORRECTABLE'
  | 'CORRECTION_INVALID'
  | 'STORE_FAILED';

export type NoticeLevel = 'info' | 'success' | 'refusal';
export type MessageParams = Record<string, string | number>;

export interface Notice {
  code: MessageCode;
  level: NoticeLevel;
  params?: MessageParams;
  /** When it was raised (the time passed in). */
  at: number;
}

export interface Prompt {
  code: MessageCode;
  params?: MessageParams;
}

export interface BadgeTap {
  slot: BadgeSlot;
  badgeId: string;
  name?: string;
}

export interface BagRead {
  tagId: TagId;
  source: 'rfid' | 'qr';
}

export interface Transaction {
  /** Department: the tags of one bag (an EPC and a QR label, up to 4). Other modes: one per bag. */
  bags: BagRead[];
  /** Pack and unpack: the turnover box. */
  box?: TagId;
  category?: WasteCategory;
  /** Category printed on a scanned label: the operator may not choose another. */
  labelCategory?: WasteCategory;
  /** Locked weight: department at the weighing step, other modes at the first badge. */
  weight?: { grams: number; epoch: number };
  badges: BadgeTap[];
  /** Other modes: no more bags (first badge accepted, or confirm). */
  bagsClosed: boolean;
  startedAt: number;
  /** Refreshed by every accepted input; the transaction is dropped when it passes without one. */
  deadline: number;
  /** When the weighing step began (for "weight never stable"). */
  weighSince?: number;
}

export interface ScaleView {
  /** undefined: no reading (scale offline, overload). */
  grams?: number;
  stable: boolean;
  /** Counts load changes; a weight is used by at most one record (no re-use of the last bag's weight). */
  epoch: number;
}

export interface StationState {
  mode: StationMode;
  step: Step;
  prompt: Prompt;
  tx?: Transaction;
  details: Details;
  scale: ScaleView;
  /** The scale epoch whose weight went into the last record. */
  usedEpoch: number;
  notice?: Notice;
  /** The last record committed from this station. */
  last?: { seq: number; type: EventType; at: number };
  /** A transfer manifest step being written (no transaction of bags: the operator submitted it whole). */
  signing?: ManifestSigning;
  /** A correction of one of this station's records, waiting for the authorising badge (then written). */
  correcting?: Correcting;
}

/** One of this station's records, as the shell found it in the outbox for a correction. */
export interface CorrectionTarget {
  device: string;
  seq: number;
  hash: string;
  type: EventType;
}

export interface Correcting {
  target: CorrectionTarget;
  action: 'void' | 'amend';
  reason: string;
  amend?: { weight?: { value: number; unit: 'g' }; category?: WasteCategory };
  deadline: number;
  /** True once the record is being written. */
  saving: boolean;
}

/** Record types a station may void or amend: its custody steps (not heartbeats, climate, corrections). */
export const CORRECTABLE_TYPES: readonly EventType[] = ['sealed', 'collected', 'stored', 'picked-up', 'received', 'disposed', 'aggregated'];

/** The manifest steps a station signs from a form (docs/transport/manifest.md): issue, receipt, closing. */
export const MANIFEST_EVENT_TYPES = ['manifest-issued', 'manifest-received', 'manifest-closed'] as const;
export type ManifestEventType = (typeof MANIFEST_EVENT_TYPES)[number];
export type ManifestSigning = Extract<CustodyEvent, { type: ManifestEventType }>;

export interface StationSettings {
  role: StationRole;
  mode?: StationMode;
  /** sealed.department (department role). */
  department?: string;
  /** stored.room (storage role). */
  room?: string;
  /** Details every transaction starts with (config pickup.vehicle, pickup.manifest, disposal.method). */
  defaults?: Details;
  /** Badge list; with refuseUnknown, any other badge is refused. */
  knownBadges?: ReadonlyMap<string, { name?: string; roles?: readonly BadgeRole[] }>;
  refuseUnknownBadges?: boolean;
  stepTimeoutMs: number;
  weighTimeoutMs: number;
  minGrams: number;
  maxBags: number;
}

export type StationInput =
  /** A bag tag arrived (RFID) or was scanned (QR). `history`: event types this station already recorded for it. */
  | { kind: 'tag'; tagId: TagId; source: 'rfid' | 'qr'; history: readonly EventType[]; labelCategory?: WasteCategory }
  /** An RFID tag left the reader's field. */
  | { kind: 'tag-lost'; tagId: TagId }
  | { kind: 'badge'; badgeId: string }
  /** A QR scan that is not one of our bag labels. */
  | { kind: 'unreadable-label'; reason: string }
  | { kind: 'weight'; grams?: number; stable: boolean }
  | { kind: 'category'; category: WasteCategory }
  | { kind: 'detail'; field: DetailField; value: string }
  | { kind: 'mode'; mode: StationMode }
  | { kind: 'confirm' }
  | { kind: 'cancel' }
  | { kind: 'tick' }
  /** A transfer manifest step, filled in whole on the kiosk (or by the site's system through it). */
  | { kind: 'manifest'; event: { type: ManifestEventType; body: unknown } }
  /**
   * Void or amend record `seq` of this station; the shell looked it up (`target`, absent when the outbox has
   * no such record). Written once a badge authorises it.
   */
  | { kind: 'correct'; seq: number; target?: CorrectionTarget; action: 'void' | 'amend'; reason: string; amend?: { grams?: number; category?: WasteCategory } }
  | { kind: 'committed'; seq: number }
  | { kind: 'commit-failed'; reason: string };

export type StationEffect = { kind: 'commit'; event: CustodyEvent };

export interface StationOutput {
  state: StationState;
  effects: StationEffect[];
}

const ALREADY: Readonly<Partial<Record<StationMode, MessageCode>>> = {
  seal: 'ALREADY_SEALED',
  collect: 'ALREADY_COLLECTED',
  'store-in': 'ALREADY_STORED',
  'store-out': 'ALREADY_PICKED_UP',
  pickup: 'ALREADY_PICKED_UP',
  receive: 'ALREADY_RECEIVED',
  dispose: 'ALREADY_DISPOSED',
};
const DONE: Readonly<Record<StationMode, MessageCode>> = {
  seal: 'SEALED',
  collect: 'COLLECTED',
  'store-in': 'STORED',
  'store-out': 'PICKED_UP',
  pickup: 'PICKED_UP',
  receive: 'RECEIVED',
  dispose: 'DISPOSED',
  pack: 'PACKED',
  unpack: 'UNPACKED',
};
const TAP: Readonly<Record<BadgeSlot, MessageCode>> = {
  staff: 'TAP_STAFF_BADGE',
  giver: 'TAP_GIVER_BADGE',
  receiver: 'TAP_RECEIVER_BADGE',
  keeper: 'TAP_KEEPER_BADGE',
  crew: 'TAP_CREW_BADGE',
  operator: 'TAP_OPERATOR_BADGE',
};
const ENTER: Readonly<Record<DetailField, MessageCode>> = {
  vehicle: 'ENTER_VEHICLE',
  manifest: 'ENTER_MANIFEST',
  method: 'ENTER_METHOD',
  batch: 'ENTER_BATCH',
};
const DEPARTMENT_MAX_TAGS = 4;

export class StationWorkflow {
  readonly settings: Readonly<StationSettings>;

  constructor(settings: StationSettings) {
    const mode = settings.mode ?? MODES_BY_ROLE[settings.role][0]!;
    if (!MODES_BY_ROLE[settings.role].includes(mode)) throw new RangeError(`a ${settings.role} station has no mode ${mode}`);
    if (mode === 'seal' && !settings.department) throw new RangeError('a department station needs its department code');
    if (settings.role === 'storage' && !settings.room) throw new RangeError('a storage station needs its room code');
    this.settings = Object.freeze({ ...settings, mode });
  }

  /** Modes this station offers. */
  get modes(): readonly StationMode[] {
    return MODES_BY_ROLE[this.settings.role];
  }

  initial(): StationState {
    return this.settle({ mode: this.settings.mode!, step: 'idle', prompt: { code: 'PLACE_BAG' }, details: { ...this.settings.defaults }, scale: { stable: false, epoch: 0 }, usedEpoch: -1 }, 0);
  }

  /** The next state for one input at time `now` (monotonic ms). Never throws on any input. */
  next(state: StationState, input: StationInput, now: number): StationOutput {
    const out = this.apply(state, input, now);
    return { state: this.settle(out.state, now), effects: out.effects };
  }

  /** When the shell must call `next(..., {kind:'tick'})` at the latest, or undefined when idle. */
  nextDeadline(state: StationState): number | undefined {
    if (state.correcting) return state.correcting.saving ? undefined : state.correcting.deadline;
    const tx = state.tx;
    if (!tx || state.step === 'saving') return undefined;
    const weighEnd = state.step === 'weigh' && tx.weighSince !== undefined ? tx.weighSince + this.settings.weighTimeoutMs : Infinity;
    return Math.min(tx.deadline, weighEnd);
  }

  // ---- transitions ----

  private apply(s: StationState, input: StationInput, now: number): StationOutput {
    const same = { state: s, effects: [] };
    // While a record is being written, only its outcome matters; the shell writes synchronously.
    if ((s.step === 'saving' || s.correcting?.saving) && input.kind !== 'committed' && input.kind !== 'commit-failed') {
      return input.kind === 'weight' ? { state: { ...s, scale: this.scaleAfter(s.scale, input) }, effects: [] } : same;
    }
    switch (input.kind) {
      case 'weight':
        return this.maybeSave({ ...s, scale: this.scaleAfter(s.scale, input) }, now, false);
      case 'tag':
        if (s.correcting) return same;
        return s.mode === 'seal' ? this.sealTag(s, input, now) : BOX_MODES.includes(s.mode) ? this.boxModeTag(s, input.tagId, input.source, now) : this.multiTag(s, input, now);
      case 'tag-lost':
        return this.tagLost(s, input.tagId, now);
      case 'unreadable-label':
        return notice(s, 'NOT_A_BAG_LABEL', 'refusal', now, { reason: input.reason });
      case 'badge':
        return s.correcting ? this.authorise(s, s.correcting, input.badgeId, now) : this.badge(s, input.badgeId, now);
      case 'category':
        return this.category(s, input.category, now);
      case 'detail':
        return this.detail(s, input.field, input.value, now);
      case 'mode':
        if (!this.modes.includes(input.mode)) return notice(s, 'NOT_IN_THIS_MODE', 'refusal', now);
        if (s.tx || s.correcting) return notice(s, 'FINISH_FIRST', 'refusal', now);
        if (input.mode === s.mode) return same;
        return notice({ ...s, mode: input.mode, details: { ...this.settings.defaults } }, 'MODE_CHANGED', 'info', now, { mode: input.mode });
      case 'confirm':
        if (!s.tx || s.mode === 'seal' || s.tx.bagsClosed) return same;
        return this.maybeSave({ ...s, tx: { ...s.tx, bagsClosed: true, deadline: now + this.settings.stepTimeoutMs } }, now, true);
      case 'cancel':
        if (s.correcting) return drop({ ...s, correcting: undefined }, 'CANCELLED', now);
        return s.tx ? drop(s, 'CANCELLED', now) : same;
      case 'correct':
        return this.correct(s, input, now);
      case 'tick':
        return this.tick(s, now);
      case 'manifest':
        return this.manifest(s, input.event, now);
      case 'committed':
        return this.committed(s, input.seq, now);
      case 'commit-failed':
        if (s.step !== 'saving' && !s.correcting?.saving) return same;
        return drop({ ...s, signing: undefined, correcting: undefined }, 'STORE_FAILED', now, { reason: input.reason.slice(0, 200) });
    }
  }

  private scaleAfter(scale: ScaleView, w: { grams?: number; stable: boolean }): ScaleView {
    // A load that moves, or a new steady value, is a new load: its weight may be used once.
    const changed = !w.stable || w.grams !== scale.grams || !scale.stable;
    const epoch = changed && (scale.stable || w.grams !== scale.grams) ? scale.epoch + 1 : scale.epoch;
    return { ...(w.grams !== undefined ? { grams: w.grams } : {}), stable: w.stable && w.grams !== undefined, epoch };
  }

  /** A steady weight of a load not used by any record yet. */
  private freshWeight(s: StationState): { grams: number; epoch: number } | undefined {
    const { grams, stable, epoch } = s.scale;
    if (!stable || grams === undefined || grams < this.settings.minGrams || epoch <= s.usedEpoch) return undefined;
    return { grams, epoch };
  }

  private sealTag(s: StationState, t: Extract<StationInput, { kind: 'tag' }>, now: number): StationOutput {
    const tx = s.tx;
    const sealedHere = t.history.includes('sealed');
    if (!tx) {
      if (sealedHere) return notice(s, 'ALREADY_SEALED', 'refusal', now, { tag: t.tagId });
      const started = newTx(now, this.settings.stepTimeoutMs, [{ tagId: t.tagId, source: t.source }]);
      if (t.labelCategory) {
        started.category = t.labelCategory;
        started.labelCategory = t.labelCategory;
      }
      const out = { ...s, tx: started };
      // With the category from the label, a weight already steady on the scale is taken at once.
      return t.labelCategory ? this.maybeSave(notice(out, 'CATEGORY_FROM_LABEL', 'info', now, { category: t.labelCategory }).state, now, true) : { state: { ...out, notice: undefined }, effects: [] };
    }
    if (tx.bags.some((b) => b.tagId === t.tagId)) return { state: s, effects: [] };
    // Sealed bags lying near the reader are no concern of the bag being sealed now.
    if (sealedHere) return { state: s, effects: [] };
    // One bag carries at most one RFID tag; its printed label may be scanned as well. A second RFID tag
    // is a second bag on the scale.
    const sameBag = tx.bags.length < DEPARTMENT_MAX_TAGS && (t.source === 'qr' || !tx.bags.some((b) => b.source === 'rfid'));
    if (!sameBag) return drop(s, 'TWO_BAGS', now, { tag: t.tagId });
    if (t.labelCategory && tx.category && t.labelCategory !== tx.category) {
      return notice(s, 'CATEGORY_MISMATCH', 'refusal', now, { label: t.labelCategory, chosen: tx.category });
    }
    const bags = [...tx.bags, { tagId: t.tagId, source: t.source }];
    const labelCategory = t.labelCategory ?? tx.labelCategory;
    const next: Transaction = { ...tx, bags, ...(labelCategory ? { labelCategory, category: labelCategory } : {}), deadline: now + this.settings.stepTimeoutMs };
    return this.maybeSave(notice({ ...s, tx: next }, 'BAG_ADDED', 'info', now, { tag: t.tagId }).state, now, true);
  }

  private multiTag(s: StationState, t: Extract<StationInput, { kind: 'tag' }>, now: number): StationOutput {
    const tx = s.tx;
    if (tx?.bags.some((b) => b.tagId === t.tagId)) return { state: s, effects: [] };
    const event = EVENT_OF_MODE[s.mode];
    // Taken out of storage, a bag may be stored again; every other step happens once per station.
    const done = s.mode === 'store-in' ? t.history.lastIndexOf('stored') > t.history.lastIndexOf('picked-up') : t.history.includes(event);
    if (done) return notice(s, ALREADY[s.mode]!, 'refusal', now, { tag: t.tagId });
    if (tx?.bagsClosed) return notice(s, 'BAGS_CLOSED', 'refusal', now, { tag: t.tagId });
    if (tx && tx.bags.length >= this.settings.maxBags) return notice(s, 'TOO_MANY_BAGS', 'refusal', now, { max: this.settings.maxBags });
    const bag = { tagId: t.tagId, source: t.source };
    const next: Transaction = tx
      ? { ...tx, bags: [...tx.bags, bag], deadline: now + this.settings.stepTimeoutMs, ...(tx.weighSince !== undefined ? { weighSince: now } : {}) }
      : newTx(now, this.settings.stepTimeoutMs, [bag]);
    return notice({ ...s, tx: next }, 'BAG_ADDED', 'info', now, { tag: t.tagId, count: next.bags.length });
  }

  private tagLost(s: StationState, tagId: TagId, now: number): StationOutput {
    const tx = s.tx;
    if (!tx || !tx.bags.some((b) => b.tagId === tagId && b.source === 'rfid')) return { state: s, effects: [] };
    if (s.mode === 'seal' || tx.bagsClosed) return drop(s, 'TAG_LOST', now, { tag: tagId });
    const bags = tx.bags.filter((b) => b.tagId !== tagId);
    if (bags.length === 0) return { state: { ...s, tx: undefined, notice: { code: 'BAG_REMOVED', level: 'info', params: { tag: tagId, count: 0 }, at: now } }, effects: [] };
    return notice({ ...s, tx: { ...tx, bags, deadline: now + this.settings.stepTimeoutMs } }, 'BAG_REMOVED', 'info', now, { tag: tagId, count: bags.length });
  }

  private category(s: StationState, category: WasteCategory, now: number): StationOutput {
    if (s.mode !== 'seal') return notice(s, 'NOT_IN_THIS_MODE', 'refusal', now);
    const tx = s.tx;
    if (!tx) return notice(s, 'SCAN_BAG_FIRST', 'refusal', now);
    if (tx.badges.length > 0) return { state: s, effects: [] };
    if (tx.labelCategory && tx.labelCategory !== category) return notice(s, 'CATEGORY_MISMATCH', 'refusal', now, { label: tx.labelCategory, chosen: category });
    return this.maybeSave({ ...s, notice: undefined, tx: { ...tx, category, deadline: now + this.settings.stepTimeoutMs } }, now, true);
  }

  private detail(s: StationState, field: DetailField, raw: string, now: number): StationOutput {
    if (!DETAILS_OF_MODE[s.mode].includes(field)) return notice(s, 'NOT_IN_THIS_MODE', 'refusal', now);
    const value = typeof raw === 'string' ? raw.trim() : '';
    const ok = field === 'method' ? (DISPOSAL_METHODS as readonly string[]).includes(value) : codeSchema.check(value, field).ok;
    if (!ok) return notice(s, 'INVALID_DETAIL', 'refusal', now, { field });
    const tx = s.tx ? { ...s.tx, deadline: now + this.settings.stepTimeoutMs } : undefined;
    const out = notice({ ...s, tx, details: { ...s.details, [field]: value } }, 'DETAIL_SET', 'info', now, { field, value });
    return this.maybeSave(out.state, now, true);
  }

  private badge(s: StationState, badgeId: string, now: number): StationOutput {
    const tx = s.tx;
    if (!tx) return notice(s, 'SCAN_BAG_FIRST', 'refusal', now);
    const known = this.settings.knownBadges?.get(badgeId);
    if (!known && this.settings.knownBadges && this.settings.refuseUnknownBadges !== false) return notice(s, 'UNKNOWN_BADGE', 'refusal', now, { badge: badgeId });
    if (tx.badges.some((b) => b.badgeId === badgeId)) return notice(s, 'SAME_BADGE', 'refusal', now, { badge: badgeId });
    const step = this.stepOf(s);
    if (step === 'category') return notice(s, 'CATEGORY_FIRST', 'refusal', now);
    if (step === 'weigh') return notice(s, 'WEIGHT_FIRST', 'refusal', now);
    if (step === 'details') return notice(s, 'DETAILS_FIRST', 'refusal', now);
    if (step !== 'badge') return { state: s, effects: [] };
    const slot = BADGE_SLOTS[s.mode][tx.badges.length]!;
    const knownRoles = known?.roles;
    if (knownRoles && !slot.roles.some((r) => knownRoles.includes(r))) return notice(s, 'BADGE_NOT_ALLOWED', 'refusal', now, { badge: known?.name ?? badgeId, role: slot.roles[0]! });
    const tap: BadgeTap = { slot: slot.slot, badgeId, ...(known?.name ? { name: known.name } : {}) };
    let next: Transaction = { ...tx, badges: [...tx.badges, tap], deadline: now + this.settings.stepTimeoutMs };
    if (s.mode !== 'seal' && tx.badges.length === 0) {
      // The first badge closes the list of bags and locks the weight on the scale now.
      const w = this.freshWeight(s);
      next = { ...next, bagsClosed: true, ...(w ? { weight: w } : {}) };
    }
    return this.maybeSave({ ...s, tx: next, notice: { code: 'BADGE_ACCEPTED', level: 'info', params: { badge: tap.name ?? badgeId, slot: slot.slot }, at: now } }, now, true);
  }

  private tick(s: StationState, now: number): StationOutput {
    if (s.correcting && !s.correcting.saving && now >= s.correcting.deadline) return drop({ ...s, correcting: undefined }, 'TIMEOUT', now, { seconds: Math.round(this.settings.stepTimeoutMs / 1000) });
    const tx = s.tx;
    if (!tx) return { state: s, effects: [] };
    if (this.stepOf(s) === 'weigh' && tx.weighSince !== undefined && now - tx.weighSince >= this.settings.weighTimeoutMs) {
      const { grams, stable } = s.scale;
      const why: MessageCode = grams === undefined ? 'SCALE_OFFLINE' : stable && grams < this.settings.minGrams ? 'WEIGHT_TOO_LOW' : 'WEIGHT_UNSTABLE';
      return drop(s, why, now, { seconds: Math.round(this.settings.weighTimeoutMs / 1000), minGrams: this.settings.minGrams });
    }
    if (now >= tx.deadline) return drop(s, 'TIMEOUT', now, { seconds: Math.round(this.settings.stepTimeoutMs / 1000) });
    return { state: s, effects: [] };
  }

  /**
   * Pack and unpack: the box tag (GRAI-96) names the box, any other tag is a bag. Bags may be added until
   * the badge; a bag packed before may be packed again (into another box after an unpack).
   */
  private boxModeTag(s: StationState, tagId: TagId, source: 'rfid' | 'qr', now: number): StationOutput {
    const tx = s.tx;
    if (isBoxTag(tagId)) {
      if (tx?.box === tagId) return { state: s, effects: [] };
      if (tx?.box) return notice(s, 'TWO_BOXES', 'refusal', now, { box: tx.box, tag: tagId });
      const next: Transaction = tx ? { ...tx, box: tagId, deadline: now + this.settings.stepTimeoutMs } : { ...newTx(now, this.settings.stepTimeoutMs, []), box: tagId };
      return notice({ ...s, tx: next }, 'BOX_SET', 'info', now, { box: tagId });
    }
    if (!tx?.box) return notice(s, 'BOX_NOT_A_BAG', 'refusal', now, { tag: tagId });
    if (tx.bags.some((b) => b.tagId === tagId)) return { state: s, effects: [] };
    if (tx.bagsClosed) return notice(s, 'BAGS_CLOSED', 'refusal', now, { tag: tagId });
    if (tx.bags.length >= this.settings.maxBags) return notice(s, 'TOO_MANY_BAGS', 'refusal', now, { max: this.settings.maxBags });
    const next: Transaction = { ...tx, bags: [...tx.bags, { tagId, source }], deadline: now + this.settings.stepTimeoutMs };
    return notice({ ...s, tx: next }, 'BAG_ADDED', 'info', now, { tag: tagId, count: next.bags.length });
  }

  /**
   * A correction asked for on the kiosk: one of this station's own custody records, voided or amended
   * (weight, or the category of a sealing), with a reason. Nothing is edited: the correction is a new
   * record, written once a known badge authorises it.
   */
  private correct(s: StationState, c: Extract<StationInput, { kind: 'correct' }>, now: number): StationOutput {
    if (s.tx || s.correcting || s.signing) return notice(s, 'FINISH_FIRST', 'refusal', now);
    if (!c.target) return notice(s, 'RECORD_NOT_FOUND', 'refusal', now, { seq: c.seq });
    if (!CORRECTABLE_TYPES.includes(c.target.type)) return notice(s, 'NOT_CORRECTABLE', 'refusal', now, { seq: c.seq, type: c.target.type });
    const reason = typeof c.reason === 'string' ? c.reason.trim() : '';
    const amend =
      c.action === 'amend'
        ? { ...(c.amend?.grams !== undefined ? { weight: { value: c.amend.grams, unit: 'g' as const } } : {}), ...(c.amend?.category !== undefined ? { category: c.amend.category } : {}) }
        : undefined;
    // A category belongs to the sealing; an amendment must change something; a void needs nothing more.
    const sensible = reason !== '' && (c.action === 'void' || (amend !== undefined && Object.keys(amend).length > 0 && (amend.category === undefined || c.target.type === 'sealed')));
    const correcting: Correcting = { target: c.target, action: c.action, reason, ...(amend ? { amend } : {}), deadline: now + this.settings.stepTimeoutMs, saving: false };
    const checked = EVENT_BODIES.correction.check(this.correctionBody(correcting, 'x'), 'body');
    if (!sensible || !checked.ok) return notice(s, 'CORRECTION_INVALID', 'refusal', now, { seq: c.seq, reason: checked.ok ? '' : checked.error.message.slice(0, 200) });
    return notice({ ...s, correcting }, 'CORRECTION_STARTED', 'info', now, { seq: c.seq, action: c.action });
  }

  private correctionBody(c: Correcting, authorisedBy: string) {
    const { type: _, ...target } = c.target;
    return { target, action: c.action, reason: c.reason, authorisedBy, ...(c.amend ? { amend: c.amend } : {}) };
  }

  /** The authorising badge of a correction: a known badge (when the station keeps a list), then the record. */
  private authorise(s: StationState, c: Correcting, badgeId: string, now: number): StationOutput {
    if (this.settings.knownBadges && this.settings.refuseUnknownBadges !== false && !this.settings.knownBadges.has(badgeId)) return notice(s, 'UNKNOWN_BADGE', 'refusal', now, { badge: badgeId });
    const event: CustodyEvent = { type: 'correction', body: this.correctionBody(c, badgeId) };
    return { state: { ...s, correcting: { ...c, saving: true }, notice: undefined }, effects: [{ kind: 'commit', event }] };
  }

  /** A manifest step is signed as submitted, checked against the record format first; never mid-transaction. */
  private manifest(s: StationState, event: { type: ManifestEventType; body: unknown }, now: number): StationOutput {
    if (s.tx || s.correcting) return notice(s, 'FINISH_FIRST', 'refusal', now);
    if (!(MANIFEST_EVENT_TYPES as readonly string[]).includes(event.type) || !EVENTS_BY_STATION[this.settings.role].includes(event.type)) return notice(s, 'NOT_IN_THIS_MODE', 'refusal', now);
    const checked = EVENT_BODIES[event.type].check(event.body, 'body');
    if (!checked.ok) return notice(s, 'MANIFEST_INVALID', 'refusal', now, { reason: checked.error.message.slice(0, 200) });
    const signing = { type: event.type, body: checked.value } as ManifestSigning;
    return { state: { ...s, step: 'saving', signing, notice: undefined }, effects: [{ kind: 'commit', event: signing }] };
  }

  private committed(s: StationState, seq: number, now: number): StationOutput {
    if (s.correcting?.saving) {
      const c = s.correcting;
      return { state: { ...s, correcting: undefined, notice: { code: 'CORRECTED', level: 'success', params: { seq, target: c.target.seq, action: c.action }, at: now }, last: { seq, type: 'correction', at: now } }, effects: [] };
    }
    if (s.signing && s.step === 'saving') {
      const { type, body } = s.signing;
      return { state: { ...s, signing: undefined, notice: { code: 'MANIFEST_SIGNED', level: 'success', params: { seq, manifest: body.manifest, step: type }, at: now }, last: { seq, type, at: now } }, effects: [] };
    }
    const tx = s.tx;
    if (s.step !== 'saving' || !tx) return { state: s, effects: [] };
    const details: Details = { ...s.details };
    for (const f of PER_TRANSACTION_DETAILS) {
      const d = this.settings.defaults?.[f];
      if (d === undefined) delete details[f];
      else details[f] = d;
    }
    const event = EVENT_OF_MODE[s.mode];
    const params: MessageParams = { seq, count: s.mode === 'seal' ? 1 : tx.bags.length, ...(tx.weight ? { grams: tx.weight.grams } : {}), ...(tx.category ? { category: tx.category } : {}), ...(tx.box ? { box: tx.box } : {}) };
    return {
      state: {
        ...s,
        tx: undefined,
        details,
        usedEpoch: tx.weight ? Math.max(s.usedEpoch, tx.weight.epoch) : s.usedEpoch,
        notice: { code: DONE[s.mode], level: 'success', params, at: now },
        last: { seq, type: event, at: now },
      },
      effects: [],
    };
  }

  /**
   * Takes the weight when the weighing step is reached, and writes the record once nothing is missing.
   * `progress`: the input moved the transaction on (refreshes its deadline).
   */
  private maybeSave(s: StationState, now: number, progress: boolean): StationOutput {
    let tx = s.tx;
    if (!tx) return { state: s, effects: [] };
    if (s.mode === 'seal' && tx.category && !tx.weight) {
      const w = this.freshWeight(s);
      if (w) tx = { ...tx, weight: w, deadline: now + this.settings.stepTimeoutMs };
    }
    if (progress) tx = { ...tx, deadline: Math.max(tx.deadline, now + this.settings.stepTimeoutMs) };
    const state = { ...s, tx };
    if (this.missing(state) !== undefined) return { state, effects: [] };
    const event = this.buildEvent(state);
    return { state: { ...state, step: 'saving' }, effects: [{ kind: 'commit', event }] };
  }

  /** The first thing the transaction still needs, or undefined when the record can be written. */
  private missing(s: StationState): Exclude<Step, 'idle' | 'saving'> | undefined {
    const tx = s.tx!;
    if (BOX_MODES.includes(s.mode)) {
      if (!tx.box) return 'box';
      if (tx.bags.length === 0) return 'bags';
    } else if (s.mode === 'seal') {
      if (!tx.category) return 'category';
      if (!tx.weight) return 'weigh';
    } else if (s.mode !== 'dispose' && !tx.weight && !(tx.badges.length === 0 && this.freshWeight(s))) {
      return 'weigh';
    }
    if (DETAILS_OF_MODE[s.mode].some((f) => s.details[f] === undefined)) return 'details';
    if (tx.badges.length < BADGE_SLOTS[s.mode].length) return 'badge';
    return undefined;
  }

  private stepOf(s: StationState): Step {
    if (s.signing || s.correcting?.saving) return 'saving';
    if (s.correcting) return 'badge';
    if (!s.tx) return 'idle';
    return s.step === 'saving' ? 'saving' : (this.missing(s) ?? 'saving');
  }

  /** Recomputes the step and prompt, and starts the weighing clock when the weighing step begins. */
  private settle(s: StationState, now: number): StationState {
    const step = this.stepOf(s);
    let tx = s.tx;
    if (tx && step === 'weigh' && tx.weighSince === undefined) tx = { ...tx, weighSince: now };
    if (tx && step !== 'weigh' && tx.weighSince !== undefined) {
      const { weighSince: _, ...rest } = tx;
      tx = rest;
    }
    return { ...s, tx, step, prompt: this.promptOf({ ...s, tx }, step) };
  }

  private promptOf(s: StationState, step: Step): Prompt {
    switch (step) {
      case 'idle':
        return { code: s.mode === 'seal' ? 'PLACE_BAG' : BOX_MODES.includes(s.mode) ? 'SCAN_BOX' : 'SCAN_BAGS' };
      case 'box':
        return { code: 'SCAN_BOX' };
      case 'bags':
        return { code: 'SCAN_BAGS_FOR_BOX', params: { box: s.tx!.box! } };
      case 'category':
        return { code: 'CHOOSE_CATEGORY' };
      case 'weigh':
        return { code: 'WAIT_WEIGHT', params: { minGrams: this.settings.minGrams } };
      case 'details':
        return { code: ENTER[DETAILS_OF_MODE[s.mode].find((f) => s.details[f] === undefined)!] };
      case 'badge':
        if (s.correcting) return { code: 'TAP_AUTHORISER_BADGE', params: { seq: s.correcting.target.seq } };
        return { code: TAP[BADGE_SLOTS[s.mode][s.tx!.badges.length]!.slot] };
      case 'saving':
        return { code: 'SAVING' };
    }
  }

  private buildEvent(s: StationState): CustodyEvent {
    const tx = s.tx!;
    const badge = (slot: BadgeSlot) => tx.badges.find((b) => b.slot === slot)!.badgeId;
    const tags = tx.bags.map((b) => b.tagId);
    const bags = tags.map((tag) => ({ tag }));
    const grams = tx.weight?.grams ?? 0;
    const weight = { value: grams, unit: 'g' as const };
    const d = s.details;
    switch (s.mode) {
      case 'seal':
        return { type: 'sealed', body: { tags, category: tx.category!, weight, department: this.settings.department!, staff: badge('staff') } };
      case 'collect':
        return { type: 'collected', body: { bags, weight, giver: badge('giver'), receiver: badge('receiver') } };
      case 'store-in':
        return { type: 'stored', body: { bags, weight, keeper: badge('keeper'), room: this.settings.room! } };
      case 'store-out':
      case 'pickup':
        return { type: 'picked-up', body: { bags, weight, giver: badge('giver'), crew: badge('crew'), vehicle: d.vehicle!, manifest: d.manifest! } };
      case 'receive':
        return { type: 'received', body: { bags, weight, operator: badge('operator'), vehicle: d.vehicle!, manifest: d.manifest! } };
      case 'dispose':
        return {
          type: 'disposed',
          body: { bags: tags, method: d.method as DisposalMethod, batch: d.batch!, operator: badge('operator'), ...(tx.weight ? { weight } : {}) },
        };
      case 'pack':
      case 'unpack':
        return { type: 'aggregated', body: { box: tx.box!, bags: tags, action: s.mode, staff: badge('staff') } };
    }
  }
}

function newTx(now: number, stepTimeoutMs: number, bags: BagRead[]): Transaction {
  return { bags, badges: [], bagsClosed: false, startedAt: now, deadline: now + stepTimeoutMs };
}

function notice(s: StationState, code: MessageCode, level: NoticeLevel, now: number, params?: MessageParams): StationOutput {
  return { state: { ...s, notice: { code, level, ...(params ? { params } : {}), at: now } }, effects: [] };
}

/** Drops the transaction whole: nothing of it is written. */
function drop(s: StationState, code: MessageCode, now: number, params?: MessageParams): StationOutput {
  return { state: { ...s, tx: undefined, step: 'idle', notice: { code, level: 'refusal', ...(params ? { params } : {}), at: now } }, effects: [] };
}

/**
 * What the city needs of a station, and of the world around it. The simulators package must not
 * depend on the edge agent (the agent's tests depend on the simulators), so a station is started
 * through an injected factory: `wastetrail demo` (server/src/demo/) starts a real edge agent with
 * edge-agent's startAgent and adapts it to this interface. The city only does what people at a kiosk
 * can do: it reads what the screen shows and presses the screen's buttons; bags, badges and weights
 * reach the agent through the simulated devices on its serial ports.
 */
import type { StationPlan } from './layout.ts';
import type { ManifestSigning } from './model.ts';
import type { MockPortFactory } from './devices.ts';

/** The workflow step the screen asks for (edge-agent's Step). */
export type StationStep = 'idle' | 'box' | 'bags' | 'category' | 'weigh' | 'details' | 'badge' | 'saving';

export interface StationNotice {
  code: string;
  level: 'info' | 'success' | 'refusal';
  params?: Readonly<Record<string, string | number>>;
}

/** What the kiosk screen shows. */
export interface StationView {
  mode: string;
  step: StationStep;
  /** Tags in the open transaction. */
  bags: readonly string[];
  /** Badges accepted in the open transaction. */
  badges: number;
  /** Seq of the last record the workflow committed (0 before the first). */
  lastSeq: number;
  /** The last notice; the same object until a new notice is raised (that is how a new one is told). */
  notice: StationNotice | undefined;
}

/** The kiosk's buttons and fields (edge-agent's operator StationInput). */
export type StationCommand =
  | { kind: 'category'; category: string }
  | { kind: 'detail'; field: 'vehicle' | 'manifest' | 'method' | 'batch'; value: string }
  | { kind: 'mode'; mode: string }
  | { kind: 'confirm' }
  | { kind: 'cancel' }
  /** The manifest form: one step of a transfer manifest, filled in whole. */
  | { kind: 'manifest'; event: ManifestSigning['event'] };

export interface StationCounts {
  /** Records in the outbox (its chain head). */
  records: number;
  /** Records not yet acknowledged by the server. */
  backlog: number;
  /** Connected to the broker now. */
  online: boolean;
}

export interface CityStation {
  readonly deviceId: string;
  view(): StationView;
  command(command: StationCommand): void;
  counts(): StationCounts;
  /**
   * On the way out, before the drain: the station stops reading its sensors and signs what it holds open (a
   * storage room's climate batch, a vehicle's span of fixes), so the drain delivers it and nothing is signed after.
   */
  flush?(): Promise<void> | void;
  /** Cuts (false) or restores (true) the station's network; the station itself keeps working. */
  setNetwork(up: boolean): Promise<void>;
  stop(): Promise<void>;
}

/** Serial timing the simulated devices and the station's configuration must agree on. */
export interface StationTiming {
  /** A streaming scale sends a reading this often. */
  scaleIntervalMs: number;
  /** A load on the scale settles in this time. */
  scaleSettleMs: number;
  /** The station asks the reader for an inventory this often (config serial.rfid.pollMs). */
  rfidPollMs: number;
  /** A tag not read for this long has left the field (config serial.rfid.lostAfterMs). */
  rfidLostAfterMs: number;
}

export const CITY_STATION_TIMING: StationTiming = Object.freeze({ scaleIntervalMs: 25, scaleSettleMs: 80, rfidPollMs: 40, rfidLostAfterMs: 300 });

export interface StationSpec {
  plan: StationPlan;
  /** The scale: an XK3190 indicator streaming kg with two decimals (absent on a vehicle station). */
  scalePath?: string;
  /** The reader: a Chafon reader, plain variant, address 0 (the station may use broadcast 255; absent on a vehicle station). */
  readerPath?: string;
  /** Vehicle stations: the GNSS receiver (NMEA 0183) and the cargo I/O module ($PWTIO), both 9600 8N1. */
  vehicle?: { gnssPath: string; cargoPath: string };
  /**
   * Storage stations: the room's RS-485 line, 4800 8N1, with the RS-WS-N01-style sensor at Modbus address 1
   * and the outdoor probe at 2 (CITY_CLIMATE_UNITS).
   */
  climatePath?: string;
  /** In-process ports: the station must open every path through this factory. Absent: real ports (pty). */
  createPort?: MockPortFactory;
  timing: StationTiming;
}

export type StationFactory = (spec: StationSpec) => Promise<CityStation>;

/** Incidents that need more than a station's devices (implemented next to the broker and the keys). */
export interface CityHooks {
  /** Publishes a copy of one of the station's records, changed after signing, on its topic. Returns what was done. */
  tamperRecord(deviceId: string): Promise<string>;
  /** A device not in the keyring tries to connect and publish. Returns what happened. */
  rogueDevice(): Promise<string>;
}

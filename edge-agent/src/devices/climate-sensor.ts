/**
 * The storage room's temperature and humidity sensor: a Modbus RTU slave on RS-485 (the common
 * RS-WS-N01 kind: function 03, register 0x0000 humidity x10, 0x0001 temperature x10 as a signed 16-bit
 * number; docs/transport/storage-climate.md). modbus-serial builds the requests and checks the replies
 * (CRC, exception responses, timeouts); the bytes go through our SerialLink, so the port reopens after
 * a pulled cable exactly as the scale's does, and tests can put a mock port under it.
 *
 * Every poll ends in a reading or a failure with a stable code; a failure never stops the polling.
 */
import { EventEmitter } from 'node:events';
import modbusSerial from 'modbus-serial';
import type { Logger } from '@wastetrail/runtime';
import type { ClimateConfig } from '../config/config.ts';
import { SerialLink, type PortFactory } from './serial-link.ts';

/** The register map of the RS-WS-N01 kind of sensor: holding registers read with function 03. */
export const CLIMATE_REGISTERS = { functionCode: 3, humidity: 0x0000, temperature: 0x0001, count: 2 } as const;

/** The range the record format accepts: tenths of a degree and of a percent. */
export const TEMPERATURE_RANGE = { min: -400, max: 1250 } as const;
export const HUMIDITY_RANGE = { min: 0, max: 1000 } as const;

export const CLIMATE_FAILURES = ['TIMEOUT', 'BAD_CRC', 'EXCEPTION', 'PORT_CLOSED', 'OUT_OF_RANGE', 'BAD_REPLY'] as const;
export type ClimateFailureCode = (typeof CLIMATE_FAILURES)[number];

export interface ClimateFailure {
  code: ClimateFailureCode;
  /** The Modbus address asked. */
  unit: number;
  message: string;
  /** EXCEPTION: the sensor's exception code (2: illegal data address, 4: device failure, ...). */
  exception?: number;
}

export interface ClimateReading {
  /** Wall clock of the poll, ms. */
  at: number;
  /** Tenths of a degree Celsius. */
  temperature: number;
  /** Tenths of a percent relative humidity. */
  humidity: number;
  /** The outdoor probe's temperature, when there is one and it answered. */
  outdoor?: number;
}

export interface ClimateSensorOptions {
  config: ClimateConfig;
  logger: Logger;
  /** Wall clock, ms: readings are signed with it. */
  wall: () => number;
  createPort?: PortFactory;
  /** Each poll ends in exactly one of these: a reading of the room sensor, or its failure. */
  onReading: (r: ClimateReading) => void;
  onFailure: (f: ClimateFailure) => void;
  onState?: (open: boolean) => void;
}

export interface ClimateStats {
  readings: number;
  failures: Record<ClimateFailureCode, number>;
}

/** Turns one modbus-serial error into a failure code; the library's messages are not a stable interface. */
export function climateFailureOf(err: unknown, unit: number): ClimateFailure {
  const e = err as { message?: string; errno?: string; modbusCode?: number; name?: string };
  const message = e?.message ?? String(err);
  if (typeof e?.modbusCode === 'number') return { code: 'EXCEPTION', unit, exception: e.modbusCode, message };
  if (e?.errno === 'ETIMEDOUT') return { code: 'TIMEOUT', unit, message };
  if (message === 'CRC error') return { code: 'BAD_CRC', unit, message };
  if (e?.name === 'PortNotOpenError' || message === 'Port Not Open') return { code: 'PORT_CLOSED', unit, message };
  return { code: 'BAD_REPLY', unit, message };
}

/**
 * A port as modbus-serial's client drives it, over a SerialLink. RTU has no length field, so a reply is
 * complete when it has the length its request implies (or is a 5-byte exception); bytes still waiting
 * when the next request goes out are a late or broken reply and are dropped, so they cannot poison it.
 */
class ModbusLinkPort extends EventEmitter {
  /** modbus-serial keeps its transaction ids on the port. */
  _transactionIdRead = 1;
  _transactionIdWrite = 1;
  private readonly link: SerialLink;
  private buffer = Buffer.alloc(0);
  private unit = 0;
  private code = 0;
  private expected = 0;

  constructor(link: (onData: (chunk: Buffer) => void) => SerialLink) {
    super();
    this.link = link((chunk) => this.received(chunk));
  }

  get isOpen(): boolean {
    return this.link.isOpen;
  }

  open(cb: (err: Error | null) => void): void {
    this.link.start();
    cb(null);
  }

  close(cb?: (err: Error | null) => void): void {
    void this.link.close().then(() => cb?.(null));
  }

  write(frame: Buffer): void {
    this.buffer = Buffer.alloc(0);
    this.unit = frame[0] ?? 0;
    this.code = frame[1] ?? 0;
    // Functions 03/04: address, function, byte count, 2 bytes a register, CRC.
    this.expected = this.code === 3 || this.code === 4 ? 5 + 2 * frame.readUInt16BE(4) : 8;
    this.link.write(frame);
  }

  private received(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]).subarray(-256);
    // Skip line noise before the reply: it starts with the address asked and its function code.
    for (let i = 0; i + 5 <= this.buffer.length; i++) {
      if (this.buffer[i] !== this.unit) continue;
      const fc = this.buffer[i + 1];
      const length = fc === this.code ? this.expected : fc === (this.code | 0x80) ? 5 : 0;
      if (length === 0) continue;
      if (i + length > this.buffer.length) return;
      const frame = this.buffer.subarray(i, i + length);
      this.buffer = this.buffer.subarray(i + length);
      this.emit('data', Buffer.from(frame));
      return;
    }
  }
}

export class ClimateSensor {
  readonly stats: ClimateStats = { readings: 0, failures: Object.fromEntries(CLIMATE_FAILURES.map((c) => [c, 0])) as Record<ClimateFailureCode, number> };
  private readonly o: ClimateSensorOptions;
  private readonly client: InstanceType<typeof modbusSerial.default>;
  private readonly port: ModbusLinkPort;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private closed = false;

  constructor(options: ClimateSensorOptions) {
    this.o = options;
    this.port = new ModbusLinkPort(
      (onData) =>
        new SerialLink({
          line: options.config,
          logger: options.logger,
          ...(options.createPort ? { createPort: options.createPort } : {}),
          onData,
          ...(options.onState ? { onState: options.onState } : {}),
        }),
    );
    this.client = new modbusSerial.default(this.port);
    this.client.setTimeout(options.config.replyTimeoutMs);
  }

  get connected(): boolean {
    return this.port.isOpen;
  }

  start(): void {
    this.client.open(() => {});
    this.timer = setInterval(() => void this.poll(), this.o.config.intervalSeconds * 1000);
  }

  /** One poll now: the room sensor, then the outdoor probe. Resolves when both are answered or failed. */
  poll(): Promise<void> {
    // A poll still waiting for its replies is not overtaken: RTU is one request at a time on the bus.
    return (this.polling ??= this.pollOnce().finally(() => (this.polling = undefined)));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    // A poll under way still reports: its reading goes into the last batch.
    await this.polling;
    this.closed = true;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }

  private async pollOnce(): Promise<void> {
    const { config, logger } = this.o;
    const at = this.o.wall();
    const room = await this.read(config.unit);
    if (this.closed) return;
    if (!room.ok) return this.o.onFailure(room.failure);
    // The outdoor probe failing leaves `outdoor` out of this sample; the room's reading still counts.
    let outdoor: number | undefined;
    if (config.outdoorUnit !== undefined) {
      const o = await this.read(config.outdoorUnit);
      if (o.ok) outdoor = o.temperature;
    }
    if (this.closed) return;
    this.stats.readings++;
    logger.debug({ temperature: room.temperature, humidity: room.humidity, outdoor }, 'climate reading');
    this.o.onReading({ at, temperature: room.temperature, humidity: room.humidity, ...(outdoor !== undefined ? { outdoor } : {}) });
  }

  private async read(unit: number): Promise<{ ok: true; temperature: number; humidity: number } | { ok: false; failure: ClimateFailure }> {
    try {
      this.client.setID(unit);
      const reply = await this.client.readHoldingRegisters(CLIMATE_REGISTERS.humidity, CLIMATE_REGISTERS.count);
      const humidity = reply.buffer.readUInt16BE(0);
      const temperature = reply.buffer.readInt16BE(2);
      if (temperature < TEMPERATURE_RANGE.min || temperature > TEMPERATURE_RANGE.max || humidity < HUMIDITY_RANGE.min || humidity > HUMIDITY_RANGE.max) {
        return this.failed({ code: 'OUT_OF_RANGE', unit, message: `reading out of the sensor's range: ${temperature / 10} °C, ${humidity / 10} %RH` });
      }
      return { ok: true, temperature, humidity };
    } catch (err) {
      return this.failed(climateFailureOf(err, unit));
    }
  }

  private failed(f: ClimateFailure): { ok: false; failure: ClimateFailure } {
    const n = ++this.stats.failures[f.code];
    // A dead sensor fails every poll: log the first few of each kind and then every hundredth.
    if (n <= 5 || n % 100 === 0) this.o.logger.warn({ code: f.code, unit: f.unit, exception: f.exception, error: f.message, count: n }, 'climate reading failed');
    return { ok: false, failure: f };
  }
}

/**
 * Modbus RTU temperature and humidity sensors on one RS-485 bus, as the storage station sees them: the
 * common RS-WS-N01 kind (holding registers, read with function 03 or 04: 0x0000 humidity x10,
 * 0x0001 temperature x10 as a signed 16-bit number; docs/transport/storage-climate.md). Each sensor
 * answers only its own address, checks the request's CRC and keeps silent on a bad one, as real slaves
 * do, and answers an unknown function or register with an exception.
 *
 * Faults for tests and incidents: no reply (the master times out), a reply with a broken CRC, an
 * exception response (04: device failure). The temperature and humidity are set from outside.
 */
import { crc16Modbus } from '@wastetrail/firmware-protocol';
import type { SerialEndpoint } from '../serial/endpoint.ts';

export const SENSOR_REGISTERS = { humidity: 0x0000, temperature: 0x0001 } as const;

/** Modbus exception codes a sensor answers with. */
export const MODBUS_EXCEPTIONS = { illegalFunction: 1, illegalDataAddress: 2, illegalDataValue: 3, deviceFailure: 4 } as const;

export type SensorFault = { kind: 'silent' } | { kind: 'bad-crc' } | { kind: 'exception'; code: number };

export interface SimulatedSensor {
  readonly unit: number;
  /** Tenths of a degree Celsius (-400 to 1250 is what the sensor kind measures). */
  temperature: number;
  /** Tenths of a percent relative humidity. */
  humidity: number;
  /** Requests answered with a reading. */
  readonly answered: number;
  /** The next `times` requests fail this way (Infinity: until cleared with clearFault()). */
  fault(fault: SensorFault, times?: number): void;
  clearFault(): void;
}

/** Appends the CRC, low byte first. */
export function withCrc(bytes: readonly number[]): Buffer {
  const frame = Buffer.alloc(bytes.length + 2);
  for (let i = 0; i < bytes.length; i++) frame[i] = bytes[i]!;
  frame.writeUInt16LE(crc16Modbus(frame, 0, bytes.length), bytes.length);
  return frame;
}

/** The reply of a sensor with these registers to a read request (function 03 or 04) of 8 bytes with a good CRC. */
export function sensorReply(request: Buffer, registers: readonly number[]): Buffer {
  const unit = request[0]!;
  const fc = request[1]!;
  if (fc !== 3 && fc !== 4) return withCrc([unit, fc | 0x80, MODBUS_EXCEPTIONS.illegalFunction]);
  const start = request.readUInt16BE(2);
  const count = request.readUInt16BE(4);
  if (count < 1 || count > 125) return withCrc([unit, fc | 0x80, MODBUS_EXCEPTIONS.illegalDataValue]);
  if (start + count > registers.length) return withCrc([unit, fc | 0x80, MODBUS_EXCEPTIONS.illegalDataAddress]);
  const data: number[] = [unit, fc, count * 2];
  for (let r = start; r < start + count; r++) {
    const v = registers[r]! & 0xffff;
    data.push(v >> 8, v & 0xff);
  }
  return withCrc(data);
}

class Sensor implements SimulatedSensor {
  readonly unit: number;
  temperature: number;
  humidity: number;
  answered = 0;
  private pending: { fault: SensorFault; times: number } | undefined;

  constructor(unit: number, temperature: number, humidity: number) {
    this.unit = unit;
    this.temperature = temperature;
    this.humidity = humidity;
  }

  fault(fault: SensorFault, times = 1): void {
    this.pending = { fault, times };
  }

  clearFault(): void {
    this.pending = undefined;
  }

  /** The bytes to send for a good request to this sensor, or undefined for none. */
  reply(request: Buffer): Buffer | undefined {
    const p = this.pending;
    if (p) {
      if (--p.times <= 0) this.pending = undefined;
      if (p.fault.kind === 'silent') return undefined;
      if (p.fault.kind === 'exception') return withCrc([this.unit, request[1]! | 0x80, p.fault.code]);
      const bad = this.answer(request);
      bad[bad.length - 1]! ^= 0x5a;
      return bad;
    }
    this.answered++;
    return this.answer(request);
  }

  private answer(request: Buffer): Buffer {
    const registers: number[] = [];
    registers[SENSOR_REGISTERS.humidity] = Math.round(this.humidity);
    registers[SENSOR_REGISTERS.temperature] = Math.round(this.temperature);
    return sensorReply(request, registers);
  }
}

export interface SensorBusOptions {
  endpoint: SerialEndpoint;
  /** How long a sensor takes to answer (real ones: a few ms; 0 in tests is fine). */
  replyDelayMs?: number;
}

/** The sensors on one RS-485 line. Requests are 8 bytes (read functions); anything else resyncs byte by byte. */
export class SensorBus {
  private readonly endpoint: SerialEndpoint;
  private readonly delayMs: number;
  private readonly sensors = new Map<number, Sensor>();
  private buffer = Buffer.alloc(0);
  /** Requests dropped for a bad CRC (line noise). */
  badRequests = 0;

  constructor(o: SensorBusOptions) {
    this.endpoint = o.endpoint;
    this.delayMs = o.replyDelayMs ?? 5;
    this.endpoint.onData((chunk) => this.received(chunk));
  }

  /** Adds a sensor at this address (default readings: 18.0 °C, 55.0 %RH). */
  add(unit: number, reading: { temperature?: number; humidity?: number } = {}): SimulatedSensor {
    const s = new Sensor(unit, reading.temperature ?? 180, reading.humidity ?? 550);
    this.sensors.set(unit, s);
    return s;
  }

  close(): Promise<void> {
    return this.endpoint.close();
  }

  private received(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 8) {
      const frame = this.buffer.subarray(0, 8);
      if (frame.readUInt16LE(6) !== crc16Modbus(frame, 0, 6)) {
        // Not a frame start (noise, a broken request): slide on by one byte.
        this.buffer = this.buffer.subarray(1);
        this.badRequests++;
        continue;
      }
      this.buffer = this.buffer.subarray(8);
      const reply = this.sensors.get(frame[0]!)?.reply(Buffer.from(frame));
      if (reply) setTimeout(() => void this.endpoint.write(reply).catch(() => {}), this.delayMs);
    }
  }
}

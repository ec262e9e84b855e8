/**
 * A simulated device behind a @serialport/binding-mock port, for unit tests of host code (no pty, no
 * socat). Usage:
 *
 *   import { SerialPortMock } from 'serialport';
 *   SerialPortMock.binding.createPort('/dev/scale', { echo: false, record: true });
 *   const port = new SerialPortMock({ path: '/dev/scale', baudRate: 9600 });  // what the host code opens
 *   const endpoint = attachMockDevice(port);                          // before or after 'open'
 *   new ScaleSimulator({ protocol: 'mt-sics', endpoint }).start();
 *   ...
 *   await endpoint.close(); port.close(); SerialPortMock.binding.reset();     // in afterEach
 *
 * Host code that takes a binding (`new SerialPortStream({ binding: MockBinding, ... })`) works the same;
 * create the port on that same MockBinding object.
 *
 * Device -> host goes through the binding's emitData(); host -> device is seen by wrapping the opened
 * binding's write(), after the mock has taken the bytes (they are also in `port.port.recording`).
 *
 * Caveats: the mock resolves everything with process.nextTick, so fake timers that stop nextTick hang
 * it (fake only setTimeout/setInterval, or use the simulators' ManualClock). @serialport/binding-mock
 * ships a CommonJS and an ES module build with separate port registries: `SerialPortMock` from
 * 'serialport' uses the CommonJS one, so create its ports with `SerialPortMock.binding.createPort()`,
 * not with the MockBinding an ES import gives you.
 */
import type { SerialEndpoint } from './endpoint.ts';

/** What attachMockDevice needs of a serialport stream (SerialPortStream, SerialPort, SerialPortMock). */
export interface MockHostPort {
  readonly isOpen: boolean;
  /** The opened binding: a MockPortBinding. */
  readonly port?: unknown;
  once(event: 'open', listener: () => void): unknown;
}

/** The parts of @serialport/binding-mock's MockPortBinding used here (checked at run time). */
interface MockPortBindingLike {
  isOpen: boolean;
  emitData(data: Buffer): void;
  write(buffer: Buffer): Promise<void>;
}

function asMockBinding(binding: unknown): MockPortBindingLike {
  const b = binding as Partial<MockPortBindingLike> | undefined;
  if (!b || typeof b.emitData !== 'function' || typeof b.write !== 'function') {
    throw new TypeError('attachMockDevice needs a port opened with @serialport/binding-mock (binding: MockBinding)');
  }
  return b as MockPortBindingLike;
}

export function attachMockDevice(port: MockHostPort): SerialEndpoint {
  const listeners: ((chunk: Buffer) => void)[] = [];
  let closed = false;
  let restore: (() => void) | undefined;

  const hook = (): MockPortBindingLike => {
    const binding = asMockBinding(port.port);
    const original = binding.write;
    // The host's write resolves as it would without us; the device hears the bytes on the next tick.
    binding.write = async function (this: MockPortBindingLike, buffer: Buffer): Promise<void> {
      await original.call(this, buffer);
      if (closed) return;
      const copy = Buffer.from(buffer);
      process.nextTick(() => {
        for (const l of listeners) l(copy);
      });
    };
    restore = () => {
      binding.write = original;
    };
    return binding;
  };

  // Already open: hook now (a wrong kind of port throws here). Not yet: hook on 'open'.
  const ready: Promise<MockPortBindingLike> =
    port.isOpen && port.port
      ? Promise.resolve(hook())
      : new Promise((resolve, reject) =>
          port.once('open', () => {
            try {
              resolve(hook());
            } catch (err) {
              reject(err);
            }
          }),
        );
  // A rejected `ready` is reported by write(); do not let it surface as an unhandled rejection meanwhile.
  ready.catch(() => {});

  return {
    async write(data) {
      const binding = await ready;
      if (closed) throw new Error('mock device is detached');
      binding.emitData(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    },
    onData(listener) {
      listeners.push(listener);
    },
    async close() {
      closed = true;
      restore?.();
      restore = undefined;
    },
  };
}

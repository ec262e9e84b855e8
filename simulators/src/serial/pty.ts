/**
 * A simulated device on a real pseudo-terminal pair. socat joins two ptys; the simulator holds one end
 * through the real serialport binding, and the host program (the edge agent, a test) opens the other,
 * `devicePath`, exactly as it would open /dev/ttyUSB0. The links live in a fresh temp directory.
 *
 * A host may close and reopen devicePath: socat keeps the pair. Bytes written while no host has it
 * open wait in the pty buffers (a few KiB) and are read by the next host to open it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import type { SerialEndpoint } from './endpoint.ts';

export interface PtyLineSettings {
  baudRate: number;
  dataBits?: 7 | 8;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
}

export interface PtyDevice {
  /** The simulator's end. */
  endpoint: SerialEndpoint;
  /** The path the host program opens. */
  devicePath: string;
  /** Resolves once the pair is gone and cleaned up: after endpoint.close(), or if socat dies. */
  closed: Promise<void>;
}

export interface PtyOptions {
  /** The socat binary; default $SOCAT or `socat` on the PATH (Debian package socat). */
  socat?: string;
  /** How long socat may take to create the pair. Default 5 s. */
  readyTimeoutMs?: number;
}

/** socat processes still running, killed on the way out if their owner never closed them. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

export async function openPtyDevice(settings: PtyLineSettings, options: PtyOptions = {}): Promise<PtyDevice> {
  const dir = await mkdtemp(join(tmpdir(), 'wastetrail-pty-'));
  const simEnd = join(dir, 'device');
  const hostEnd = join(dir, 'tty');
  const socat = options.socat ?? process.env.SOCAT ?? 'socat';
  const child = spawn(socat, ['-d', '-d', `pty,raw,echo=0,link=${simEnd}`, `pty,raw,echo=0,link=${hostEnd}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  installExitHook();
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
    child.once('error', () => {
      running.delete(child);
      resolve();
    });
  });

  let port: SerialPort | undefined;
  try {
    await socatReady(child, options.readyTimeoutMs ?? 5000);
    port = new SerialPort({
      path: simEnd,
      baudRate: settings.baudRate,
      dataBits: settings.dataBits ?? 8,
      parity: settings.parity ?? 'none',
      stopBits: settings.stopBits ?? 1,
      autoOpen: false,
    });
    const opening = port;
    await new Promise<void>((resolve, reject) => opening.open((err) => (err ? reject(err) : resolve())));
  } catch (err) {
    await stopSocat(child, exited);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const device = port;
  // Errors also arrive as events; without a listener an 'error' event would crash the process.
  device.on('error', () => {});
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      if (device.isOpen) await new Promise<void>((resolve) => device.close(() => resolve()));
      await stopSocat(child, exited);
      await rm(dir, { recursive: true, force: true });
    })());
  // socat gone (killed from outside, crashed): release the rest too.
  void exited.then(close);

  const endpoint: SerialEndpoint = {
    write(data) {
      if (closing || !device.isOpen) return Promise.reject(new Error('pty device is closed'));
      return new Promise((resolve, reject) => {
        device.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength), (err) => (err ? reject(err) : resolve()));
      });
    },
    onData(listener) {
      device.on('data', listener);
    },
    close,
  };
  return { endpoint, devicePath: hostEnd, closed: exited.then(close) };
}

/** Resolves when socat has both ptys linked ("starting data transfer loop"); rejects if it fails first. */
function socatReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => done(new Error(`socat did not create the pty pair within ${timeoutMs} ms: ${log.trim()}`)), timeoutMs);
    const onData = (b: Buffer) => {
      log = (log + b.toString()).slice(-2000);
      if (log.includes('starting data transfer loop')) done();
    };
    const onExit = (code: number | null) => done(new Error(`socat exited (${code}) before the pty pair was ready: ${log.trim()}`));
    const onError = (err: NodeJS.ErrnoException) =>
      done(err.code === 'ENOENT' ? new Error('socat not found: install the Debian package socat (or set $SOCAT)') : err);
    function done(err?: Error) {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', onError);
      // Keep draining socat's log so it can never block on a full pipe.
      child.stderr?.off('data', onData);
      child.stderr?.resume();
      if (err) reject(err);
      else resolve();
    }
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

async function stopSocat(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return exited;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 2000);
  });
  await Promise.race([exited, late]);
  clearTimeout(timer);
  await exited;
}

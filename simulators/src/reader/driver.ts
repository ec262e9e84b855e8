/**
 * The thin shell around ReaderModel: host bytes from a SerialEndpoint go into the model, its replies go
 * back out in order, and scripted events are played on a SimClock (the system's, or a test's ManualClock).
 */
import { systemClock, type SimClock } from '../clock.ts';
import type { SerialEndpoint } from '../serial/endpoint.ts';
import { parseReaderScriptLine, type ReaderScriptStep } from './script.ts';
import type { ReaderEvent, ReaderModel } from './model.ts';

export interface ReaderDriverOptions {
  clock?: SimClock;
  /** Quiet time after which held-back command bytes are given up on (default 50 ms; 0 disables). */
  idleFlushMs?: number;
  onError?: (error: unknown) => void;
}

export interface ReaderDriver {
  readonly model: ReaderModel;
  apply(event: ReaderEvent): Promise<void>;
  /** Resolves when everything queued so far has been written. */
  drained(): Promise<void>;
  close(): Promise<void>;
}

export function attachReaderModel(endpoint: SerialEndpoint, model: ReaderModel, opts: ReaderDriverOptions = {}): ReaderDriver {
  const clock = opts.clock ?? systemClock;
  const now = () => clock.now();
  const idleFlushMs = opts.idleFlushMs ?? 50;
  const onError = opts.onError ?? ((e: unknown) => process.stderr.write(`reader: ${e instanceof Error ? e.message : String(e)}\n`));
  let closed = false;
  let cancelIdle = () => {};
  // One chain of writes, so replies and noise leave in the order they were made.
  let queue: Promise<void> = Promise.resolve();

  const send = (frames: Uint8Array[]) => {
    for (const frame of frames) {
      queue = queue.then(() => (closed ? undefined : endpoint.write(frame))).catch(onError);
    }
    return queue;
  };

  endpoint.onData((chunk) => {
    if (closed) return;
    send(model.receive(chunk, now()));
    cancelIdle();
    if (idleFlushMs > 0 && model.heldBytes > 0) {
      cancelIdle = clock.after(idleFlushMs, () => {
        if (!closed) send(model.lineIdle(now()));
      });
    }
  });

  return {
    model,
    apply: (event) => send(model.apply(event, now())),
    drained: () => queue,
    async close() {
      if (closed) return;
      cancelIdle();
      await queue;
      closed = true;
      await endpoint.close();
    },
  };
}

export interface PlayScriptOptions {
  /** Times `wait` lines (default the system clock). */
  clock?: SimClock;
  /** Stops playing; a `wait` in progress ends at once. */
  signal?: AbortSignal;
  /** A line that could not be parsed (1-based line number); playing goes on. */
  onBadLine?: (lineNumber: number, line: string, message: string) => void;
  onStep?: (step: ReaderScriptStep) => void;
}

export async function playReaderScript(lines: AsyncIterable<string> | Iterable<string>, driver: ReaderDriver, opts: PlayScriptOptions = {}): Promise<void> {
  const clock = opts.clock ?? systemClock;
  let lineNumber = 0;
  for await (const line of lines) {
    if (opts.signal?.aborted) return;
    lineNumber++;
    const parsed = parseReaderScriptLine(line);
    if (!parsed.ok) {
      opts.onBadLine?.(lineNumber, line, parsed.message);
      continue;
    }
    const step = parsed.step;
    if (!step) continue;
    opts.onStep?.(step);
    if (step.kind === 'wait') await abortableSleep(clock, step.ms, opts.signal);
    else await driver.apply(step);
  }
}

function abortableSleep(clock: SimClock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const cancel = clock.after(ms, done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * The city's progress for people watching: one line, rewritten in place on a terminal and printed every
 * few seconds otherwise (a CI log, a pipe). Notes (incidents, failures) go above the line.
 */
import type { CityCounts } from './model.ts';
import { formatLocalTime } from './time.ts';

export interface CityProgress {
  /** Simulated time now. */
  simTime: number;
  counts: CityCounts;
  /** Records in the stations' outboxes, and not yet acknowledged by the server. */
  records: number;
  backlog: number;
  stations: number;
  /** Stations not connected to the broker now. */
  offline: number;
}

export function formatProgress(p: CityProgress): string {
  const c = p.counts;
  const parts = [
    formatLocalTime(p.simTime),
    `sealed ${c.sealed}  picked-up ${c.pickedUp}  received ${c.received}  disposed ${c.disposed}`,
    `records ${p.records}  backlog ${p.backlog}`,
    `${p.stations} stations${p.offline > 0 ? `, ${p.offline} offline` : ''}${c.failed > 0 ? `, ${c.failed} failed steps` : ''}`,
  ];
  return parts.join(' | ');
}

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export class ProgressDisplay {
  private readonly out: ProgressStream;
  private readonly read: () => CityProgress;
  private readonly plainEveryMs: number;
  private timer: NodeJS.Timeout | undefined;
  private shown = false;
  private lastPlain = 0;
  private lastLine = '';

  /** `plainEveryMs`: how often a line is printed when the output is not a terminal. */
  constructor(out: ProgressStream, read: () => CityProgress, plainEveryMs = 5000) {
    this.out = out;
    this.read = read;
    this.plainEveryMs = plainEveryMs;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.refresh(), this.out.isTTY ? 250 : Math.min(1000, this.plainEveryMs));
    this.timer.unref();
    this.refresh(true);
  }

  /** A line above the progress line. */
  note(text: string): void {
    if (this.out.isTTY && this.shown) this.out.write('\r\x1b[2K');
    this.out.write(`${text}\n`);
    this.shown = false;
    if (this.out.isTTY && this.timer) this.refresh(true);
  }

  /** Stops; the last progress is printed as a plain line. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    const line = formatProgress(this.read());
    if (this.out.isTTY) this.out.write(this.shown ? `\r\x1b[2K${line}\n` : `${line}\n`);
    else if (line !== this.lastLine) this.out.write(`${line}\n`);
    this.shown = false;
  }

  private refresh(force = false): void {
    const line = formatProgress(this.read());
    if (this.out.isTTY) {
      const width = Math.max(20, (this.out.columns || 120) - 1);
      this.out.write(`\r\x1b[2K${line.length > width ? line.slice(0, width) : line}`);
      this.shown = true;
      return;
    }
    const now = performance.now();
    if (!force && now - this.lastPlain < this.plainEveryMs) return;
    this.lastPlain = now;
    this.lastLine = line;
    this.out.write(`${line}\n`);
  }
}

// Now on the server's clock. Alerts are stamped on it, and "open for" must be measured on it: the demo's
// clock runs ahead of real time and faster (a day a minute). GET /healthz gives the server's time; the
// browser's own clock is kept when the two agree within 1.5 s (the answer's own delay).
import { apiGet } from './api.ts';

let offsetMs = 0;

/** Asks the server for its time; without an answer the last offset (at first none) stays. */
export async function syncServerClock(): Promise<void> {
  try {
    const sent = Date.now();
    const { time } = await apiGet('/healthz');
    const back = Date.now();
    const server = Date.parse(time);
    if (!Number.isNaN(server)) offsetMs = Math.abs(server - back) < 1500 ? 0 : server - Math.round((sent + back) / 2);
  } catch {
    // An overloaded or unreachable server: keep the last offset.
  }
}

export const serverNow = (): number => Date.now() + offsetMs;

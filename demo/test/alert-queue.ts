/**
 * The typed app's alert queue (#/alerts) as the demo's browser tests read it: a page's cards, and its
 * pages one after another with Next. The queue keeps its last page on screen while the next loads, so a
 * move waits for the queue's answer (and the server clock's, read with it) and the page drawn from it.
 */
import type { Page } from 'playwright-core';

/** One alert card as the queue shows it. */
export interface QueueCard {
  id: number;
  status: string;
  message: string;
  /** The card's Institution ("name (id)"); null when it names none. */
  institution: string | null;
  bag: string | null;
}

/** Runs `move` (a filter chosen, Next clicked) and waits until the queue has drawn the page it asked for. */
export async function queueMove(page: Page, move: () => Promise<unknown>): Promise<void> {
  const answered = Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/alerts'),
    page.waitForResponse((r) => new URL(r.url()).pathname === '/healthz'),
  ]);
  await move();
  await answered;
  // The next frame, drawn after Vue has put the answer on the page (a string: the tests' types have no DOM).
  await page.evaluate('new Promise((drawn) => requestAnimationFrame(() => drawn(null)))');
}

/** The cards of the page on screen. */
export const queueCards = (page: Page): Promise<QueueCard[]> =>
  page.locator('#alert-list article[data-alert-id]').evaluateAll((els) =>
    els.map((e) => ({
      id: Number(e.getAttribute('data-alert-id')),
      status: e.getAttribute('data-status') ?? '',
      message: e.querySelector('[data-message]')?.textContent ?? '',
      institution: e.querySelector('[data-institution]')?.textContent ?? null,
      bag: e.querySelector('[data-bag-link]')?.textContent ?? null,
    })),
  );

/** The queue's count, "… of N" under its pager (English). */
export async function queueTotal(page: Page): Promise<number> {
  const range = (await page.locator('[data-page-range]').textContent()) ?? '';
  return Number(/ of ([\d,]+)$/.exec(range)?.[1]?.replace(/,/g, '') ?? (range === 'Nothing to show' ? 0 : NaN));
}

/**
 * Reads the queue from the page on screen to its last, page by page with Next, until `found` says stop.
 * Returns every card read.
 */
export async function walkQueue(page: Page, found: (cards: QueueCard[]) => boolean = () => false): Promise<QueueCard[]> {
  const read: QueueCard[] = [];
  for (;;) {
    const cards = await queueCards(page);
    read.push(...cards);
    const next = page.locator('[data-page-next]');
    if (found(cards) || (await next.isDisabled())) return read;
    await queueMove(page, () => next.click());
  }
}

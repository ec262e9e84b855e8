/**
 * Which tags are in the reader's field. A reader lists every tag it sees on every inventory, so the
 * station is told only about changes: a tag that arrives, and one not seen for `lostAfterMs` (a bag
 * taken off the scale). Pure: inventories and their times go in.
 */
export interface PresenceChange {
  arrived: string[];
  left: string[];
}

export class TagPresence {
  private readonly lostAfterMs: number;
  private readonly lastSeen = new Map<string, number>();

  constructor(lostAfterMs: number) {
    this.lostAfterMs = lostAfterMs;
  }

  /** One completed inventory at `now`: the keys of every tag in it. */
  inventory(keys: Iterable<string>, now: number): PresenceChange {
    const arrived: string[] = [];
    for (const key of keys) {
      if (!this.lastSeen.has(key)) arrived.push(key);
      this.lastSeen.set(key, now);
    }
    const left: string[] = [];
    for (const [key, at] of this.lastSeen) {
      if (now - at >= this.lostAfterMs) {
        this.lastSeen.delete(key);
        left.push(key);
      }
    }
    return { arrived, left };
  }

  has(key: string): boolean {
    return this.lastSeen.has(key);
  }

  get size(): number {
    return this.lastSeen.size;
  }

  clear(): void {
    this.lastSeen.clear();
  }
}

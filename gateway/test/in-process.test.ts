import { describe, expect, it } from 'vitest';
import { createDuplexPair } from '../src/transport/in-process.ts';

describe('createDuplexPair', () => {
  it('carries bytes both ways, with backpressure, and ends the other side on end()', async () => {
    const [a, b] = createDuplexPair();
    const chunk = Buffer.alloc(64 * 1024, 1);
    let writes = 0;
    // Nobody reads b yet: the writer must be told to wait rather than buffer without bound.
    while (a.write(chunk) && writes < 100) writes++;
    expect(writes).toBeLessThan(100);
    a.end();
    let total = 0;
    b.on('data', (data: Buffer) => (total += data.length));
    await new Promise((resolve) => b.once('end', resolve));
    expect(total).toBe((writes + 1) * chunk.length);

    const got = new Promise<string>((resolve) => a.once('data', (d: Buffer) => resolve(d.toString())));
    b.write('pong');
    expect(await got).toBe('pong');
    a.destroy();
  });

  it('destroys the other end with this one', async () => {
    const [a, b] = createDuplexPair();
    const bClosed = new Promise((resolve) => b.once('close', resolve));
    a.destroy();
    await bClosed;
    expect(b.destroyed).toBe(true);
  });
});

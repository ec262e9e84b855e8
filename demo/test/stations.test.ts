/** The demo's stations are real agents whose error lines go to the demo's display, not to stderr. */
import { describe, expect, it } from 'vitest';
import { agentErrorLogger } from '../src/stations.ts';

describe("an agent's log in the demo", () => {
  it('hands the display the message of each error, from any component, and nothing less severe', () => {
    const shown: string[] = [];
    const log = agentErrorLogger((message) => shown.push(message)).child({ device: 'hz-h001-icu-01' });
    const uplink = log.child({ component: 'uplink' });
    uplink.warn({ inMs: 200 }, 'disconnected; will reconnect');
    uplink.error({ seq: 2, ours: 'aa', theirs: 'bb' }, 'ACK HASH MISMATCH: the server holds a different chain for this device');
    log.child({ component: 'outbox' }).error({ err: new Error('disk I/O error') }, 'could not commit the record; nothing was written');
    expect(shown).toEqual(['ACK HASH MISMATCH: the server holds a different chain for this device', 'could not commit the record; nothing was written']);
  });
});

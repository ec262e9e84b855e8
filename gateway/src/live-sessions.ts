/**
 * The MQTT sessions that are up, one per client id, read from each connection's own state.
 *
 * aedes' bookkeeping is not enough to count them: when a new CONNECT takes over a session whose
 * connection is already closing (a device's reconnect arriving with its old socket's end), aedes
 * unregisters the newcomer in place of the old client and never reports the newcomer's end, so counts
 * kept from its 'client' and 'clientDisconnect' events only grow. Here a session counts while its
 * connection is open (`closed` is set the moment aedes starts closing it), and a newer session for the
 * same client id supersedes the older one, which is what takeover means [MQTT-3.1.4-2].
 */
export interface SessionClient {
  readonly id: string;
  readonly closed: boolean;
}

export class LiveSessions<C extends SessionClient> {
  readonly #byId = new Map<string, C>();

  /**
   * Records a session that has just been registered. Returns the older session of the same client id
   * if it is still open (aedes failed to take it over): the caller closes it.
   */
  add(client: C): C | undefined {
    if (client.closed) return undefined; // its connection ended before aedes finished registering it
    const previous = this.#byId.get(client.id);
    this.#byId.set(client.id, client);
    return previous && previous !== client && !previous.closed ? previous : undefined;
  }

  /** Forgets this session (and only this one: a newer session of the same id stays). */
  delete(client: C): void {
    if (this.#byId.get(client.id) === client) this.#byId.delete(client.id);
  }

  /** The sessions whose connection is open now. */
  live(): C[] {
    const open: C[] = [];
    for (const [id, client] of this.#byId) {
      if (client.closed) this.#byId.delete(id);
      else open.push(client);
    }
    return open;
  }

  get size(): number {
    return this.live().length;
  }
}

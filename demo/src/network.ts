/**
 * A station's network link, as a switch the demo can flip: the station's agent connects to the broker
 * through this small TCP relay, and a network outage is the relay cutting every connection and
 * refusing new ones (the agent sees its link die and keeps retrying, as on a real site) until it is
 * restored. Nothing in the agent knows about it.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class NetworkLink {
  readonly url: string;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private up = true;

  private constructor(server: Server, port: number) {
    this.server = server;
    this.url = `mqtt://127.0.0.1:${port}`;
  }

  /** Listens on a free loopback port and relays to `target`. */
  static async open(target: { host: string; port: number }): Promise<NetworkLink> {
    let link: NetworkLink | undefined;
    const server = createServer((client) => link?.relay(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the relay has no TCP port');
    link = new NetworkLink(server, address.port);
    return link;
  }

  get isUp(): boolean {
    return this.up;
  }

  /** false: every connection is cut now and new ones are dropped; true: connections go through again. */
  set(up: boolean): void {
    this.up = up;
    if (!up) for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.set(false);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, target: { host: string; port: number }): void {
    if (!this.up) {
      client.destroy();
      return;
    }
    const broker = createConnection(target);
    for (const s of [client, broker]) {
      this.sockets.add(s);
      s.setNoDelay(true);
      s.on('error', () => {});
      s.once('close', () => {
        this.sockets.delete(s);
        client.destroy();
        broker.destroy();
      });
    }
    client.pipe(broker);
    broker.pipe(client);
  }
}

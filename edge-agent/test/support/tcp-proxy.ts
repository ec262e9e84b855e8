/**
 * A TCP proxy the test controls: forwards to the broker while up; while down it cuts every connection
 * and refuses new ones, like a network that is gone (or a broker that stopped).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  readonly url: string;
  up(): void;
  /** Cuts every open connection (no MQTT DISCONNECT: the broker fires wills) and refuses new ones. */
  down(): void;
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, initiallyUp = true): Promise<TcpProxy> {
  let isUp = initiallyUp;
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (!isUp) return void client.destroy();
    accepted++;
    const upstream = createConnection(target);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    up() {
      isUp = true;
    },
    down() {
      isUp = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    get connections() {
      return accepted;
    },
    async close() {
      isUp = false;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The network side: plain TCP, TLS and WebSocket (ws:// or wss://) listeners, each handing every new
 * byte stream to one `accept` function. Binding errors become a PortInUseError naming the port.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { ListenAddress, ResolvedTls } from '../config.ts';

export type ListenerKind = 'tcp' | 'tls' | 'websocket';

export interface BoundAddress {
  host: string;
  port: number;
  /** mqtt://, mqtts://, ws:// or wss:// URL of the listener as bound (a wildcard host stays a wildcard). */
  url: string;
}

export type AcceptConnection = (stream: Duplex, meta: { transport: string; remoteAddress: string | undefined }, req?: IncomingMessage) => void;

export interface Listener {
  kind: ListenerKind;
  address: BoundAddress;
  /** Stops accepting, destroys what is still open, resolves when the port is free. */
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  readonly code = 'PORT_IN_USE';
  readonly listener: ListenerKind;
  readonly port: number;
  constructor(listener: ListenerKind, port: number, host: string | undefined) {
    const hint = port === 1883 || port === 8883 ? ' (is Mosquitto running?)' : '';
    super(`port ${port}${host ? ` on ${host}` : ''} is in use${hint}`);
    this.name = 'PortInUseError';
    this.listener = listener;
    this.port = port;
  }
}

export class ListenError extends Error {
  readonly code = 'LISTEN_FAILED';
  readonly listener: ListenerKind;
  readonly port: number;
  constructor(listener: ListenerKind, port: number, host: string | undefined, cause: Error) {
    super(`cannot listen on ${listener} port ${port}${host ? ` on ${host}` : ''}: ${cause.message}`, { cause });
    this.name = 'ListenError';
    this.listener = listener;
    this.port = port;
  }
}

function bind(server: NetServer, kind: ListenerKind, at: ListenAddress): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(kind, at.port, at.host) : new ListenError(kind, at.port, at.host, err));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port: at.port, ...(at.host !== undefined ? { host: at.host } : {}) });
  });
}

function boundAddress(info: AddressInfo, scheme: string, path = ''): BoundAddress {
  const host = info.family === 'IPv6' || info.address.includes(':') ? `[${info.address}]` : info.address;
  return { host: info.address, port: info.port, url: `${scheme}://${host}:${info.port}${path}` };
}

function closeServer(server: NetServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Keeps every socket of a server so close() can end the ones no MQTT session owns yet. */
function trackSockets(server: NetServer, event: 'connection' | 'secureConnection'): Set<Duplex> {
  const sockets = new Set<Duplex>();
  server.on(event, (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}

export async function listenTcp(at: ListenAddress, accept: AcceptConnection): Promise<Listener> {
  const server = createNetServer({ noDelay: true }, (socket) => accept(socket, { transport: 'tcp', remoteAddress: socket.remoteAddress }));
  server.on('error', () => {});
  const sockets = trackSockets(server, 'connection');
  const info = await bind(server, 'tcp', at);
  return {
    kind: 'tcp',
    address: boundAddress(info, 'mqtt'),
    close: () => {
      const closed = closeServer(server);
      for (const s of sockets) s.destroy();
      return closed;
    },
  };
}

export async function listenTls(at: ListenAddress & ResolvedTls, accept: AcceptConnection): Promise<Listener> {
  const server = createTlsServer({ cert: at.cert, key: at.key, handshakeTimeout: 10_000 }, (socket) =>
    accept(socket, { transport: 'tls', remoteAddress: socket.remoteAddress }),
  );
  // A failed handshake is the client's problem; it must not take the listener down.
  server.on('tlsClientError', () => {});
  server.on('error', () => {});
  const sockets = trackSockets(server, 'connection');
  const info = await bind(server, 'tls', at);
  return {
    kind: 'tls',
    address: boundAddress(info, 'mqtts'),
    close: () => {
      const closed = closeServer(server);
      for (const s of sockets) s.destroy();
      return closed;
    },
  };
}

export async function listenWebSocket(
  at: ListenAddress & { path?: string; tls?: ResolvedTls },
  maxFrameBytes: number,
  accept: AcceptConnection,
): Promise<Listener> {
  const http: HttpServer = at.tls ? createHttpsServer({ cert: at.tls.cert, key: at.tls.key }) : createHttpServer();
  http.on('request', (_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' }).end('MQTT over WebSocket only\n');
  });
  http.on('clientError', (_err, socket) => socket.destroy());
  http.on('error', () => {});
  const sockets = trackSockets(http, 'connection');
  const wss = new WebSocketServer({ server: http, maxPayload: maxFrameBytes, ...(at.path !== undefined ? { path: at.path } : {}) });
  wss.on('error', () => {});
  wss.on('connection', (ws, req) => {
    const stream = createWebSocketStream(ws);
    // The stream's own 'error' (e.g. a frame over maxPayload) is handled by whoever accepts it.
    accept(stream, { transport: at.tls ? 'wss' : 'ws', remoteAddress: req.socket.remoteAddress }, req);
  });
  const info = await bind(http, 'websocket', at);
  return {
    kind: 'websocket',
    address: boundAddress(info, at.tls ? 'wss' : 'ws', at.path ?? ''),
    close: async () => {
      const closed = closeServer(http);
      for (const ws of wss.clients) ws.terminate();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await closed;
    },
  };
}

/**
 * The gateway: an aedes broker with device authentication, topic ACLs and limits, on TCP, TLS and
 * WebSocket listeners. The server embeds it (startGateway) or it runs alone (cli.ts).
 *
 * Refusals follow MQTT 3.1.1, which has no way to refuse a single PUBLISH: a publish that breaks a rule
 * (foreign topic, QoS 2, oversize, flood) closes the connection without a PUBACK [MQTT-3.3.5-2]; a
 * refused subscription (foreign topic, QoS 2) is granted 0x80 and the connection stays up.
 */
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { MqttClient, type IClientOptions } from 'mqtt';
import { writeToStream } from 'mqtt-packet';
import { DEVICE_ID_PATTERN, type Keyring } from '@wastetrail/firmware-protocol';
import { mayBeWill, mayPublish, mayRetain, maySubscribe, type Session } from './acl.ts';
import { decideConnect, sessionKeyStatus } from './auth/authenticate.ts';
import { CONNACK_FOR_AUTH_FAILURE, CONNACK_SERVER_UNAVAILABLE, type AuthFailureReason } from './auth/connack.ts';
import { ConnectRefusalLog } from './auth/refusal-log.ts';
import { ConfigError } from '@wastetrail/runtime';
import { resolveGatewayConfig, type GatewayConfig, type GatewayLimits } from './config.ts';
import { MqttFrameSizeGuard } from './limits/frame-size-guard.ts';
import { LoginThrottle } from './limits/login-throttle.ts';
import { TokenBucket } from './limits/token-bucket.ts';
import { Registry, silentLogger } from '@wastetrail/runtime';
import { clip } from './clip.ts';
import { copyMetrics, emptyMetrics, exposeGatewayMetrics, type GatewayMetrics, type RefusalReason } from './metrics.ts';
import { LiveSessions } from './live-sessions.ts';
import { createDuplexPair } from './transport/in-process.ts';
import { listenTcp, listenTls, listenWebSocket, type BoundAddress, type Listener } from './transport/listeners.ts';

/** Room for the fixed header, topic and packet id around the largest payload we accept. */
const FRAME_OVERHEAD_BYTES = 1024;

export interface GatewayAddresses {
  tcp?: BoundAddress;
  tls?: BoundAddress;
  websocket?: BoundAddress;
}

export interface Gateway {
  /** Where each listener is bound (port 0 in the config becomes the real port here). */
  readonly addresses: GatewayAddresses;
  readonly limits: GatewayLimits;
  /** A copy of the counters (the same counts are on `config.metrics`, the process's registry). */
  metrics(): GatewayMetrics;
  /** Swaps the keyring; devices whose key is now revoked or gone are disconnected at once. */
  setKeyring(keyring: Keyring): void;
  /**
   * An MQTT.js client connected in-process as the trusted server identity: it may subscribe to
   * wildcards and publish acks and commands. The client id must not look like a device id.
   */
  connectServerClient(options?: IClientOptions): MqttClient;
  /** Ends server clients, disconnects everyone, frees the ports. Safe to call twice. */
  close(): Promise<void>;
}

interface ClientState {
  session: Session;
  bucket: TokenBucket | undefined;
  /** Set once a publish was refused: the connection is closing, later packets are dropped quietly. */
  refused: boolean;
  /** Publishes held back by the rate limit, oldest first. */
  held: Array<{ releaseAt: number; release: () => void }>;
}

type AuthErrorCode = AuthenticateError['returnCode'];

export async function startGateway(config: GatewayConfig): Promise<Gateway> {
  const resolved = resolveGatewayConfig(config);
  const { limits } = resolved;
  const log = config.logger ?? silentLogger;
  const now = config.now ?? Date.now;
  let keyring = config.keyring;

  const counters = emptyMetrics();
  const states = new WeakMap<Client, ClientState>();
  const deviceSessions = new LiveSessions<Client>();
  const serverSessions = new LiveSessions<Client>();
  const openStreams = new Set<Duplex>();
  const inProcessStreams = new WeakSet<object>();
  /** The will of each CONNECT: aedes hands this same object to authorizePublish when it fires. */
  const wills = new WeakSet<object>();
  const throttleTimers = new Set<NodeJS.Timeout>();
  /** The source address of each network connection (none for in-process ones). */
  const remoteAddresses = new WeakMap<object, string>();
  const throttle = new LoginThrottle(limits.loginFailures);
  const refusalLog = new ConnectRefusalLog(log);
  const refusalLogTimer = setInterval(() => refusalLog.flush(), limits.loginFailures.logIntervalMs).unref();
  const serverClients = new Set<MqttClient>();
  let serverClientCount = 0;
  let closing: Promise<void> | undefined;

  // mqtt-packet (aedes's and MQTT.js's writer) otherwise builds, on its first packet, a cache of 65,536
  // two-byte Buffers for packet ids and lengths: ~6 MB of JS heap held for good, a tenth of an idle
  // server's live heap, to save one tiny allocation per packet (issue #17; docs/performance.md).
  writeToStream.cacheNumbers = false;
  const broker = await Aedes.createBroker({
    connectTimeout: limits.connectTimeoutMs,
    drainTimeout: 30_000,
    preConnect(_client, packet, callback) {
      if (packet.will) wills.add(packet.will);
      callback(null, true);
    },
    authenticate(client, username, password, done) {
      const remote = remoteAddresses.get(client.conn);
      const refused = (reason: AuthFailureReason, returnCode: number) => {
        counters.authFailures[reason]++;
        refusalLog.refused({ remote, client: clip(client.id), username: clip(username), reason, connack: returnCode });
        done(authError(`connection refused: ${reason}`, returnCode), null);
      };
      // A locked-out address is refused before its credentials cost a signature check or scrypt.
      if (remote !== undefined && throttle.lockedFor(remote, now()) > 0) return refused('throttled', CONNACK_FOR_AUTH_FAILURE.throttled);
      decideConnect(
        { clientId: client.id, username, password, inProcess: inProcessStreams.has(client.conn) },
        { keyring, nowMs: now(), skewMs: resolved.authSkewMs, server: resolved.server },
      ).then(
        (decision) => {
          if (decision.ok) {
            const { session } = decision;
            const bucket = session.role === 'device' ? new TokenBucket(limits.rate.messagesPerSecond, limits.rate.burst, now()) : undefined;
            states.set(client, { session, bucket, refused: false, held: [] });
            counters.connectionsAccepted++;
            return done(null, true);
          }
          const lockoutMs = remote !== undefined ? throttle.failed(remote, now()) : undefined;
          if (lockoutMs !== undefined) log.warn({ remote, maxFailures: limits.loginFailures.maxFailures, windowMs: limits.loginFailures.windowMs, lockoutMs }, 'source address locked out after repeated failed CONNECTs');
          refused(decision.reason, decision.returnCode);
        },
        (err: unknown) => {
          counters.authFailures.internal_error++;
          log.error({ client: clip(client.id), err }, 'authentication failed');
          done(authError('authentication failed', CONNACK_SERVER_UNAVAILABLE), null);
        },
      );
    },
    authorizePublish(client, packet, callback) {
      authorizePublish(client, packet, callback);
    },
    authorizeSubscribe(client, subscription, callback) {
      const state = states.get(client);
      // QoS 2 is refused, not downgraded: aedes would still grant 2 in the SUBACK while delivering at 1.
      const reason: RefusalReason | undefined =
        !state || !maySubscribe(state.session, subscription.topic) ? 'acl_subscribe' : subscription.qos > 1 ? 'qos2' : undefined;
      if (reason) {
        counters.refusals[reason]++;
        log.warn({ client: clip(client.id), topic: clip(subscription.topic), qos: subscription.qos, reason }, 'subscription refused');
        return callback(null, null);
      }
      callback(null, subscription);
    },
    authorizeForward(_client, packet) {
      counters.messagesOut++;
      counters.bytesOut += packet.payload.length;
      return packet;
    },
  });

  broker.on('client', (client) => {
    const session = states.get(client)?.session;
    log.debug({ client: client.id, role: session?.role }, 'client connected');
    if (!session) return;
    const superseded = (session.role === 'device' ? deviceSessions : serverSessions).add(client);
    if (superseded) {
      log.info({ client: client.id }, 'older session of this client id closed (taken over)');
      superseded.close();
    }
    // A keyring reload between the token check and this registration must not be missed.
    if (session.role === 'device') disconnectIfKeyRevoked(client, session, now());
  });
  broker.on('clientDisconnect', (client) => {
    deviceSessions.delete(client);
    serverSessions.delete(client);
    log.debug({ client: client.id }, 'client disconnected');
  });
  broker.on('clientError', (client, err) => log.debug({ client: clip(client.id), err }, 'client error'));
  broker.on('connectionError', (_client, err) => log.debug({ err }, 'connection error'));
  // Persistence errors; aedes would otherwise throw them as unhandled 'error' events.
  (broker as unknown as NodeJS.EventEmitter).on('error', (err: Error) => log.error({ err }, 'broker error'));

  function disconnectIfKeyRevoked(client: Client, session: Extract<Session, { role: 'device' }>, nowMs: number): void {
    const status = sessionKeyStatus(keyring, session.device, session.kid, nowMs);
    if (status === 'ok') return;
    counters.keyringDisconnects++;
    log.warn({ client: client.id, kid: session.kid, reason: status }, 'device disconnected: its key is no longer in the keyring');
    deviceSessions.delete(client);
    client.close();
  }

  function authError(message: string, returnCode: number): AuthenticateError {
    return Object.assign(new Error(message), { returnCode: returnCode as AuthErrorCode });
  }

  function authorizePublish(client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void): void {
    const state = client ? states.get(client) : undefined;
    const isWill = wills.has(packet);
    const payloadBytes = packet.payload.length;
    const accept = () => {
      counters.messagesIn++;
      counters.bytesIn += payloadBytes;
      callback(null);
    };

    if (isWill || !client) {
      // A will fires after the connection is gone, whatever ended it: it is checked, never throttled.
      if (!mayBeWill(state?.session, packet.topic) || payloadBytes > limits.maxPayloadBytes) {
        counters.refusals.acl_publish++;
        log.warn({ client: clip(client?.id), topic: clip(packet.topic) }, 'will refused');
        return callback(new Error('will refused'));
      }
      if (packet.qos > 1) packet.qos = 1;
      return accept();
    }
    if (!state) return callback(new Error('not authenticated'));
    if (state.refused) return callback(new Error('connection closing'));

    const refuse = (reason: RefusalReason, fields: Record<string, unknown> = {}) => {
      state.refused = true;
      counters.refusals[reason]++;
      log.warn({ client: clip(client.id), topic: clip(packet.topic), reason, ...fields }, 'publish refused');
      callback(new Error(`publish refused: ${reason}`));
    };
    if (!mayPublish(state.session, packet.topic)) return refuse('acl_publish');
    if (packet.qos === 2) return refuse('qos2');
    if (payloadBytes > limits.maxPayloadBytes) return refuse('oversize', { bytes: payloadBytes });
    if (packet.retain && !mayRetain(packet.topic)) {
      packet.retain = false;
      counters.retainFlagsCleared++;
    }
    if (!state.bucket) return accept();
    const waitMs = state.bucket.take(now(), limits.rate.maxDelayMs);
    if (waitMs === undefined) return refuse('rate_limited');
    if (waitMs === 0) return accept();
    counters.throttledMessages++;
    hold(client, state, now() + waitMs, accept);
  }

  /**
   * Holds a throttled publish until its token exists. One FIFO and one timer per client, so held
   * messages are released in the order they came (MQTT keeps a client's QoS 1 messages in order).
   */
  function hold(client: Client, state: ClientState, releaseAt: number, release: () => void): void {
    state.held.push({ releaseAt, release });
    if (state.held.length === 1) schedule(client, state);
  }

  function schedule(client: Client, state: ClientState): void {
    const head = state.held[0];
    if (!head) return;
    const timer = setTimeout(() => {
      throttleTimers.delete(timer);
      const t = now();
      // The head's time has come (the timer was set for it); anything due by now goes with it.
      do {
        const next = state.held.shift()!;
        if (client.closed) continue; // aedes has dropped the connection; the device resends unacked records
        next.release();
      } while (state.held.length > 0 && state.held[0]!.releaseAt <= t);
      schedule(client, state);
    }, Math.max(0, head.releaseAt - now()));
    throttleTimers.add(timer);
  }

  function acceptConnection(stream: Duplex, meta: { transport: string; remoteAddress: string | undefined }, req?: IncomingMessage): void {
    if (closing) {
      stream.destroy();
      return;
    }
    if (openStreams.size >= limits.maxConnections) {
      counters.refusals.connection_limit++;
      log.warn({ transport: meta.transport, remote: meta.remoteAddress, reason: 'connection_limit' }, 'connection refused');
      stream.destroy();
      return;
    }
    openStreams.add(stream);
    stream.once('close', () => openStreams.delete(stream));
    if (meta.remoteAddress !== undefined) remoteAddresses.set(stream, meta.remoteAddress);
    broker.handle(stream, req);
    // aedes reads the stream with read() on 'readable'; a 'data' listener then sees every chunk it
    // reads without changing the flow (Node's documented precedence of 'readable' over 'data').
    const guard = new MqttFrameSizeGuard(limits.maxPayloadBytes + FRAME_OVERHEAD_BYTES);
    const onData = (chunk: Buffer) => {
      const announced = guard.feed(chunk);
      if (announced === undefined) return;
      stream.off('data', onData);
      counters.refusals.oversize++;
      log.warn({ transport: meta.transport, remote: meta.remoteAddress, bytes: announced }, 'connection closed: packet too large');
      stream.destroy();
    };
    stream.on('data', onData);
  }

  const listeners: Listener[] = [];
  const addresses: GatewayAddresses = {};
  try {
    if (resolved.tcp) {
      const l = await listenTcp(resolved.tcp, acceptConnection);
      listeners.push(l);
      addresses.tcp = l.address;
    }
    if (resolved.tls) {
      const l = await listenTls(resolved.tls, acceptConnection);
      listeners.push(l);
      addresses.tls = l.address;
    }
    if (resolved.websocket) {
      const l = await listenWebSocket(resolved.websocket, limits.maxPayloadBytes + FRAME_OVERHEAD_BYTES, acceptConnection);
      listeners.push(l);
      addresses.websocket = l.address;
    }
  } catch (err) {
    clearInterval(refusalLogTimer);
    await Promise.all(listeners.map((l) => l.close()));
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw err;
  }
  for (const l of listeners) log.info({ listener: l.kind, url: l.address.url }, 'listening');

  async function shutdown(): Promise<void> {
    for (const c of serverClients) c.end(true);
    serverClients.clear();
    for (const t of throttleTimers) clearTimeout(t);
    throttleTimers.clear();
    clearInterval(refusalLogTimer);
    refusalLog.flush();
    const listenersClosed = Promise.all(listeners.map((l) => l.close()));
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    for (const s of openStreams) s.destroy();
    await listenersClosed;
    log.info('closed');
  }

  exposeGatewayMetrics(config.metrics ?? new Registry(), metrics);

  function metrics(): GatewayMetrics {
    const m = copyMetrics(counters);
    m.connectedDevices = deviceSessions.size;
    m.connectedServerClients = serverSessions.size;
    m.openConnections = openStreams.size;
    return m;
  }

  return {
    addresses,
    limits,
    metrics,
    setKeyring(next) {
      keyring = next;
      const nowMs = now();
      for (const client of deviceSessions.live()) {
        const session = states.get(client)?.session;
        if (session?.role === 'device') disconnectIfKeyRevoked(client, session, nowMs);
      }
      log.info({ devices: next.devices.size }, 'keyring loaded');
    },
    connectServerClient(options = {}) {
      const clientId = options.clientId ?? `${resolved.server.username}_${process.pid}_${++serverClientCount}`;
      if (DEVICE_ID_PATTERN.test(clientId)) throw ConfigError.at('clientId', `must not look like a device id (a device could take it over), got "${clientId}"`);
      const client = new MqttClient(
        () => {
          const [clientEnd, brokerEnd] = createDuplexPair();
          if (closing) {
            queueMicrotask(() => clientEnd.destroy());
            return clientEnd;
          }
          inProcessStreams.add(brokerEnd);
          broker.handle(brokerEnd);
          return clientEnd;
        },
        { protocolVersion: 4, reconnectPeriod: 1000, ...options, clientId, username: resolved.server.username },
      );
      serverClients.add(client);
      client.once('end', () => serverClients.delete(client));
      return client;
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}

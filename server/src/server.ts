/**
 * The composition root: one server process = store + (embedded gateway or external broker) + ingest
 * + custody projection and rules + HTTP API. Everything is started here, in dependency order, and
 * stopped in CLOSE_ORDER; nothing else builds these parts.
 */
import { dirname } from 'node:path';
import { PortInUseError, startGateway, type Gateway } from '@wastetrail/gateway';
import { createMetricsRegistry, createRootLogger, serveMetrics, type Logger, type Registry } from '@wastetrail/runtime';
import type { MqttClient } from 'mqtt';
import type { ServerConfig } from './config/index.ts';
import { connectIngestClient, startIngest, type Ingest } from './ingest/index.ts';
import { startAlerting, type Alerting } from './alerting/index.ts';
import { startNotifier, storeJurisdictionPath, type Notifier } from './notify/index.ts';
import { buildApp, type ApiInstance } from './api/app.ts';
import { registerWebUi } from './web/index.ts';
import { loadLogKey, startCheckpoints, type Checkpointer } from './log/index.ts';
import { startChangeDelivery, type ChangeDeliverer } from './changes/webhooks.ts';
import type { CustodyStore } from './store/index.ts';
import { openStore } from './store/open.ts';
import type { PgStore } from './store/pg.ts';
import { soloLeadership, type Cluster, type Leadership } from './cluster/index.ts';
import { recordedEscalations } from './notify/outbox.ts';

export interface StartOptions {
  /** The process's root logger; default: one from `config.log` (createRootLogger). */
  logger?: Logger;
  /** When a configured port is taken, listen on a free one instead and say so (the demo does this). */
  fallbackToFreePorts?: boolean;
  /** Clock for ingest, rules and the API (ms since the epoch); sessions and login limits always use the wall clock. */
  now?: () => number;
}

export interface RunningServer {
  readonly config: ServerConfig;
  readonly store: CustodyStore;
  readonly gateway: Gateway | undefined;
  readonly ingest: Ingest;
  /** Bag projection, rules and the alert book. */
  readonly alerting: Alerting;
  /** The HTTP API and the web app (/app/). */
  readonly http: ApiInstance;
  /** http://host:port/ of the HTTP API. */
  readonly httpUrl: string;
  /** mqtt://host:port of the embedded gateway's TCP listener, when there is one. */
  readonly mqttUrl: string | undefined;
  /** What the server listens on, as `<what> <url>` lines (MQTT TLS/WebSocket, HTTP, metrics). */
  listening(): string[];
  /** The process's metrics registry: default metrics, HTTP, gateway, ingest, alerts, notifications. */
  readonly metrics: Registry;
  /** http://host:port/metrics of the config's `metrics` listener, when there is one. */
  readonly metricsUrl: string | undefined;
  /** The process's root logger. */
  readonly log: Logger;
  /** The verifiable log's verifier key (`<origin>+<key id>+<base64 key>`), and its checkpoint signer. */
  readonly logKey: string;
  readonly checkpoints: Checkpointer;
  /** Delivers the change feed to webhook subscriptions. */
  readonly changeDelivery: ChangeDeliverer;
  /** Who runs the jobs that must run once (rule tick and escalation, notifications, checkpoints): always this process on SQLite. */
  readonly leadership: Leadership;
  /** Re-reads the keyring from the store into ingest and the gateway (after provisioning a device). */
  reloadKeyring(): Promise<void>;
  close(): Promise<void>;
}

/**
 * How a server stops: first the front door (no new HTTP connections, the requests in flight answered);
 * then ingest commits and acknowledges what it has, over an MQTT client and gateway still up; alerting
 * projects those last records and files its alerts, notifications send them; the store closes last.
 */
export const CLOSE_ORDER = ['http', 'metrics', 'ingest', 'mqtt client', 'gateway', 'alerting', 'notifications', 'change delivery', 'checkpoints', 'leadership', 'store'] as const;

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.logger ?? createRootLogger(config.log, { name: 'wastetrail-server', ...(config.file ? { baseDir: dirname(config.file) } : {}) });
  const component = (name: 'gateway' | 'ingest' | 'alerting' | 'notify' | 'http' | 'log' | 'changes') => log.child({ component: name });
  const metrics = createMetricsRegistry();
  const stops = new Map<(typeof CLOSE_ORDER)[number], () => Promise<unknown>>();
  const close = async () => {
    for (const part of CLOSE_ORDER) {
      const stop = stops.get(part);
      if (!stop) continue;
      stops.delete(part);
      log.info(`closing ${part}`);
      try {
        await stop();
      } catch (err) {
        log.error({ err, part }, `while closing ${part}`);
      }
    }
  };
  try {
    const store = await openStore(config.storage);
    stops.set('store', () => store.close());
    // On PostgreSQL any number of processes share the store; one elected leader runs the jobs that must run once.
    let cluster: Cluster | undefined;
    if (config.storage.driver === 'postgres') cluster = await (await import('./cluster/index.ts')).joinCluster(store as PgStore, config.cluster, log.child({ component: 'cluster' }), metrics);
    const leadership = cluster?.leadership ?? soloLeadership();
    if (cluster) stops.set('leadership', () => leadership.close());
    const isLeader = () => leadership.isLeader();
    const keyring = await store.keyring();

    // The log key is made on first start; only its public half is ever logged or served.
    const logKey = loadLogKey(config.dataDir, config.verifiableLog.origin);
    log.info({ verifierKey: logKey.verifierKey, created: logKey.created }, `log key ${logKey.verifierKey}`);
    const checkpoints = await startCheckpoints({ store, key: logKey, intervalMs: config.verifiableLog.checkpointIntervalMs, logger: component('log'), metrics, clock: options.now ?? Date.now, isLeader });
    stops.set('checkpoints', () => checkpoints.close());

    let gateway: Gateway | undefined;
    let client: MqttClient;
    const now = options.now ?? Date.now;
    if (config.mqtt.mode === 'embedded') {
      // Device login tokens are judged on the server's clock (the demo's is accelerated).
      const settings = { ...config.mqtt.gateway, keyring, now, logger: component('gateway'), metrics };
      try {
        gateway = await startGateway(settings);
      } catch (err) {
        if (!(err instanceof PortInUseError) || !options.fallbackToFreePorts || err.listener !== 'tcp') throw err;
        log.warn(`MQTT ${err.message}; listening on a free port instead`);
        gateway = await startGateway({ ...settings, tcp: { ...(typeof settings.tcp === 'object' ? settings.tcp : {}), port: 0 } });
      }
      const gw = gateway;
      stops.set('gateway', () => gw.close());
      client = connectIngestClient({ kind: 'embedded', gateway });
    } else {
      client = connectIngestClient({ kind: 'external', ...config.mqtt });
    }
    stops.set('mqtt client', () => client.endAsync());

    const ingest = await startIngest({ client, store, keyring, settings: config.ingest, logger: component('ingest'), metrics, ...(options.now ? { now: options.now } : {}) });
    stops.set('ingest', () => ingest.close());

    // Escalation webhooks and e-mail, delivered in the background; closed after alerting, so it can drain.
    let notifier: Notifier | undefined;
    if (config.notifications) {
      // Several processes: a durable queue every process fills and the leader empties; it re-queues, from
      // the alerts' history, escalations of the last hour a process may have died before queueing.
      const outbox = cluster && {
        queue: cluster.notifications,
        holder: leadership.holder,
        isLeader,
        pollMs: config.cluster.notificationPollMs,
        recorded: async () => recordedEscalations(await store.unresolvedAlerts(), now() - RECORDED_ESCALATIONS_MS, now()),
      };
      const n = startNotifier({ config: config.notifications, clock: now, jurisdictionPath: storeJurisdictionPath(store), logger: component('notify'), metrics, ...(outbox ? { outbox } : {}) });
      notifier = n;
      stops.set('notifications', () => n.close());
    }

    const onEffects = notifier?.onEffects.bind(notifier);
    const alerting = await startAlerting({ store, ingest, ruleConfig: config.rules, clock: now, tickMs: config.alerting.tickMs, isLeader, logger: component('alerting'), metrics, ...(onEffects ? { onEffects } : {}) });
    stops.set('alerting', () => alerting.close());

    // Webhook subscriptions to the change feed (docs/interop/changes.md), on the wall clock.
    const changeDelivery = startChangeDelivery({ store, logger: component('changes'), settings: { timeZone: config.rules.defaults.timeZone } });
    stops.set('change delivery', () => changeDelivery.close());

    const { host: _host, port: _port, trustProxy, serveMetrics: metricsOnHttp, ...loadShedding } = config.http;
    const http = await buildApp({ store, clock: now, sessionClock: Date.now, demo: config.demo, metrics, ingestStats: () => ingest.stats(), alerts: alerting, log: { origin: logKey.origin, verifierKey: logKey.verifierKey, witnesses: config.verifiableLog.witnesses, quorum: config.verifiableLog.quorum }, supervision: config.supervision, epcis: { timeZone: config.rules.defaults.timeZone, pageTokenKey: logKey.derivedSecret('epcis/page-token') }, logger: component('http'), webRoutes: registerWebUi, loadShedding, trustProxy, serveMetrics: metricsOnHttp, ...(cluster ? { loginWindows: cluster.loginWindows } : {}) });
    stops.set('http', () => http.close());
    const httpUrl = await listenHttp(http, config.http, options.fallbackToFreePorts === true, log);
    const metricsListener = config.metrics ? await serveMetrics(metrics, config.metrics) : undefined;
    if (metricsListener) stops.set('metrics', () => metricsListener.close());

    const tcp = gateway?.addresses.tcp;
    return {
      config,
      store,
      gateway,
      ingest,
      alerting,
      http,
      httpUrl,
      mqttUrl: tcp ? `mqtt://${tcp.host}:${tcp.port}` : undefined,
      listening: () => {
        const out: string[] = [`http ${httpUrl}`];
        if (metricsListener) out.push(`metrics ${metricsListener.url}`);
        if (gateway?.addresses.tls) out.push(`mqtts ${gateway.addresses.tls.url}`);
        if (gateway?.addresses.websocket) out.push(`mqtt-ws ${gateway.addresses.websocket.url}`);
        return out;
      },
      metrics,
      metricsUrl: metricsListener?.url,
      log,
      logKey: logKey.verifierKey,
      checkpoints,
      changeDelivery,
      leadership,
      async reloadKeyring() {
        const k = await store.keyring();
        ingest.setKeyring(k);
        gateway?.setKeyring(k);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** How far back the leader looks for escalations the alerts record and the notification queue may lack. */
const RECORDED_ESCALATIONS_MS = 60 * 60 * 1000;

async function listenHttp(http: ApiInstance, at: { host: string; port: number }, fallback: boolean, log: Logger): Promise<string> {
  try {
    await http.listen(at);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    if (!fallback) throw new Error(`HTTP port ${at.port} on ${at.host} is in use; choose another with "http.port"`);
    log.warn(`HTTP port ${at.port} is in use; listening on a free port instead`);
    await http.listen({ host: at.host, port: 0 });
  }
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : at.port;
  return `http://${at.host.includes(':') ? `[${at.host}]` : at.host}:${port}/`;
}

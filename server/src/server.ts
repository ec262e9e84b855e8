/**
 * The composition root: one server process = store + (embedded gateway or external broker) + ingest
 * + custody projection and rules + HTTP API. Everything is started here, in dependency order, and
 * stopped in CLOSE_ORDER; nothing else builds these parts.
 */
import { PortInUseError, startGateway, type Gateway, type GatewayLogger } from '@wastetrail/gateway';
import type { MqttClient } from 'mqtt';
import type { ServerConfig } from './config/index.ts';
import { connectIngestClient, renderIngestMetrics, startIngest, type Ingest } from './ingest/index.ts';
import { startAlerting, type Alerting } from './alerting/index.ts';
import { lineLogger, startNotifier, storeJurisdictionPath, type Notifier } from './notify/index.ts';
import { buildApp, type ApiInstance } from './api/app.ts';
import { registerWebUi } from './web/index.ts';
import { openStore, type CustodyStore } from './store/index.ts';

export interface ServerLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const consoleLogger: ServerLogger = {
  info: (m) => process.stderr.write(`${m}\n`),
  warn: (m) => process.stderr.write(`warning: ${m}\n`),
  error: (m) => process.stderr.write(`error: ${m}\n`),
};

export interface StartOptions {
  logger?: ServerLogger;
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
  /** The HTTP API and the web UI (/ui/). */
  readonly http: ApiInstance;
  /** http://host:port/ of the HTTP API. */
  readonly httpUrl: string;
  /** mqtt://host:port of the embedded gateway's TCP listener, when there is one. */
  readonly mqttUrl: string | undefined;
  /** What the server listens on, as `<what> <url>` lines (MQTT TLS/WebSocket, HTTP). */
  listening(): string[];
  /** Prometheus text of the gateway, ingest and notifications. */
  metricsText(): string;
  /** Re-reads the keyring from the store into ingest and the gateway (after provisioning a device). */
  reloadKeyring(): Promise<void>;
  close(): Promise<void>;
}

/**
 * How a server stops: first the front door (no new HTTP connections, the requests in flight answered);
 * then ingest commits and acknowledges what it has, over an MQTT client and gateway still up; alerting
 * projects those last records and files its alerts, notifications send them; the store closes last.
 */
export const CLOSE_ORDER = ['http', 'ingest', 'mqtt client', 'gateway', 'alerting', 'notifications', 'store'] as const;

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.logger ?? consoleLogger;
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
        log.error(`while closing ${part}: ${(err as Error).message}`);
      }
    }
  };
  try {
    const store = await openStore(config.storage);
    stops.set('store', () => store.close());
    const keyring = await store.keyring();

    let gateway: Gateway | undefined;
    let client: MqttClient;
    const now = options.now ?? Date.now;
    if (config.mqtt.mode === 'embedded') {
      // Device login tokens are judged on the server's clock (the demo's is accelerated).
      const settings = { ...config.mqtt.gateway, keyring, now, logger: componentLogger(log, 'gateway') };
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

    const ingest = await startIngest({ client, store, keyring, settings: config.ingest, logger: componentLogger(log, 'ingest'), ...(options.now ? { now: options.now } : {}) });
    stops.set('ingest', () => ingest.close());

    // Escalation webhooks and e-mail, delivered in the background; closed after alerting, so it can drain.
    let notifier: Notifier | undefined;
    if (config.notifications) {
      const n = startNotifier({ config: config.notifications, clock: now, jurisdictionPath: storeJurisdictionPath(store), logger: lineLogger(log, 'notify') });
      notifier = n;
      stops.set('notifications', () => n.close());
    }

    const onEffects = notifier?.onEffects.bind(notifier);
    const alerting = await startAlerting({ store, ingest, ruleConfig: config.rules, clock: now, tickMs: config.alerting.tickMs, logger: componentLogger(log, 'alerting'), ...(onEffects ? { onEffects } : {}) });
    stops.set('alerting', () => alerting.close());

    const metricsText = () => renderIngestMetrics(ingest.stats()) + (gateway?.prometheusMetrics() ?? '') + (notifier?.metricsText() ?? '');
    const { host: _host, port: _port, ...loadShedding } = config.http;
    const http = await buildApp({ store, clock: now, sessionClock: Date.now, demo: config.demo, metricsText, ingestStats: () => ingest.stats(), alerts: alerting, supervision: config.supervision, logger: false, webRoutes: registerWebUi, loadShedding });
    stops.set('http', () => http.close());
    const httpUrl = await listenHttp(http, config.http, options.fallbackToFreePorts === true, log);

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
        if (gateway?.addresses.tls) out.push(`mqtts ${gateway.addresses.tls.url}`);
        if (gateway?.addresses.websocket) out.push(`mqtt-ws ${gateway.addresses.websocket.url}`);
        return out;
      },
      metricsText,
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

async function listenHttp(http: ApiInstance, at: { host: string; port: number }, fallback: boolean, log: ServerLogger): Promise<string> {
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

/** The gateway and ingest log through one interface (GatewayLogger); here it goes to the server's log. */
function componentLogger(log: ServerLogger, component: string): GatewayLogger {
  const noop = () => {};
  return { debug: noop, info: noop, warn: (m) => log.warn(`${component}: ${m}`), error: (m) => log.error(`${component}: ${m}`) };
}

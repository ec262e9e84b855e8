/** The fuzz campaign: serial chunks, MQTT payloads and API requests, counted (see each part). */
import { fuzzApi, type ApiFuzzResult } from './api.ts';
import { fuzzMqtt, type MqttFuzzResult } from './mqtt.ts';
import { fuzzSerial, PENDING_BOUND, type SerialFuzzResult } from './serial.ts';

export type FuzzPart = 'serial' | 'mqtt' | 'api';

export const FUZZ_DEFAULTS = { serialChunks: 10_000_000, mqttPayloads: 1_000_000, apiRequests: 50_000, seed: 18 } as const;
export const FUZZ_SHORT = { serialChunks: 200_000, mqttPayloads: 5_000, apiRequests: 3_000, seed: 18 } as const;

export interface FuzzOptions {
  parts: readonly FuzzPart[];
  serialChunks: number;
  mqttPayloads: number;
  apiRequests: number;
  seed: number;
  log: (line: string) => void;
}

export interface FuzzResult {
  serial?: SerialFuzzResult;
  mqtt?: MqttFuzzResult;
  api?: ApiFuzzResult;
  /** This process's peak resident memory (the server of the MQTT and API parts runs in it), MB. */
  peakRssMb: number;
  passed: boolean;
}

/** Exceptions nobody caught, while `handler` is registered. */
function watchExceptions(handler: (err: unknown) => void): () => void {
  process.on('uncaughtException', handler);
  process.on('unhandledRejection', handler);
  return () => {
    process.off('uncaughtException', handler);
    process.off('unhandledRejection', handler);
  };
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzResult> {
  const out: FuzzResult = { peakRssMb: 0, passed: false };
  if (o.parts.includes('serial')) out.serial = await fuzzSerial({ chunks: o.serialChunks, seed: o.seed, log: o.log });
  if (o.parts.includes('mqtt')) out.mqtt = await fuzzMqtt({ payloads: o.mqttPayloads, seed: o.seed, log: o.log, onException: watchExceptions });
  if (o.parts.includes('api')) out.api = await fuzzApi({ requests: o.apiRequests, seed: o.seed, log: o.log, onException: watchExceptions });
  out.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const serialOk = !out.serial || (out.serial.exceptions.length === 0 && Object.values(out.serial.byTarget).every((t) => t.maxPending <= PENDING_BOUND));
  const mqttOk = !out.mqtt || (out.mqtt.exceptions.length === 0 && out.mqtt.foreignStored === 0 && out.mqtt.stillTakesRecords && out.mqtt.healthStatus === 200);
  const apiOk = !out.api || (out.api.exceptions.length === 0 && out.api.serverErrors === 0 && out.api.outOfScope.length === 0 && out.api.transportErrors === 0);
  out.passed = serialOk && mqttOk && apiOk;
  return out;
}

export function formatFuzzResult(r: FuzzResult): string {
  const lines = [`fuzz ${r.passed ? 'PASSED' : 'FAILED'}; peak RSS of the campaign process (with the server of the MQTT and API parts in it) ${r.peakRssMb} MB`];
  if (r.serial) {
    const s = r.serial;
    lines.push(`  serial    ${s.chunks.toLocaleString('en')} chunks (${(s.bytes / 1e6).toFixed(1)} MB) through ${Object.keys(s.byTarget).length} parsers and drivers: ${s.exceptions.length} exceptions; most bytes held by a parser ${Math.max(...Object.values(s.byTarget).map((t) => t.maxPending))} (bound ${PENDING_BOUND})`);
    for (const [name, t] of Object.entries(s.byTarget)) lines.push(`    ${name.padEnd(26)} ${t.chunks.toLocaleString('en').padStart(11)} chunks  ${t.outputs.toLocaleString('en').padStart(9)} outputs  ${t.exceptions} exceptions  held at most ${t.maxPending} bytes`);
    for (const e of s.exceptions.slice(0, 3)) lines.push(`    ! ${e.split('\n')[0]}`);
  }
  if (r.mqtt) {
    const m = r.mqtt;
    lines.push(
      `  mqtt      ${m.payloads.toLocaleString('en')} payloads (${Object.entries(m.byKind).map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(', ')}) at ${Math.round(m.payloadsPerSecond)}/s: ${m.exceptions.length} exceptions, ${m.foreignStored} records stored that no device signed, ${m.quarantined.toLocaleString('en')} quarantine rows; afterwards a genuine record ${m.stillTakesRecords ? 'is stored' : 'is NOT stored'}, /healthz ${m.healthStatus}`,
    );
    for (const e of m.exceptions.slice(0, 3)) lines.push(`    ! ${e.split('\n')[0]}`);
  }
  if (r.api) lines.push(...formatApi(r.api));
  return lines.join('\n');
}

function formatApi(a: ApiFuzzResult): string[] {
  const lines = [
    `  api       ${a.requests.toLocaleString('en')} requests over ${a.routes} routes (OpenAPI ${a.openapiUrl}) as ${Object.keys(a.byRole).join(', ')}: ${a.serverErrors} 5xx, ${a.transportErrors} failed connections, ${a.exceptions.length} exceptions, ${a.outOfScope.length} answers outside the role's scope (${a.scopeChecks.toLocaleString('en')} checked by the oracle)`,
    `    statuses: ${Object.entries(a.byStatus).sort().map(([k, v]) => `${k} ${v}`).join(', ')}`,
  ];
  for (const x of a.examples5xx.slice(0, 5)) lines.push(`    5xx: ${x}`);
  for (const x of [...new Set(a.outOfScope)].slice(0, 5)) lines.push(`    out of scope: ${x}`);
  return lines;
}

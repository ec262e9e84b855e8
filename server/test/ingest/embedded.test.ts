/** Ingest through the embedded gateway (aedes in-process, devices over TCP with signed tokens). */
import { afterAll, beforeAll, describe } from 'vitest';
import { startGateway, type Gateway } from '@wastetrail/gateway';
import { ingestScenarios } from './scenarios.ts';
import { quiet } from './support.ts';

let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway({ keyring: { devices: new Map() }, tcp: { port: 0, host: '127.0.0.1' }, logger: quiet });
});

afterAll(async () => {
  await gateway.close();
});

describe('ingest through the embedded gateway', () => {
  ingestScenarios(() => ({
    deviceUrl: gateway.addresses.tcp!.url,
    auth: 'token',
    serverClient: () => gateway.connectServerClient(),
    setKeyring: (keyring) => gateway.setKeyring(keyring),
    open: false,
  }));
});

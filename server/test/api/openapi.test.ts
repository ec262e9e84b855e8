/**
 * The OpenAPI document the server serves (/docs/json) is valid OpenAPI 3 by a standard validator
 * (@apidevtools/swagger-parser), and names the interop routes with their parameters.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../src/api/app.ts';
import { closeApp, openTestWorld, type TestWorld } from './support.ts';

let w: TestWorld;
let app: ApiInstance;
let doc: { openapi: string; paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>> };

beforeAll(async () => {
  w = await openTestWorld({ users: false });
  app = await (await import('../../src/api/app.ts')).buildApp(w.deps);
  const r = await app.inject({ url: '/docs/json' });
  expect(r.statusCode).toBe(200);
  doc = JSON.parse(r.body);
});
afterAll(async () => closeApp(w, app));

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
  });

  it('the validator does refuse a broken document', async () => {
    const broken = structuredClone(doc) as Record<string, unknown>;
    (broken.paths as Record<string, unknown>)['/epcis/events'] = { get: { responses: { 200: { content: 'not an object' } } } };
    await expect(SwaggerParser.validate(broken as never)).rejects.toThrow();
  });

  it('names the EPCIS query, the change feed and the subscriptions, with their parameters', () => {
    const names = (path: string, method = 'get') => (doc.paths[path]?.[method]?.parameters ?? []).map((p) => `${p.in}:${p.name}`);
    expect(names('/epcis/events')).toEqual(expect.arrayContaining(['query:GE_eventTime', 'query:LT_eventTime', 'query:MATCH_epc', 'query:EQ_bizStep', 'query:EQ_bizLocation', 'query:perPage', 'query:nextPageToken']));
    expect(names('/api/v1/changes')).toEqual(expect.arrayContaining(['query:after', 'query:limit', 'query:kind']));
    expect(Object.keys(doc.paths['/api/v1/subscriptions'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/v1/subscriptions/{id}'] ?? {}).sort()).toEqual(['delete', 'get']);
  });
});

/**
 * The two message catalogues (web/src/locales/{zh-CN,en}) say the same things: the same keys, the same
 * placeholders in each message, no empty message. TypeScript checks English against Chinese at build
 * time only one way; this checks both ways.
 */
import { describe, expect, it } from 'vitest';
import en from '../../src/locales/en/index.ts';
import zh from '../../src/locales/zh-CN/index.ts';

type Tree = { [k: string]: string | Tree };
const flatten = (t: Tree, prefix = ''): Map<string, string> => {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(t)) {
    if (typeof v === 'string') out.set(prefix + k, v);
    else for (const [kk, vv] of flatten(v, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
};
const placeholders = (m: string) => [...m.matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort();

describe('the message catalogues', () => {
  const zhKeys = flatten(zh as Tree);
  const enKeys = flatten(en as Tree);

  it('have the same keys in both languages', () => {
    expect([...enKeys.keys()].filter((k) => !zhKeys.has(k))).toEqual([]);
    expect([...zhKeys.keys()].filter((k) => !enKeys.has(k))).toEqual([]);
    expect(zhKeys.size).toBeGreaterThan(400);
  });

  it('use the same placeholders in both languages, and no message is empty', () => {
    const differ = [...zhKeys].filter(([k, v]) => JSON.stringify(placeholders(v)) !== JSON.stringify(placeholders(enKeys.get(k) ?? '')));
    expect(differ.map(([k]) => k)).toEqual([]);
    expect([...zhKeys, ...enKeys].filter(([, v]) => v.trim() === '').map(([k]) => k)).toEqual([]);
  });
});

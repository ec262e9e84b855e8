import { describe, expect, it } from 'vitest';
import { ed25519KeyPairFromSeed, ed25519Signer, nodeEd25519Verify, rememberingEd25519Verify, type Ed25519Verify } from '../../src/index.ts';

const pair = ed25519KeyPairFromSeed(new Uint8Array(32).fill(7));
const signer = ed25519Signer(pair.privateKeyPem);
const message = (i: number) => new TextEncoder().encode(`record ${i}`);

/** nodeEd25519Verify, counting the checks it is asked to make. */
function counted(): { verify: Ed25519Verify; checks: () => number } {
  let n = 0;
  return {
    verify: (k, m, s) => {
      n++;
      return nodeEd25519Verify(k, m, s);
    },
    checks: () => n,
  };
}

describe('rememberingEd25519Verify', () => {
  it('checks a valid signature once, then answers from memory', () => {
    const c = counted();
    const verify = rememberingEd25519Verify(c.verify, 100);
    const sig = signer.sign(message(1));
    for (let i = 0; i < 5; i++) expect(verify(pair.publicKeySpki, message(1), sig)).toBe(true);
    expect(c.checks()).toBe(1);
  });

  it('checks in full, and refuses, when the message, the signature or the key differ from one remembered', () => {
    const c = counted();
    const verify = rememberingEd25519Verify(c.verify, 100);
    const sig = signer.sign(message(1));
    expect(verify(pair.publicKeySpki, message(1), sig)).toBe(true);
    const badSig = Uint8Array.from(sig);
    badSig[0]! ^= 1;
    const otherKey = ed25519KeyPairFromSeed(new Uint8Array(32).fill(8)).publicKeySpki;
    expect(verify(pair.publicKeySpki, message(2), sig)).toBe(false);
    expect(verify(pair.publicKeySpki, message(1), badSig)).toBe(false);
    expect(verify(otherKey, message(1), sig)).toBe(false);
    expect(c.checks()).toBe(4);
    // The same bytes split otherwise (a byte moved from the message to the end of the signature) are another question.
    const longer = Uint8Array.from([...sig, message(1)[0]!]);
    expect(verify(pair.publicKeySpki, message(1).subarray(1), longer)).toBe(false);
    expect(c.checks()).toBe(5);
    // A failure is not remembered: asked again, it is checked again.
    expect(verify(pair.publicKeySpki, message(2), sig)).toBe(false);
    expect(c.checks()).toBe(6);
  });

  it('keeps at most its capacity, the signatures in use longest', () => {
    const c = counted();
    const verify = rememberingEd25519Verify(c.verify, 4);
    const sigs = [0, 1, 2, 3, 4, 5].map((i) => signer.sign(message(i)));
    const ask = (i: number) => expect(verify(pair.publicKeySpki, message(i), sigs[i]!)).toBe(true);
    ask(0);
    ask(1);
    ask(2); // 0 and 1 are now the older generation
    ask(0); // remembered, and moved to the newer one
    expect(c.checks()).toBe(3);
    ask(3); // the newer generation (2, 0) was full: it becomes the older, and 1 is forgotten
    ask(4);
    ask(0);
    expect(c.checks()).toBe(5);
    ask(1);
    expect(c.checks()).toBe(6);
  });
});

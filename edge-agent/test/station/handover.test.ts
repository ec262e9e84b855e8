import { describe, expect, it } from 'vitest';
import { BAG_A, BAG_B, BAG_C, COLLECTOR, CREW, KEEPER, OPERATOR, Station, STAFF } from './drive.ts';

describe('collection station: department -> internal collector', () => {
  const collection = () => new Station({ role: 'collection' });

  it('bags read -> stable weight -> giver badge -> receiver badge writes one collected record', () => {
    const s = collection();
    expect(s.prompt).toBe('SCAN_BAGS');
    s.tag(BAG_A).tag(BAG_B);
    expect(s.state.tx?.bags).toHaveLength(2);
    expect(s.prompt).toBe('WAIT_WEIGHT');
    s.weigh(3400);
    expect(s.prompt).toBe('TAP_GIVER_BADGE');
    s.badge(STAFF);
    expect(s.prompt).toBe('TAP_RECEIVER_BADGE');
    expect(s.committed).toHaveLength(0);
    s.badge(COLLECTOR);
    expect(s.committed).toEqual([
      { type: 'collected', body: { bags: [{ tag: BAG_A }, { tag: BAG_B }], weight: { value: 3400, unit: 'g' }, giver: STAFF, receiver: COLLECTOR } },
    ]);
    expect(s.notice).toBe('COLLECTED');
    expect(s.state.notice?.params).toMatchObject({ count: 2, grams: 3400 });
    expect(s.prompt).toBe('SCAN_BAGS');
  });

  it('both parties must tap their own badge', () => {
    const s = collection().tag(BAG_A).weigh(900).badge(STAFF).badge(STAFF);
    expect(s.notice).toBe('SAME_BADGE');
    expect(s.committed).toHaveLength(0);
    expect(s.prompt).toBe('TAP_RECEIVER_BADGE');
  });

  it('the first badge closes the bag list and locks the weight', () => {
    const s = collection().tag(BAG_A).weigh(900).badge(STAFF);
    s.tag(BAG_B);
    expect(s.notice).toBe('BAGS_CLOSED');
    s.send({ kind: 'weight', grams: 1500, stable: false }, 100).send({ kind: 'weight', grams: 1500, stable: true }, 400);
    s.badge(COLLECTOR);
    expect(s.committed[0]).toMatchObject({ body: { bags: [{ tag: BAG_A }], weight: { value: 900 } } });
  });

  it('confirm also closes the bag list', () => {
    const s = collection().tag(BAG_A).send({ kind: 'confirm' }).tag(BAG_B);
    expect(s.notice).toBe('BAGS_CLOSED');
    expect(s.state.tx?.bags).toHaveLength(1);
  });

  it('a bag taken away before the badges leaves the list; after them it cancels the handover', () => {
    const s = collection().tag(BAG_A).tag(BAG_B).send({ kind: 'tag-lost', tagId: BAG_A });
    expect(s.notice).toBe('BAG_REMOVED');
    expect(s.state.tx?.bags.map((b) => b.tagId)).toEqual([BAG_B]);
    s.weigh(700).badge(STAFF).send({ kind: 'tag-lost', tagId: BAG_B });
    expect(s.notice).toBe('TAG_LOST');
    expect(s.state.tx).toBeUndefined();
    expect(s.committed).toHaveLength(0);
    const emptied = collection().tag(BAG_A).send({ kind: 'tag-lost', tagId: BAG_A });
    expect(emptied.state.tx).toBeUndefined();
    expect(emptied.prompt).toBe('SCAN_BAGS');
  });

  it('refuses a bag this station already collected, and keeps the others', () => {
    const s = collection().tag(BAG_A).weigh(500).badge(STAFF).badge(COLLECTOR);
    s.tag(BAG_B).tag(BAG_A);
    expect(s.notice).toBe('ALREADY_COLLECTED');
    expect(s.state.tx?.bags.map((b) => b.tagId)).toEqual([BAG_B]);
  });

  it('at most maxBags bags at a time', () => {
    const s = collection();
    for (let i = 0; i < 6; i++) s.tag(`epc:30${String(i).padStart(22, '0')}`);
    expect(s.notice).toBe('TOO_MANY_BAGS');
    expect(s.state.tx?.bags).toHaveLength(5);
  });

  it('weight never stable: the handover is cancelled after the weighing timeout', () => {
    const s = collection().tag(BAG_A);
    s.send({ kind: 'weight', grams: 2000, stable: false }, 5_000).tick(4_000);
    // A bag added restarts the weighing clock: the cart is still being loaded.
    s.tag(BAG_B).tick(9_000);
    expect(s.state.tx).toBeDefined();
    s.tick(1_000);
    expect(s.notice).toBe('WEIGHT_UNSTABLE');
    expect(s.committed).toHaveLength(0);
  });

  it('badges are refused until the weight is steady', () => {
    const s = collection().tag(BAG_A).badge(STAFF);
    expect(s.notice).toBe('WEIGHT_FIRST');
    expect(s.state.tx?.badges).toHaveLength(0);
  });

  it('with a badge list, a collector badge cannot give and an unknown one cannot receive', () => {
    const knownBadges = new Map([
      [STAFF, { name: 'Li Na', roles: ['staff' as const] }],
      [COLLECTOR, { name: 'Zhao Lei', roles: ['collector' as const] }],
    ]);
    const s = new Station({ role: 'collection', knownBadges }).tag(BAG_A).weigh(600);
    s.badge(COLLECTOR);
    expect(s.notice).toBe('BADGE_NOT_ALLOWED');
    s.badge(STAFF).badge(KEEPER);
    expect(s.notice).toBe('UNKNOWN_BADGE');
    s.badge(COLLECTOR);
    expect(s.committed).toHaveLength(1);
    expect(s.state.notice?.code).toBe('COLLECTED');
  });
});

describe('storage station: in (stored) and out (picked-up)', () => {
  const storage = () => new Station({ role: 'storage', room: 'STORE-1' });

  it('store-in: bags -> weight -> keeper badge writes stored with the room', () => {
    const s = storage().tag(BAG_A).tag(BAG_B).weigh(2500);
    expect(s.prompt).toBe('TAP_KEEPER_BADGE');
    s.badge(KEEPER);
    expect(s.committed).toEqual([{ type: 'stored', body: { bags: [{ tag: BAG_A }, { tag: BAG_B }], weight: { value: 2500, unit: 'g' }, keeper: KEEPER, room: 'STORE-1' } }]);
    expect(s.notice).toBe('STORED');
  });

  it('store-out needs vehicle and manifest, then giver and crew badges; the manifest is not reused', () => {
    const s = storage().tag(BAG_A).weigh(1000).badge(KEEPER).unload();
    s.send({ kind: 'mode', mode: 'store-out' });
    expect(s.state.mode).toBe('store-out');
    s.tag(BAG_A).weigh(1010);
    expect(s.prompt).toBe('ENTER_VEHICLE');
    s.badge(KEEPER);
    expect(s.notice).toBe('DETAILS_FIRST');
    s.send({ kind: 'detail', field: 'vehicle', value: 'ZJ A12345' });
    expect(s.notice).toBe('INVALID_DETAIL');
    s.send({ kind: 'detail', field: 'vehicle', value: 'ZJ-A12345' });
    expect(s.prompt).toBe('ENTER_MANIFEST');
    s.send({ kind: 'detail', field: 'manifest', value: '3301202603020001' });
    expect(s.prompt).toBe('TAP_GIVER_BADGE');
    s.badge(KEEPER).badge(CREW);
    expect(s.committed[1]).toEqual({
      type: 'picked-up',
      body: { bags: [{ tag: BAG_A }], weight: { value: 1010, unit: 'g' }, giver: KEEPER, crew: CREW, vehicle: 'ZJ-A12345', manifest: '3301202603020001' },
    });
    // The vehicle stays for the next handover, the manifest belongs to this one.
    expect(s.state.details).toEqual({ vehicle: 'ZJ-A12345' });
  });

  it('refuses to store a bag twice, or to hand one out twice, but a bag taken out may come back', () => {
    const s = storage().tag(BAG_A).weigh(1000).badge(KEEPER).unload();
    s.tag(BAG_A);
    expect(s.notice).toBe('ALREADY_STORED');
    expect(s.state.tx).toBeUndefined();
    s.send({ kind: 'mode', mode: 'store-out' }).send({ kind: 'detail', field: 'vehicle', value: 'V1' }).send({ kind: 'detail', field: 'manifest', value: 'M1' });
    s.tag(BAG_A).weigh(1000).badge(KEEPER).badge(CREW).unload();
    s.send({ kind: 'detail', field: 'manifest', value: 'M2' }).tag(BAG_A);
    expect(s.notice).toBe('ALREADY_PICKED_UP');
    s.send({ kind: 'mode', mode: 'store-in' }).tag(BAG_A);
    expect(s.state.tx?.bags).toHaveLength(1);
  });

  it('the mode cannot change in the middle of a handover, nor to a mode of another station', () => {
    const s = storage().tag(BAG_A).send({ kind: 'mode', mode: 'store-out' });
    expect(s.notice).toBe('FINISH_FIRST');
    expect(s.state.mode).toBe('store-in');
    s.send({ kind: 'cancel' }).send({ kind: 'mode', mode: 'dispose' });
    expect(s.notice).toBe('NOT_IN_THIS_MODE');
  });
});

describe('pickup station (on the vehicle)', () => {
  it('vehicle from the configuration, manifest entered, giver and crew badges -> picked-up', () => {
    const s = new Station({ role: 'pickup', defaults: { vehicle: 'ZJ-A12345' } });
    s.tag(BAG_A).tag(BAG_B).tag(BAG_C).weigh(5200);
    expect(s.prompt).toBe('ENTER_MANIFEST');
    s.send({ kind: 'detail', field: 'manifest', value: 'TM-2026-0001' }).badge(KEEPER).badge(CREW);
    expect(s.committed).toEqual([
      {
        type: 'picked-up',
        body: { bags: [{ tag: BAG_A }, { tag: BAG_B }, { tag: BAG_C }], weight: { value: 5200, unit: 'g' }, giver: KEEPER, crew: CREW, vehicle: 'ZJ-A12345', manifest: 'TM-2026-0001' },
      },
    ]);
    expect(s.notice).toBe('PICKED_UP');
    expect(s.state.details).toEqual({ vehicle: 'ZJ-A12345' });
  });

  it('times out while waiting for the crew badge', () => {
    const s = new Station({ role: 'pickup', defaults: { vehicle: 'V1', manifest: 'M1' } }).tag(BAG_A).weigh(800).badge(KEEPER).tick(60_000);
    expect(s.notice).toBe('TIMEOUT');
    expect(s.committed).toHaveLength(0);
  });
});

describe('disposal station: received, then disposed', () => {
  const disposal = () => new Station({ role: 'disposal', defaults: { method: 'incineration' } });

  it('receive: bags -> weight -> vehicle, manifest -> operator badge writes received', () => {
    const s = disposal().tag(BAG_A).tag(BAG_B).weigh(4100);
    expect(s.prompt).toBe('ENTER_VEHICLE');
    s.send({ kind: 'detail', field: 'vehicle', value: 'ZJ-A12345' }).send({ kind: 'detail', field: 'manifest', value: 'TM1' }).badge(OPERATOR);
    expect(s.committed).toEqual([
      { type: 'received', body: { bags: [{ tag: BAG_A }, { tag: BAG_B }], weight: { value: 4100, unit: 'g' }, operator: OPERATOR, vehicle: 'ZJ-A12345', manifest: 'TM1' } },
    ]);
    expect(s.notice).toBe('RECEIVED');
    s.unload().send({ kind: 'detail', field: 'manifest', value: 'TM2' }).tag(BAG_A);
    expect(s.notice).toBe('ALREADY_RECEIVED');
  });

  it('dispose: bags -> batch -> operator badge writes disposed, with the weight when the scale has one', () => {
    const s = disposal().send({ kind: 'mode', mode: 'dispose' });
    s.tag(BAG_A).tag(BAG_B);
    expect(s.prompt).toBe('ENTER_BATCH');
    s.send({ kind: 'detail', field: 'batch', value: 'B20260302-07' }).badge(OPERATOR);
    expect(s.committed[0]).toEqual({ type: 'disposed', body: { bags: [BAG_A, BAG_B], method: 'incineration', batch: 'B20260302-07', operator: OPERATOR } });
    expect(s.state.details).toEqual({ method: 'incineration' });

    s.tag(BAG_C).weigh(3900).send({ kind: 'detail', field: 'method', value: 'steam-sterilisation' }).send({ kind: 'detail', field: 'batch', value: 'B8' }).badge(OPERATOR);
    expect(s.committed[1]).toEqual({
      type: 'disposed',
      body: { bags: [BAG_C], method: 'steam-sterilisation', batch: 'B8', operator: OPERATOR, weight: { value: 3900, unit: 'g' } },
    });
    s.send({ kind: 'detail', field: 'batch', value: 'B9' }).tag(BAG_A);
    expect(s.notice).toBe('ALREADY_DISPOSED');
  });

  it('refuses an unknown disposal method', () => {
    const s = disposal().send({ kind: 'mode', mode: 'dispose' }).send({ kind: 'detail', field: 'method', value: 'burial' });
    expect(s.notice).toBe('INVALID_DETAIL');
    expect(s.state.details.method).toBe('incineration');
  });
});

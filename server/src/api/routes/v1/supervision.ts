/**
 * Supervision (docs/server/supervision.md): the points table, confirming an alert as a violation, an
 * institution's credit and risk class, the inspector pool, the double-random inspection draw,
 * inspection results, and the public side: published draws and the monthly disclosure (JSON, CSV).
 * The decisions are server/src/supervision's (pure); here only who may ask, and the store.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { canSeeAlert, canSeeInstitution, jurisdictionSubtree, type Principal, type ScopeWorld } from '../../../auth/index.ts';
import { startOfLocalDay } from '../../../rules/local-time.ts';
import type { Alert, ConfirmedViolation, Draw, Institution, NewViolation } from '../../../store/index.ts';
import {
  creditFormula,
  DEFAULT_SUPERVISION,
  DISCLOSED_KINDS,
  disclosureCsv,
  disclosureRows,
  DrawError,
  MONTH_PATTERN,
  monthDays,
  nextMonth,
  resultHash,
  riskOf,
  runDraw,
  frameHash,
  shortOfInspectors,
  type DrawFrame,
  type Risk,
  type RiskClass,
  type SupervisionSettings,
} from '../../../supervision/index.ts';
import { bagFactsOfSummary } from '../../bag-access.ts';
import { principal, type ApiContext } from '../../context.ts';
import { DEFAULT_TIME_ZONE, parseDay, shiftDay, todayIn } from '../../days.ts';
import { apiError } from '../../errors.ts';
import { readInstitution } from '../../institution-access.ts';
import { AlertIdParams, Code, CsvResponse, DaySchema, InstitutionParams, responses } from '../../schemas.ts';

// ---- Schemas (docs/server/supervision.md#http-api) ----

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const RiskClassSchema = Type.Union([Type.Literal('A'), Type.Literal('B'), Type.Literal('C'), Type.Literal('D')]);
const Names = Type.Object({ en: Type.String(), zh: Type.String() });

export const ViolationTypeSchema = Type.Object({ code: Type.String(), points: Type.Integer(), name: Names });
export const EvidenceSchema = Type.Object({
  bags: Type.Array(Type.String()),
  records: Type.Array(Type.Object({ device: Type.String(), seq: Type.Integer(), hash: Type.Optional(Type.String()) })),
});
export const ConfirmedViolationSchema = Type.Object({
  id: Type.Integer(),
  institution: Type.String(),
  violation: Type.String(),
  points: Type.Integer(),
  alertId: Nullable(Type.Integer()),
  inspectionId: Nullable(Type.Integer()),
  note: Type.String(),
  confirmedBy: Type.String(),
  confirmedAt: Type.String(),
  evidence: EvidenceSchema,
});
const OutcomeSchema = Type.Union([Type.Literal('pass'), Type.Literal('violations')]);
export const InspectionSchema = Type.Object({
  id: Type.Integer(),
  institution: Type.String(),
  drawId: Nullable(Type.Integer()),
  inspectors: Type.Array(Type.String()),
  date: Type.String(),
  outcome: OutcomeSchema,
  findings: Type.Array(Type.Object({ violation: Type.String(), points: Type.Integer(), note: Type.String() })),
  recordedBy: Type.String(),
  recordedAt: Type.String(),
});
export const CreditSchema = Type.Object({
  institution: Type.String(),
  asOf: Type.String(),
  windowDays: Type.Integer(),
  points: Type.Integer(),
  alertRate: Type.Object({ alerts: Type.Integer(), bagsSealed: Type.Integer(), per1000Bags: Type.Number() }),
  score: Type.Number(),
  riskClass: RiskClassSchema,
  inspectionsPerYear: Type.Integer(),
  drawWeight: Type.Integer(),
  formula: Names,
  violations: Type.Array(ConfirmedViolationSchema),
  inspections: Type.Array(InspectionSchema),
});
export const InspectorSchema = Type.Object({ id: Type.String(), name: Type.String(), jurisdiction: Type.String(), conflicts: Type.Array(Type.String()) });
export const DrawFrameSchema = Type.Object({
  version: Type.Literal(1),
  jurisdiction: Type.String(),
  period: Type.String(),
  ratio: Type.Number(),
  inspectorsPerInstitution: Type.Integer(),
  institutions: Type.Array(Type.Object({ id: Type.String(), riskClass: RiskClassSchema, weight: Type.Integer() })),
  inspectors: Type.Array(Type.Object({ id: Type.String(), conflicts: Type.Array(Type.String()) })),
});
export const DrawResultSchema = Type.Object({
  version: Type.Literal(1),
  frameHash: Type.String(),
  seed: Type.String(),
  picks: Type.Array(Type.Object({ institution: Type.String(), inspectors: Type.Array(Type.String()) })),
});
export const DrawSchema = Type.Object({
  id: Type.Integer(),
  jurisdiction: Type.String(),
  period: Type.String(),
  ratio: Type.Number(),
  seed: Type.String(),
  status: Type.Union([Type.Literal('announced'), Type.Literal('drawn')]),
  announcedAt: Type.String(),
  announcedBy: Type.String(),
  drawnAt: Nullable(Type.String()),
  frame: DrawFrameSchema,
  frameHash: Type.String(),
  result: Nullable(DrawResultSchema),
  resultHash: Nullable(Type.String()),
});
export const DisclosureRowSchema = Type.Object({
  institution: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  jurisdiction: Type.String(),
  bagsSealed: Type.Integer(),
  kgSealed: Type.Number(),
  bagsDisposed: Type.Integer(),
  kgDisposed: Type.Number(),
  handedOverWithin48hShare: Nullable(Type.Number()),
  confirmedViolations: Type.Integer(),
  riskClass: RiskClassSchema,
});

const ViolationCode = Type.String({ minLength: 1, maxLength: 64, description: 'a violation type code (GET /api/v1/supervision/violations)' });
const ConfirmBody = Type.Object(
  { violation: ViolationCode, note: Type.String({ maxLength: 2000, description: 'why this alert is a violation: required, not blank' }) },
  { additionalProperties: false },
);
const InspectorBody = Type.Object(
  { id: Code, name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S', description: 'not blank' }), conflicts: Type.Array(Code, { maxItems: 1000, uniqueItems: true, default: [] }) },
  { additionalProperties: false },
);
const PERIOD = '^\\d{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-H[12])?$';
const DrawBody = Type.Object(
  {
    period: Type.String({ pattern: PERIOD, description: 'what the draw is for: a year (2026), half (2026-H1), quarter (2026-Q2) or month (2026-04)' }),
    ratio: Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'share of the institutions to draw, at most 4 decimals' }),
    seed: Type.String({ minLength: 1, maxLength: 200, description: 'published before the draw; anyone can repeat the draw with it' }),
    inspectorsPerInstitution: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
  },
  { additionalProperties: false },
);
const DrawParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const InspectionBody = Type.Object(
  {
    institution: Code,
    drawId: Type.Optional(Type.Integer({ minimum: 1 })),
    inspectors: Type.Array(Code, { minItems: 1, maxItems: 20, uniqueItems: true }),
    date: DaySchema,
    outcome: OutcomeSchema,
    findings: Type.Array(Type.Object({ violation: ViolationCode, note: Type.String({ maxLength: 2000 }) }, { additionalProperties: false }), { maxItems: 100, default: [] }),
  },
  { additionalProperties: false },
);
const InspectionQuery = Type.Object(
  {
    institution: Type.Optional(Code),
    drawId: Type.Optional(Type.Integer({ minimum: 1 })),
    outcome: Type.Optional(OutcomeSchema),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);
const InspectionListSchema = Type.Object({ items: Type.Array(InspectionSchema), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });
const MonthQuery = Type.Object({ month: Type.Optional(Type.String({ pattern: MONTH_PATTERN.source, description: 'a local month, YYYY-MM (default: this month)' })) }, { additionalProperties: false });

const ALERT_ROLES = ['regulator', 'institution_admin', 'transport', 'disposal'] as const;
const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

type Supervised = Pick<Institution, 'id' | 'kind' | 'jurisdiction'>;
const isSupervised = (i: Supervised) => (DISCLOSED_KINDS as readonly string[]).includes(i.kind);

export const supervisionRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const settings: SupervisionSettings = ctx.deps.supervision ?? DEFAULT_SUPERVISION;
  const timeZone = settings.timeZone ?? DEFAULT_TIME_ZONE;
  const store = ctx.store;

  /** Points in the window, and the risk, of each institution, as of `asOfMs`. */
  async function risks(institutions: readonly string[], asOfMs: number): Promise<Map<string, { points: number; violations: ConfirmedViolation[]; risk: Risk }>> {
    const [violations, alerts, totals] = await Promise.all([
      store.violations({ institutions, from: iso(asOfMs - settings.pointsWindowDays * DAY_MS), to: iso(asOfMs + 1) }),
      store.alertsOpenedPerInstitution(iso(asOfMs - settings.alertWindowDays * DAY_MS), iso(asOfMs + 1)),
      (async () => {
        const today = todayIn(timeZone, asOfMs);
        return store.sealedTotals(shiftDay(today, -(settings.alertWindowDays - 1)), today);
      })(),
    ]);
    const bags = new Map(totals.map((t) => [t.institution, t.bags]));
    const out = new Map<string, { points: number; violations: ConfirmedViolation[]; risk: Risk }>();
    for (const id of institutions) {
      const own = violations.filter((v) => v.institution === id);
      const points = own.reduce((s, v) => s + v.points, 0);
      out.set(id, { points, violations: own, risk: riskOf({ points, alerts: alerts.get(id) ?? 0, bagsSealed: bags.get(id) ?? 0 }, settings) });
    }
    return out;
  }

  function regulatorSubtree(p: Principal, world: ScopeWorld): Set<string> {
    return p.scope === null ? new Set() : jurisdictionSubtree(p.scope, world.jurisdictions);
  }

  function violationType(code: string, field: string) {
    const type = settings.violations.find((v) => v.code === code);
    if (!type) throw apiError('UNKNOWN_VIOLATION', `${code} is not in the points table (GET /api/v1/supervision/violations)`, { field });
    return type;
  }

  async function visibleDraw(p: Principal, id: number): Promise<Draw> {
    const draw = await store.draw(id);
    if (!draw) throw apiError('DRAW_NOT_FOUND', `no draw ${id}`);
    if (!regulatorSubtree(p, await ctx.world()).has(draw.jurisdiction)) throw apiError('FORBIDDEN', `draw ${id} is outside the scope of ${p.username}`);
    return draw;
  }

  // ---- The points table ----

  app.get(
    '/supervision/violations',
    {
      schema: {
        tags: ['supervision'],
        summary: 'The bad-practice points table (不良执业行为记分): each violation type, its points and names.',
        response: responses({ 200: Type.Object({ items: Type.Array(ViolationTypeSchema) }) }, [401]),
      },
    },
    async () => ({ items: settings.violations }),
  );

  // ---- Confirming an alert as a violation ----

  app.post(
    '/alerts/:id/confirm',
    {
      config: { roles: ['regulator'] },
      schema: {
        tags: ['supervision'],
        summary: "Confirm an alert as a violation: the institution gets the violation's points, with the alert's bag and records as evidence. Once per alert.",
        params: AlertIdParams,
        body: ConfirmBody,
        response: responses({ 201: Type.Object({ violation: ConfirmedViolationSchema }) }, [400, 401, 403, 404, 409]),
      },
    },
    async (req, reply) => {
      const p = principal(req);
      const a = await store.alert(req.params.id);
      if (!a) throw apiError('ALERT_NOT_FOUND', `no alert ${req.params.id}`);
      if (!canSeeAlert(p, a, await ctx.world())) throw apiError('FORBIDDEN', `alert ${a.id} is outside the scope of ${p.username}`);
      const type = violationType(req.body.violation, 'body.violation');
      const note = req.body.note.trim();
      if (note === '') throw apiError('NOTE_REQUIRED', 'say why the alert is a violation: body.note must not be blank', { field: 'body.note' });
      if (a.institution === null) throw apiError('NOT_ABOUT_AN_INSTITUTION', `alert ${a.id} (${a.subject}) names no institution to give points to`);
      if (await store.violationOfAlert(a.id)) throw apiError('ALREADY_CONFIRMED', `alert ${a.id} was confirmed as a violation already`);
      const v: NewViolation = {
        institution: a.institution,
        violation: type.code,
        points: type.points,
        alertId: a.id,
        note,
        confirmedBy: p.username,
        confirmedAt: iso(ctx.now()),
        evidence: { bags: a.bag === null ? [] : [a.bag], records: a.evidence.map((e) => ({ device: e.device, seq: e.seq, ...(e.hash !== undefined ? { hash: e.hash } : {}) })) },
      };
      const stored = await store.insertViolation(v);
      if (!stored) throw apiError('ALREADY_CONFIRMED', `alert ${a.id} was confirmed as a violation already`);
      return reply.code(201).send({ violation: stored });
    },
  );

  app.get(
    '/alerts/:id/violation',
    {
      config: { roles: ALERT_ROLES },
      schema: {
        tags: ['supervision'],
        summary: 'The violation an alert was confirmed as, or null.',
        params: AlertIdParams,
        response: responses({ 200: Type.Object({ violation: Nullable(ConfirmedViolationSchema) }) }, [400, 401, 403, 404]),
      },
    },
    async (req) => {
      const p = principal(req);
      const a = await store.alert(req.params.id);
      if (!a) throw apiError('ALERT_NOT_FOUND', `no alert ${req.params.id}`);
      if (!(await alertVisible(ctx, p, a, await ctx.world()))) throw apiError('FORBIDDEN', `alert ${a.id} is outside the scope of ${p.username}`);
      return { violation: (await store.violationOfAlert(a.id)) ?? null };
    },
  );

  // ---- Credit and risk classes ----

  app.get(
    '/institutions/:id/credit',
    {
      config: { roles: ['regulator', 'institution_admin'] },
      schema: {
        tags: ['supervision'],
        summary: "An institution's credit: points of confirmed violations in the window, its alert rate, score, risk class, and the formula.",
        params: InstitutionParams,
        response: responses({ 200: CreditSchema }, [400, 401, 403, 404]),
      },
    },
    async (req) => {
      const p = principal(req);
      const { inst } = await readInstitution(ctx, p, req.params.id);
      const now = ctx.now();
      const { points, violations, risk } = (await risks([inst.id], now)).get(inst.id)!;
      return {
        institution: inst.id,
        asOf: iso(now),
        windowDays: settings.pointsWindowDays,
        points,
        ...risk,
        formula: creditFormula(settings),
        violations,
        inspections: await store.inspections({ institutions: [inst.id] }),
      };
    },
  );

  app.get(
    '/supervision/classes',
    {
      config: { roles: ['regulator'] },
      schema: {
        tags: ['supervision'],
        summary: "The risk class of every hospital and clinic in the regulator's jurisdiction, with its points, score and last inspection.",
        response: responses(
          {
            200: Type.Object({
              asOf: Type.String(),
              items: Type.Array(
                Type.Object({
                  institution: Type.String(),
                  name: Type.String(),
                  jurisdiction: Type.String(),
                  points: Type.Integer(),
                  score: Type.Number(),
                  riskClass: RiskClassSchema,
                  inspectionsPerYear: Type.Integer(),
                  lastInspection: Nullable(Type.String()),
                }),
              ),
            }),
          },
          [401, 403],
        ),
      },
    },
    async (req) => {
      const p = principal(req);
      const world = await ctx.world();
      const institutions = world.institutions.filter((i) => isSupervised(i) && canSeeInstitution(p, i, world));
      const ids = institutions.map((i) => i.id);
      const now = ctx.now();
      const [byId, inspections] = await Promise.all([risks(ids, now), store.inspections({ institutions: ids })]);
      const last = new Map<string, string>();
      for (const i of inspections) if (!last.has(i.institution) || last.get(i.institution)! < i.date) last.set(i.institution, i.date);
      return {
        asOf: iso(now),
        items: institutions.map((i) => {
          const r = byId.get(i.id)!;
          return {
            institution: i.id,
            name: i.name,
            jurisdiction: i.jurisdiction,
            points: r.points,
            score: r.risk.score,
            riskClass: r.risk.riskClass,
            inspectionsPerYear: r.risk.inspectionsPerYear,
            lastInspection: last.get(i.id) ?? null,
          };
        }),
      };
    },
  );

  // ---- Inspectors ----

  app.get(
    '/supervision/inspectors',
    {
      config: { roles: ['regulator'] },
      schema: {
        tags: ['supervision'],
        summary: "The inspector pool of the regulator's jurisdiction and below, with declared conflicts.",
        response: responses({ 200: Type.Object({ items: Type.Array(InspectorSchema) }) }, [401, 403]),
      },
    },
    async (req) => ({ items: await store.inspectors({ jurisdictions: [...regulatorSubtree(principal(req), await ctx.world())] }) }),
  );

  app.post(
    '/supervision/inspectors',
    {
      config: { roles: ['regulator'] },
      schema: {
        tags: ['supervision'],
        summary: "Add an inspector to the regulator's pool (or update one), with the institutions it declared a conflict of interest with.",
        body: InspectorBody,
        response: responses({ 201: Type.Object({ inspector: InspectorSchema }) }, [400, 401, 403]),
      },
    },
    async (req, reply) => {
      const p = principal(req);
      const world = await ctx.world();
      const known = new Set(world.institutions.map((i) => i.id));
      const unknown = req.body.conflicts.find((c) => !known.has(c));
      if (unknown !== undefined) throw apiError('VALIDATION_FAILED', `body.conflicts names ${unknown}, which is not an institution`, { field: 'body.conflicts' });
      const existing = await store.inspector(req.body.id);
      if (existing && !regulatorSubtree(p, world).has(existing.jurisdiction)) throw apiError('FORBIDDEN', `inspector ${existing.id} belongs to another jurisdiction's pool`);
      const inspector = { id: req.body.id, name: req.body.name.trim(), jurisdiction: p.scope ?? '', conflicts: [...req.body.conflicts].sort() };
      await store.upsertInspector(inspector);
      return reply.code(201).send({ inspector });
    },
  );

  // ---- The draw ----

  app.post(
    '/supervision/draws',
    {
      config: { roles: ['regulator'] },
      schema: {
        tags: ['supervision'],
        summary: "Announce an inspection draw: the seed is published and the frame (the jurisdiction's hospitals and clinics with their risk weights, and the inspector pool) frozen now.",
        body: DrawBody,
        response: responses({ 201: Type.Object({ draw: DrawSchema }) }, [400, 401, 403, 409]),
      },
    },
    async (req, reply) => {
      const p = principal(req);
      const b = req.body;
      if (Math.abs(b.ratio * 10_000 - Math.round(b.ratio * 10_000)) > 1e-7) throw apiError('VALIDATION_FAILED', 'body.ratio has at most 4 decimals, e.g. 0.2 or 0.125', { field: 'body.ratio' });
      const world = await ctx.world();
      const subtree = regulatorSubtree(p, world);
      const institutions = world.institutions.filter((i) => isSupervised(i) && subtree.has(i.jurisdiction)).sort(byId);
      const now = ctx.now();
      const byInst = await risks(institutions.map((i) => i.id), now);
      const pool = await store.inspectors({ jurisdictions: [...subtree] });
      const frame: DrawFrame = {
        version: 1,
        jurisdiction: p.scope ?? '',
        period: b.period,
        ratio: b.ratio,
        inspectorsPerInstitution: b.inspectorsPerInstitution ?? settings.inspectorsPerInstitution,
        institutions: institutions.map((i) => {
          const r = byInst.get(i.id)!.risk;
          return { id: i.id, riskClass: r.riskClass, weight: r.drawWeight };
        }),
        inspectors: pool.map((i) => ({ id: i.id, conflicts: [...i.conflicts].sort() })).sort(byId),
      };
      const short = shortOfInspectors(frame);
      if (short.length > 0) {
        throw apiError('NOT_ENOUGH_INSPECTORS', `${short.join(', ')} would have fewer than ${frame.inspectorsPerInstitution} inspectors without a conflict: add inspectors to the pool first`);
      }
      const draw = await store.insertDraw({
        jurisdiction: frame.jurisdiction,
        period: b.period,
        ratio: b.ratio,
        seed: b.seed,
        announcedAt: iso(now),
        announcedBy: p.username,
        frame,
        frameHash: frameHash(frame),
      });
      return reply.code(201).send({ draw });
    },
  );

  app.post(
    '/supervision/draws/:id/run',
    {
      config: { roles: ['regulator'] },
      schema: {
        tags: ['supervision'],
        summary: 'Run an announced draw from its frozen frame and published seed; the result is stored and published.',
        params: DrawParams,
        response: responses({ 200: Type.Object({ draw: DrawSchema }) }, [400, 401, 403, 404, 409]),
      },
    },
    async (req) => {
      const draw = await visibleDraw(principal(req), req.params.id);
      if (draw.status !== 'announced') throw apiError('DRAW_ALREADY_RUN', `draw ${draw.id} was drawn at ${draw.drawnAt}`);
      let result;
      try {
        result = runDraw(draw.frame, draw.seed);
      } catch (e) {
        if (e instanceof DrawError && e.code === 'NOT_ENOUGH_INSPECTORS') throw apiError('NOT_ENOUGH_INSPECTORS', e.message);
        throw e;
      }
      const done = await store.completeDraw(draw.id, result, resultHash(result), iso(ctx.now()));
      if (!done) throw apiError('DRAW_ALREADY_RUN', `draw ${draw.id} was drawn already`);
      return { draw: done };
    },
  );

  app.get(
    '/supervision/draws',
    {
      config: { roles: ['regulator'] },
      schema: {
        tags: ['supervision'],
        summary: "Inspection draws of the regulator's jurisdiction and below, newest first.",
        response: responses({ 200: Type.Object({ items: Type.Array(DrawSchema) }) }, [401, 403]),
      },
    },
    async (req) => ({ items: await store.draws({ jurisdictions: [...regulatorSubtree(principal(req), await ctx.world())] }) }),
  );

  app.get(
    '/supervision/draws/:id',
    {
      config: { roles: ['regulator'] },
      schema: { tags: ['supervision'], summary: 'One inspection draw.', params: DrawParams, response: responses({ 200: Type.Object({ draw: DrawSchema }) }, [400, 401, 403, 404]) },
    },
    async (req) => ({ draw: await visibleDraw(principal(req), req.params.id) }),
  );

  // ---- Inspections ----

  app.post(
    '/supervision/inspections',
    {
      config: { roles: ['regulator'] },
      schema: {
        tags: ['supervision'],
        summary: 'Record an inspection: a pass, or the violations found (each costs its points, like a confirmed alert).',
        body: InspectionBody,
        response: responses({ 201: Type.Object({ inspection: InspectionSchema }) }, [400, 401, 403, 404]),
      },
    },
    async (req, reply) => {
      const p = principal(req);
      const b = req.body;
      const { inst, world } = await readInstitution(ctx, p, b.institution);
      if (!parseDay(b.date)) throw apiError('VALIDATION_FAILED', `body.date ${b.date} is not a calendar day`, { field: 'body.date' });
      const findings = b.findings ?? [];
      if (b.outcome === 'pass' && findings.length > 0) throw apiError('INVALID_INSPECTION', 'a pass has no findings: send outcome "violations" with them, or no findings', { field: 'body.findings' });
      if (b.outcome === 'violations' && findings.length === 0) throw apiError('INVALID_INSPECTION', 'outcome "violations" needs at least one finding', { field: 'body.findings' });
      const types = findings.map((f, i) => violationType(f.violation, `body.findings.${i}.violation`));
      if (b.drawId !== undefined) {
        const draw = await store.draw(b.drawId);
        if (!draw || !regulatorSubtree(p, world).has(draw.jurisdiction)) throw apiError('INVALID_INSPECTION', `no draw ${b.drawId} in the scope of ${p.username}`, { field: 'body.drawId' });
        if (!draw.result?.picks.some((pick) => pick.institution === inst.id)) throw apiError('INVALID_INSPECTION', `${inst.id} was not drawn in draw ${draw.id}`, { field: 'body.drawId' });
      }
      for (const id of b.inspectors) {
        const inspector = await store.inspector(id);
        if (!inspector) throw apiError('INVALID_INSPECTION', `no inspector ${id} in the pool`, { field: 'body.inspectors' });
        if (inspector.conflicts.includes(inst.id)) throw apiError('INVALID_INSPECTION', `inspector ${id} declared a conflict with ${inst.id}`, { field: 'body.inspectors' });
      }
      const now = iso(ctx.now());
      const rows = findings.map((f, i) => ({ violation: types[i]!.code, points: types[i]!.points, note: f.note.trim() }));
      const { inspection } = await store.insertInspection(
        { institution: inst.id, drawId: b.drawId ?? null, inspectors: [...b.inspectors], date: b.date, outcome: b.outcome, findings: rows, recordedBy: p.username, recordedAt: now },
        rows.map((r) => ({ institution: inst.id, violation: r.violation, points: r.points, alertId: null, note: r.note, confirmedBy: p.username, confirmedAt: now, evidence: { bags: [], records: [] } })),
      );
      return reply.code(201).send({ inspection });
    },
  );

  app.get(
    '/supervision/inspections',
    {
      config: { roles: ['regulator', 'institution_admin'] },
      schema: {
        tags: ['supervision'],
        summary: "Inspections in the caller's scope (an institution admin: its own), newest first; by institution, draw or outcome, a page at a time.",
        description: '`total` counts every inspection in scope that matches the filters; `limit` (default 100, at most 500) and `offset` choose the page.',
        querystring: InspectionQuery,
        response: responses({ 200: InspectionListSchema }, [400, 401, 403]),
      },
    },
    async (req) => {
      const p = principal(req);
      const world = await ctx.world();
      let allowed = world.institutions.filter((i) => canSeeInstitution(p, i, world)).map((i) => i.id);
      if (req.query.institution !== undefined) allowed = allowed.filter((i) => i === req.query.institution);
      const q = req.query;
      const found = await store.searchInspections({
        institutions: allowed,
        ...(q.drawId !== undefined ? { drawId: q.drawId } : {}),
        ...(q.outcome !== undefined ? { outcome: q.outcome } : {}),
        limit: q.limit,
        offset: q.offset,
      });
      return { items: found.inspections, total: found.total, limit: q.limit, offset: q.offset };
    },
  );

  // ---- Public (no session): published draws, monthly disclosure ----

  app.get(
    '/public/draws',
    {
      config: { anonymous: true },
      schema: {
        tags: ['public'],
        summary: 'Every inspection draw as published: seed, frame, result (inspector ids only), newest first. Anyone can repeat a draw: `npx wastetrail draw --draw DRAW.json`.',
        security: [],
        response: responses({ 200: Type.Object({ items: Type.Array(DrawSchema) }) }),
      },
    },
    // No usernames in public: the announcing office is its jurisdiction.
    async () => ({ items: (await store.draws()).map((d) => ({ ...d, announcedBy: d.jurisdiction })) }),
  );

  async function disclosure(monthParam: string | undefined) {
    const now = ctx.now();
    const month = monthParam ?? todayIn(timeZone, now).slice(0, 7);
    const { fromDay, toDay } = monthDays(month);
    const start = startOfLocalDay(parseDay(fromDay)!, timeZone);
    const end = startOfLocalDay(parseDay(`${nextMonth(month)}-01`)!, timeZone);
    const world = await ctx.world();
    const institutions = world.institutions.filter(isSupervised);
    const ids = institutions.map((i) => i.id);
    // The class as it stood at the end of the month (or now, for the current month).
    const asOf = Math.min(now, end - 1);
    const [totals, violations, byInst] = await Promise.all([store.sealedTotals(fromDay, toDay), store.violations({ institutions: ids, from: iso(start), to: iso(end) }), risks(ids, asOf)]);
    const counts = new Map<string, number>();
    for (const v of violations) counts.set(v.institution, (counts.get(v.institution) ?? 0) + 1);
    const classes = new Map<string, RiskClass>([...byInst].map(([id, r]) => [id, r.risk.riskClass]));
    return { month, generatedAt: iso(now), institutions: disclosureRows(institutions, totals, counts, classes) };
  }

  app.get(
    '/public/disclosure',
    {
      config: { anonymous: true },
      schema: {
        tags: ['public'],
        summary: 'Open data (信息公开) per hospital and clinic for a local month: kg sealed, kg confirmed disposed, share handed over within 48 h, confirmed violations, risk class. No personal data.',
        security: [],
        querystring: MonthQuery,
        response: responses({ 200: Type.Object({ month: Type.String(), generatedAt: Type.String(), institutions: Type.Array(DisclosureRowSchema) }) }, [400]),
      },
    },
    async (req) => disclosure(req.query.month),
  );

  app.get(
    '/public/disclosure.csv',
    {
      config: { anonymous: true },
      schema: {
        tags: ['public'],
        summary: 'The monthly disclosure as CSV (UTF-8): one row per hospital and clinic.',
        security: [],
        querystring: MonthQuery,
        produces: ['text/csv'],
        response: responses({ 200: CsvResponse }, [400]),
      },
    },
    async (req, reply) => {
      const d = await disclosure(req.query.month);
      reply.header('content-disposition', `attachment; filename="wastetrail-disclosure-${d.month}.csv"`).type('text/csv; charset=utf-8');
      return disclosureCsv(d.month, d.institutions);
    },
  );
};

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The same reach as GET /alerts/:id: the alert's routing, and (transport, disposal) the bag it is about. */
async function alertVisible(ctx: ApiContext, p: Principal, a: Alert, world: ScopeWorld): Promise<boolean> {
  if (canSeeAlert(p, a, world)) return true;
  if ((p.role !== 'transport' && p.role !== 'disposal') || a.bag === null) return false;
  const bag = await ctx.store.bag(a.bag);
  return bag !== undefined && canSeeAlert(p, a, world, await bagFactsOfSummary(ctx, p, bag));
}


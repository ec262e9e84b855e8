/**
 * Who may see what: pure functions of a principal (role + scope) and what the store says of the world
 * (the jurisdiction tree, institutions). No I/O: the HTTP layer loads the inputs and asks.
 *
 * | role              | scope             | sees                                                                  |
 * | ----------------- | ----------------- | --------------------------------------------------------------------- |
 * | regulator         | a jurisdiction    | institutions in it or below (city > district > grid), their bags,    |
 * |                   |                   | devices and alerts; bags received at a disposal centre in it          |
 * | institution_admin | an institution    | its own bags, devices and alerts                                      |
 * | transport         | a company         | bags carried by its vehicles, its devices, its alerts and those about |
 * |                   |                   | the bags it carried, its vehicles' tracks                             |
 * | disposal          | a disposal centre | bags received there, its devices and alerts                           |
 * | public            | (a jurisdiction)  | aggregates only: institutions and daily mass balance; no trails,      |
 * |                   |                   | no badges, no alerts, no devices                                      |
 */
import type { BagFilter, Institution, Jurisdiction, UserRole } from '../store/index.ts';

export interface Principal {
  userId: number;
  username: string;
  role: UserRole;
  /** A jurisdiction id (regulator, optionally public) or an institution / company id; null for an unscoped public user. */
  scope: string | null;
}

/** What scoping needs to know: the jurisdiction tree and the institutions. */
export interface ScopeWorld {
  jurisdictions: readonly Jurisdiction[];
  institutions: readonly Institution[];
}

/** What decides who may see a bag, read from its trail. */
export interface BagFacts {
  /** The sealing institution; absent for a bag of unknown origin. */
  institution?: string | null;
  /** Companies owning the vehicles that carried it (pickup and receipt). */
  vehicleCompanies: readonly string[];
  /** Institutions where it was received or disposed of. */
  disposalInstitutions: readonly string[];
}

/** The fields of an alert that routing depends on. */
export interface AlertFacts {
  institution: string | null | undefined;
  jurisdiction: string | null | undefined;
}

/** A jurisdiction and every one below it. Unknown ids give just themselves; cycles are harmless. */
export function jurisdictionSubtree(root: string, jurisdictions: readonly Jurisdiction[]): Set<string> {
  const children = new Map<string, string[]>();
  for (const j of jurisdictions) {
    if (j.parent === null) continue;
    const list = children.get(j.parent) ?? [];
    list.push(j.id);
    children.set(j.parent, list);
  }
  const out = new Set<string>([root]);
  const queue = [root];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const child of children.get(id) ?? []) {
      if (out.has(child)) continue;
      out.add(child);
      queue.push(child);
    }
  }
  return out;
}

/** The path from the top of the tree down to `id`: [city, district, grid]. */
export function jurisdictionPath(id: string, jurisdictions: readonly Jurisdiction[]): string[] {
  const byId = new Map(jurisdictions.map((j) => [j.id, j]));
  const path: string[] = [];
  for (let j = byId.get(id); j && !path.includes(j.id); j = j.parent === null ? undefined : byId.get(j.parent)) path.unshift(j.id);
  return path.length > 0 ? path : [id];
}

/** May this principal see anything at all about the institution (for the public: its aggregates)? */
export function canSeeInstitution(p: Principal, institution: Pick<Institution, 'id' | 'jurisdiction'>, world: ScopeWorld): boolean {
  switch (p.role) {
    case 'regulator':
      return p.scope !== null && jurisdictionSubtree(p.scope, world.jurisdictions).has(institution.jurisdiction);
    case 'public':
      return p.scope === null || jurisdictionSubtree(p.scope, world.jurisdictions).has(institution.jurisdiction);
    case 'institution_admin':
    case 'transport':
    case 'disposal':
      return institution.id === p.scope;
  }
}

/** The ids of every institution the principal can see, sorted. */
export function visibleInstitutionIds(p: Principal, world: ScopeWorld): string[] {
  return world.institutions
    .filter((i) => canSeeInstitution(p, i, world))
    .map((i) => i.id)
    .sort();
}

/** Bag trails, bag search, bundles and the register: everyone but the public. */
export function maySeeBags(p: Principal): boolean {
  return p.role !== 'public';
}

export function canSeeBag(p: Principal, bag: BagFacts, world: ScopeWorld): boolean {
  switch (p.role) {
    case 'public':
      return false;
    case 'institution_admin':
      return bag.institution === p.scope;
    case 'transport':
      return p.scope !== null && bag.vehicleCompanies.includes(p.scope);
    case 'disposal':
      return p.scope !== null && bag.disposalInstitutions.includes(p.scope);
    case 'regulator': {
      const visible = new Set(visibleInstitutionIds(p, world));
      return (bag.institution != null && visible.has(bag.institution)) || bag.disposalInstitutions.some((d) => visible.has(d));
    }
  }
}

/**
 * A vehicle's whole track (any time window): its own company, and regulators over the company's place.
 * Hospitals and disposal centres see only the legs that carried their bags (through the bag), the public
 * none.
 */
export function canSeeVehicleTrack(p: Principal, company: string, world: ScopeWorld): boolean {
  if (p.role === 'transport') return p.scope === company;
  if (p.role === 'regulator') return visibleInstitutionIds(p, world).includes(company);
  return false;
}

/**
 * A bag search as the principal may run it: the requested filter narrowed to the scope. `undefined`
 * means the principal may not search bags at all; a filter with an empty `institutions` or `vehicles`
 * list matches nothing (matchesNothing). `companyVehicles` is the transport company's vehicles (only
 * read for the transport role).
 */
export function bagFilterFor(p: Principal, requested: BagFilter, world: ScopeWorld, companyVehicles: readonly string[] = []): BagFilter | undefined {
  const intersect = (wanted: string[] | undefined, allowed: readonly string[]) => (wanted === undefined ? [...allowed] : wanted.filter((w) => allowed.includes(w)));
  const nothing: BagFilter = { ...requested, institutions: [] };
  switch (p.role) {
    case 'public':
      return undefined;
    case 'institution_admin':
      return { ...requested, institutions: intersect(requested.institutions, p.scope === null ? [] : [p.scope]) };
    case 'transport':
      return { ...requested, vehicles: intersect(requested.vehicles, companyVehicles) };
    case 'disposal':
      if (p.scope === null || (requested.disposalInstitution !== undefined && requested.disposalInstitution !== p.scope)) return nothing;
      return { ...requested, disposalInstitution: p.scope };
    case 'regulator': {
      const visible = visibleInstitutionIds(p, world);
      // Asking for a disposal centre in scope: everything received there, wherever it was sealed.
      if (requested.disposalInstitution !== undefined) {
        if (!visible.includes(requested.disposalInstitution)) return nothing;
        return requested.institutions === undefined ? { ...requested } : { ...requested, institutions: intersect(requested.institutions, visible) };
      }
      return { ...requested, institutions: intersect(requested.institutions, visible) };
    }
  }
}

/** True when a filter from bagFilterFor can match no bag at all. */
export function matchesNothing(filter: Pick<BagFilter, 'institutions' | 'vehicles'>): boolean {
  return (filter.institutions !== undefined && filter.institutions.length === 0) || (filter.vehicles !== undefined && filter.vehicles.length === 0);
}

/**
 * Alerts: the regulator sees those of its jurisdiction and below; everyone else those routed to its own
 * institution, and (transport, disposal) those about a bag it may see (`bag` given when the alert names one).
 */
export function canSeeAlert(p: Principal, alert: AlertFacts, world: ScopeWorld, bag?: BagFacts): boolean {
  switch (p.role) {
    case 'public':
      return false;
    case 'regulator': {
      if (p.scope === null) return false;
      const subtree = jurisdictionSubtree(p.scope, world.jurisdictions);
      if (alert.jurisdiction != null && subtree.has(alert.jurisdiction)) return true;
      const inst = alert.institution == null ? undefined : world.institutions.find((i) => i.id === alert.institution);
      return inst !== undefined && subtree.has(inst.jurisdiction);
    }
    case 'institution_admin':
      return alert.institution != null && alert.institution === p.scope;
    case 'transport':
    case 'disposal':
      if (alert.institution != null && alert.institution === p.scope) return true;
      return bag !== undefined && canSeeBag(p, bag, world);
  }
}

/**
 * Transfer manifests: a party sees those it is a party to (the producing hospital, the transport
 * company, also by its vehicles before the issue is stored, the receiving disposal centre); a regulator
 * those with a party in its jurisdiction; the public none. As a search filter: the
 * institutions and vehicles any of which makes a manifest visible; undefined for the public.
 */
export function manifestScopeFor(p: Principal, world: ScopeWorld, companyVehicles: readonly string[] = []): { institutions: string[]; vehicles: string[] } | undefined {
  switch (p.role) {
    case 'public':
      return undefined;
    case 'regulator':
      return { institutions: visibleInstitutionIds(p, world), vehicles: [] };
    case 'transport':
      return { institutions: p.scope === null ? [] : [p.scope], vehicles: [...companyVehicles] };
    case 'institution_admin':
    case 'disposal':
      return { institutions: p.scope === null ? [] : [p.scope], vehicles: [] };
  }
}

export function canSeeManifest(p: Principal, m: { producer: string | null; transporter: string | null; receiver: string | null; vehicle: string | null }, world: ScopeWorld, companyVehicles: readonly string[] = []): boolean {
  const scope = manifestScopeFor(p, world, companyVehicles);
  if (!scope) return false;
  return [m.producer, m.transporter, m.receiver].some((i) => i !== null && scope.institutions.includes(i)) || (m.vehicle !== null && scope.vehicles.includes(m.vehicle));
}

/** Devices: those of institutions in reach; never for the public. */
export function canSeeDevice(p: Principal, device: { institution: string }, world: ScopeWorld): boolean {
  if (p.role === 'public') return false;
  const inst = world.institutions.find((i) => i.id === device.institution);
  if (p.role === 'regulator') return inst !== undefined && canSeeInstitution(p, inst, world);
  return device.institution === p.scope;
}

/** Ingest statistics cover every device in the system: regulators only. */
export function maySeeIngestStats(p: Principal): boolean {
  return p.role === 'regulator';
}

/** What the scope of each role must name, for createUser. */
export const SCOPE_KIND: Record<UserRole, { jurisdiction: boolean; institutionKinds: readonly Institution['kind'][]; required: boolean }> = {
  regulator: { jurisdiction: true, institutionKinds: [], required: true },
  institution_admin: { jurisdiction: false, institutionKinds: ['hospital', 'clinic'], required: true },
  transport: { jurisdiction: false, institutionKinds: ['transport'], required: true },
  disposal: { jurisdiction: false, institutionKinds: ['disposal'], required: true },
  public: { jurisdiction: true, institutionKinds: [], required: false },
};

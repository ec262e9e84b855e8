/**
 * Who and what is in a simulated city, as a pure function of (institutions, seed): the jurisdictions
 * (杭州市 > 上城区, 西湖区 > a grid each), the hospitals with their departments, storage rooms and staff,
 * the licensed transport company with its vehicles and crews, the disposal centre, and one station
 * (edge device) per place where custody changes hands. The same arguments always give the same city,
 * so device ids, badges and plates survive a restart and a run can be replayed.
 */
import { seededRandom, type StationRole } from '@wastetrail/firmware-protocol';

/** Which badge slots a person may fill at a station (edge-agent's BadgeRole). */
export type PersonRole = 'staff' | 'collector' | 'keeper' | 'crew' | 'operator';

export interface Person {
  /** As the reader reports it: giai:<company prefix>.<staff number>. */
  badge: string;
  name: string;
  role: PersonRole;
}

export interface CityJurisdiction {
  id: string;
  parent: string | null;
  level: 'city' | 'district' | 'grid';
  name: string;
}

/** One edge device: a station where custody changes hands. */
export interface StationPlan {
  deviceId: string;
  role: StationRole;
  institution: string;
  /** Department stations: the department code written into sealed records. */
  department?: string;
  /** Storage stations: the storage room code written into stored records. */
  site?: string;
  /** Pickup and vehicle stations: the vehicle's plate. */
  vehicle?: string;
  /** Who may tap a badge here (the station's known badges). */
  people: Person[];
  /** For people: "上城区第一人民医院 重症医学科". */
  label: string;
}

export interface CityDepartment {
  code: string;
  name: string;
  nurse: Person;
  station: StationPlan;
}

export interface CityHospital {
  index: number;
  id: string;
  name: string;
  kind: 'hospital' | 'clinic';
  /** The grid it lies in. */
  jurisdiction: string;
  departments: CityDepartment[];
  keeper: Person;
  storageRoom: string;
  storage: StationPlan;
  /** Hospitals with an internal collector: wards -> collector's cart -> storage. */
  collection?: { collector: Person; station: StationPlan };
}

export interface CityVehicle {
  index: number;
  id: string;
  plate: string;
  crew: Person;
  /** The crew's pickup station (the handover kiosk in the cab). */
  station: StationPlan;
  /** The vehicle station: the GNSS receiver and the cargo door and probe, signing the vehicle's track. */
  tracker: StationPlan;
  /** Hospital ids, in the order the vehicle calls on them. */
  route: string[];
}

export interface CityLayout {
  institutions: number;
  seed: number;
  jurisdictions: CityJurisdiction[];
  hospitals: CityHospital[];
  transport: { id: string; name: string; licence: string; jurisdiction: string; vehicles: CityVehicle[] };
  disposal: { id: string; name: string; jurisdiction: string; operator: Person; station: StationPlan };
  /** Every station, in a stable order. */
  stations: StationPlan[];
}

export const MAX_INSTITUTIONS = 60;
/** GS1 company prefix of the staff badges (GIAI-96: badges are assets, bags never carry GIAI). */
export const BADGE_COMPANY_PREFIX = '6923456';

const CITY = { id: '330100', name: '杭州市' };
const DISTRICTS = [
  { id: '330102', name: '上城区', grid: { id: '330102-G01', name: '上城区湖滨网格' } },
  { id: '330106', name: '西湖区', grid: { id: '330106-G01', name: '西湖区西溪网格' } },
] as const;

const HOSPITAL_NAMES: ReadonlyArray<readonly [district: 0 | 1, name: string, kind: 'hospital' | 'clinic']> = [
  [0, '上城区第一人民医院', 'hospital'],
  [1, '西湖区人民医院', 'hospital'],
  [0, '上城区中医院', 'hospital'],
  [1, '西湖区妇幼保健院', 'hospital'],
  [0, '上城区口腔医院', 'hospital'],
  [1, '西湖区第二人民医院', 'hospital'],
];

const DEPARTMENTS: ReadonlyArray<readonly [code: string, name: string]> = [
  ['ICU', '重症医学科'],
  ['SURG', '外科'],
  ['MED', '内科'],
  ['ER', '急诊科'],
  ['LAB', '检验科'],
  ['OBGYN', '妇产科'],
  ['PED', '儿科'],
];

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭'];
const GIVEN_NAMES = ['芳', '娜', '伟', '洋', '静', '磊', '敏', '强', '婷', '军', '丽', '杰', '燕', '涛', '霞', '鹏', '玲', '斌'];

export interface CityLayoutOptions {
  institutions: number;
  seed: number;
}

export function planCity(o: CityLayoutOptions): CityLayout {
  if (!Number.isSafeInteger(o.institutions) || o.institutions < 1 || o.institutions > MAX_INSTITUTIONS) {
    throw new RangeError(`institutions must be a whole number from 1 to ${MAX_INSTITUTIONS}`);
  }
  const random = seededRandom(o.seed ^ 0x6c61796f);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  let staffNumber = 1000;
  const person = (role: PersonRole): Person => ({ badge: `giai:${BADGE_COMPANY_PREFIX}.${++staffNumber}`, name: pick(SURNAMES) + pick(GIVEN_NAMES), role });
  const width = o.institutions >= 100 ? 3 : 2;
  const num = (i: number) => String(i + 1).padStart(width, '0');

  const jurisdictions: CityJurisdiction[] = [{ id: CITY.id, parent: null, level: 'city', name: CITY.name }];
  for (const d of DISTRICTS) {
    jurisdictions.push({ id: d.id, parent: CITY.id, level: 'district', name: d.name });
    jurisdictions.push({ id: d.grid.id, parent: d.id, level: 'grid', name: d.grid.name });
  }

  const hospitals: CityHospital[] = [];
  for (let i = 0; i < o.institutions; i++) {
    const known = HOSPITAL_NAMES[i];
    const district = DISTRICTS[known ? known[0] : i % 2]!;
    const name = known ? known[1] : `${district.name}社区卫生服务中心${num(i)}`;
    const kind = known ? known[2] : 'clinic';
    const id = `hz-h${num(i)}`;
    const short = `h${num(i)}`;
    // Two wards each (three in every fourth hospital), drawn without repeats.
    const pool = [...DEPARTMENTS];
    const departments: CityDepartment[] = [];
    for (let k = 0; k < (i % 4 === 3 ? 3 : 2); k++) {
      const [code, deptName] = pool.splice(Math.floor(random() * pool.length), 1)[0]!;
      const nurse = person('staff');
      departments.push({
        code,
        name: deptName,
        nurse,
        station: { deviceId: `${short}-${code.toLowerCase()}`, role: 'department', institution: id, department: code, people: [nurse], label: `${name} ${deptName}` },
      });
    }
    const keeper = person('keeper');
    const storageRoom = 'STORE-1';
    const collector = i % 3 === 0 ? person('collector') : undefined;
    const nurses = departments.map((d) => d.nurse);
    hospitals.push({
      index: i,
      id,
      name,
      kind,
      jurisdiction: district.grid.id,
      departments,
      keeper,
      storageRoom,
      // The keeper hands bags over to the crew at the vehicle's station; at the storage room only store-in.
      storage: { deviceId: `${short}-store`, role: 'storage', institution: id, site: storageRoom, people: [keeper], label: `${name} 医废暂存间` },
      ...(collector
        ? { collection: { collector, station: { deviceId: `${short}-collect`, role: 'collection' as const, institution: id, people: [...nurses, collector], label: `${name} 院内收集车` } } }
        : {}),
    });
  }

  const transportId = 'hz-t01';
  const vehicleCount = Math.max(1, Math.ceil(o.institutions / 2));
  const plates = new Set<string>();
  const vehicles: CityVehicle[] = [];
  for (let v = 0; v < vehicleCount; v++) {
    let plate: string;
    do plate = `浙A${String(Math.floor(random() * 100_000)).padStart(5, '0')}`;
    while (plates.has(plate));
    plates.add(plate);
    const crew = person('crew');
    const route = hospitals.filter((h) => h.index % vehicleCount === v).map((h) => h.id);
    const keepers = hospitals.filter((h) => route.includes(h.id)).map((h) => h.keeper);
    vehicles.push({
      index: v,
      id: `${transportId}-v${v + 1}`,
      plate,
      crew,
      route,
      station: { deviceId: `t01-v${v + 1}`, role: 'pickup', institution: transportId, vehicle: plate, people: [...keepers, crew], label: `医废转运车 ${plate}` },
      tracker: { deviceId: `t01-v${v + 1}-gnss`, role: 'vehicle', institution: transportId, vehicle: plate, people: [], label: `医废转运车 ${plate} 车载终端` },
    });
  }

  const disposalId = 'hz-d01';
  const operator = person('operator');
  const disposal = {
    id: disposalId,
    name: '杭州市医疗废物集中处置中心',
    jurisdiction: DISTRICTS[1].grid.id,
    operator,
    station: { deviceId: 'd01-line1', role: 'disposal' as const, institution: disposalId, people: [operator], label: '处置中心 1号焚烧线' },
  };

  const stations: StationPlan[] = [
    ...hospitals.flatMap((h) => [...h.departments.map((d) => d.station), ...(h.collection ? [h.collection.station] : []), h.storage]),
    ...vehicles.flatMap((v) => [v.station, v.tracker]),
    disposal.station,
  ];
  return {
    institutions: o.institutions,
    seed: o.seed,
    jurisdictions,
    hospitals,
    transport: { id: transportId, name: '杭州医废转运有限公司', licence: '浙危废经第3301001号', jurisdiction: DISTRICTS[0].grid.id, vehicles },
    disposal,
    stations,
  };
}

export function stationOf(layout: CityLayout, deviceId: string): StationPlan | undefined {
  return layout.stations.find((s) => s.deviceId === deviceId);
}

/**
 * The car profile of the embedded router, modelled on OSRM's `car.lua`
 * (speeds by highway type, `maxspeed`, one-way rules, access tags, barriers,
 * surfaces). Pure functions of OSM tags: no I/O.
 *
 * An ambulance is a car that may also use ways and barriers tagged
 * `emergency=yes`; the lights-and-sirens speed-up is not applied here but
 * at query time (see `emergency.ts`), so one graph serves both.
 */

export type Tags = Readonly<Record<string, string | undefined>>;

/**
 * Bump when any rule below changes: it is part of the graph cache key, so
 * a changed profile rebuilds the graph instead of loading a stale one.
 */
export const CAR_PROFILE_VERSION = 'car-2';

/** Free-flow speed in km/h by `highway` value (OSRM car.lua defaults). */
export const HIGHWAY_SPEEDS_KPH: Readonly<Record<string, number>> = {
  motorway: 90,
  motorway_link: 45,
  trunk: 85,
  trunk_link: 40,
  primary: 65,
  primary_link: 30,
  secondary: 55,
  secondary_link: 25,
  tertiary: 40,
  tertiary_link: 20,
  unclassified: 25,
  residential: 25,
  living_street: 10,
  service: 15,
};

/** Service roads that are not through roads drive at this speed. */
const SERVICE_SPEEDS_KPH: Readonly<Record<string, number>> = {
  alley: 5,
  parking: 5,
  parking_aisle: 5,
  driveway: 5,
  'drive-through': 5,
};

/** Surfaces cap the speed (car.lua `surface_speeds`). */
const SURFACE_SPEEDS_KPH: Readonly<Record<string, number>> = {
  cement: 80,
  compacted: 80,
  fine_gravel: 80,
  paving_stones: 60,
  metal: 60,
  bricks: 60,
  grass: 40,
  wood: 40,
  sett: 40,
  grass_paver: 40,
  gravel: 40,
  unpaved: 40,
  ground: 40,
  dirt: 40,
  pebblestone: 40,
  tartan: 40,
  cobblestone: 30,
  clay: 30,
  earth: 20,
  stone: 20,
  rocky: 20,
  sand: 20,
  mud: 10,
};

/**
 * A posted limit is not the speed actually driven: car.lua drives at 80%
 * of `maxspeed`.
 */
const MAXSPEED_REDUCTION = 0.8;

/** Implicit limits such as `BR:urban` (car.lua `maxspeed_table_default`). */
const IMPLICIT_MAXSPEEDS_KPH: Readonly<Record<string, number>> = {
  urban: 50,
  rural: 90,
  trunk: 100,
  motorway: 130,
  living_street: 10,
  walk: 5,
};

/**
 * Access keys from most to least specific. `emergency` comes first: a way
 * closed to cars but open to emergency vehicles is open to an ambulance.
 */
const ACCESS_HIERARCHY = [
  'emergency',
  'motorcar',
  'motor_vehicle',
  'vehicle',
  'access',
] as const;

/** Access values that close a way or barrier to an ambulance. */
const ACCESS_BLACKLIST = new Set([
  'no',
  'private',
  'agricultural',
  'forestry',
  'psv',
  'customers',
  'delivery',
]);

/** Barriers a car can pass (car.lua `barrier_whitelist`). */
const PASSABLE_BARRIERS = new Set([
  'cattle_grid',
  'border_control',
  'toll_booth',
  'sally_port',
  'gate',
  'lift_gate',
  'no',
  'entrance',
  'height_restrictor',
  'arch',
]);

/** How a way can be driven, or nothing when an ambulance cannot use it. */
export interface WayTravel {
  /** Speed along the way's node order, m/s; 0 when that direction is closed. */
  forwardMps: number;
  /** Speed against the way's node order, m/s; 0 when closed. */
  backwardMps: number;
  /** `name`, else `ref`, else empty. */
  name: string;
}

/** The access value that applies to an ambulance, most specific first. */
function accessValue(tags: Tags): string | undefined {
  for (const key of ACCESS_HIERARCHY) {
    const value = tags[key];
    if (value !== undefined) return value;
  }
  return undefined;
}

function isClosedAccess(tags: Tags): boolean {
  const access = accessValue(tags);
  return access !== undefined && ACCESS_BLACKLIST.has(access);
}

/**
 * Parses a `maxspeed` value to km/h: `60`, `30 mph`, `10 knots`, `BR:urban`,
 * `none`. Returns undefined for anything else (`signals`, `variable`, junk).
 */
export function parseMaxspeedKph(
  value: string | undefined,
): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim().toLowerCase();
  const numeric = /^(\d+(?:\.\d+)?)\s*(mph|knots|km\/h|kmh|kph)?$/.exec(text);
  if (numeric) {
    const n = Number(numeric[1]);
    if (!(n > 0)) return undefined;
    if (numeric[2] === 'mph') return n * 1.609344;
    if (numeric[2] === 'knots') return n * 1.852;
    return n;
  }
  if (text === 'none') return 140;
  const implicit = /^[a-z]{2}:([a-z_]+)$/.exec(text);
  if (implicit) return IMPLICIT_MAXSPEEDS_KPH[implicit[1] as string];
  return IMPLICIT_MAXSPEEDS_KPH[text];
}

/** The one-way rule of a way: 1 along, -1 against, 0 both directions. */
export function onewayDirection(tags: Tags): 1 | -1 | 0 {
  const oneway = tags.oneway;
  if (oneway === 'yes' || oneway === '1' || oneway === 'true') return 1;
  if (oneway === '-1' || oneway === 'reverse') return -1;
  if (oneway === 'no' || oneway === '0' || oneway === 'false') return 0;
  const junction = tags.junction;
  if (junction === 'roundabout' || junction === 'circular') return 1;
  if (tags.highway === 'motorway') return 1;
  return 0;
}

/**
 * How an ambulance can drive a way, or `undefined` when it cannot:
 * not a road for cars (footway, path, steps, cycleway, track, pedestrian,
 * construction...), closed by access tags, an area, impassable or
 * reversible.
 */
export function wayTravel(tags: Tags): WayTravel | undefined {
  const highway = tags.highway;
  if (highway === undefined) return undefined;
  const baseKph = HIGHWAY_SPEEDS_KPH[highway];
  if (baseKph === undefined) return undefined;
  if (tags.area === 'yes') return undefined;
  if (tags.impassable === 'yes' || tags.status === 'impassable') {
    return undefined;
  }
  if (tags.smoothness === 'impassable') return undefined;
  if (tags.oneway === 'reversible' || tags.oneway === 'alternating') {
    return undefined;
  }
  // car.lua forbids service=emergency_access; an ambulance is what such a
  // road is built for, so it stays open here like any service road.
  if (isClosedAccess(tags)) return undefined;

  let kph = baseKph;
  if (highway === 'service') {
    const serviceKph = SERVICE_SPEEDS_KPH[tags.service ?? ''];
    if (serviceKph !== undefined) kph = Math.min(kph, serviceKph);
  }

  let forwardKph = kph;
  let backwardKph = kph;
  const maxspeed = parseMaxspeedKph(tags.maxspeed);
  if (maxspeed !== undefined) {
    forwardKph = backwardKph = maxspeed * MAXSPEED_REDUCTION;
  }
  const maxForward = parseMaxspeedKph(tags['maxspeed:forward']);
  if (maxForward !== undefined) forwardKph = maxForward * MAXSPEED_REDUCTION;
  const maxBackward = parseMaxspeedKph(tags['maxspeed:backward']);
  if (maxBackward !== undefined) {
    backwardKph = maxBackward * MAXSPEED_REDUCTION;
  }

  const surfaceKph = SURFACE_SPEEDS_KPH[tags.surface ?? ''];
  if (surfaceKph !== undefined) {
    forwardKph = Math.min(forwardKph, surfaceKph);
    backwardKph = Math.min(backwardKph, surfaceKph);
  }

  const oneway = onewayDirection(tags);
  if (oneway === 1) backwardKph = 0;
  if (oneway === -1) forwardKph = 0;

  return {
    forwardMps: forwardKph / 3.6,
    backwardMps: backwardKph / 3.6,
    name: tags.name ?? tags.ref ?? '',
  };
}

/**
 * True when a node stops an ambulance: a barrier that is not on the
 * passable list (bollard, block, chain, jersey barrier...), or any barrier
 * whose access tags close it. `emergency=yes` opens either.
 */
export function nodeBlocks(tags: Tags | undefined): boolean {
  if (tags === undefined) return false;
  const barrier = tags.barrier;
  if (barrier === undefined) return false;
  const access = accessValue(tags);
  if (access !== undefined) return ACCESS_BLACKLIST.has(access);
  return !PASSABLE_BARRIERS.has(barrier);
}

/**
 * Seconds lost at each traffic signal passed (car.lua's
 * `traffic_signal_penalty`), added to the segment that holds the signal
 * and so spread along it: a trip over part of that segment pays part.
 *
 * TODO: turn penalties and turn restrictions are not modelled. The graph
 * is node-based, so a left turn costs what going straight does, and
 * `type=restriction` relations are ignored. That matters in cities whose
 * extracts carry restrictions (the Porto Alegre demo extract has none);
 * an edge-based graph would fix both.
 */
export const TRAFFIC_SIGNAL_PENALTY_SECONDS = 2;

/** True for a node tagged as a traffic signal. */
export function isTrafficSignal(tags: Tags | undefined): boolean {
  return tags?.highway === 'traffic_signals';
}

import { RoutingError } from '../errors.ts';
import { assertLatLon, haversineMeters } from '../geo.ts';
import type { RoadGraph } from '../graph/road-graph.ts';
import type {
  LatLon,
  Leg,
  OneToManyOptions,
  OneToManyResult,
  Route,
  Router,
  Snap,
  TravelTimeField,
  TravelTimeOptions,
} from '../router.ts';
import { PhastSearch, type Seed } from './phast.ts';
import { SearchWorkspace } from './search.ts';
import { nearestEdgePoints, partialGeometry, type EdgePoint } from './snap.ts';
import { EmbeddedTravelTimeField } from './travel-time-field.ts';

/** Options of {@link EmbeddedRouter}. */
export interface EmbeddedRouterOptions {
  /**
   * A point further than this from every routable road is off the network.
   * Default 1000 m: a call from a park or a large site still routes to the
   * nearest road, a typo that lands in the sea does not.
   */
  maxSnapMeters?: number;
}

/** Drive time and distance from an edge point to a node, or back. */
type Approach = Seed;

/**
 * The default router: drive times over a road graph compiled from the
 * city's OSM extract, in process. Queries are exact: A* for point-to-point
 * routes, and one-to-all sweeps over a contraction hierarchy (PHAST) for
 * one-to-many and travel-time fields.
 */
export class EmbeddedRouter implements Router {
  readonly graph: RoadGraph;
  readonly maxSnapMeters: number;
  private readonly workspace: SearchWorkspace;
  private readonly phast: PhastSearch;

  constructor(graph: RoadGraph, options: EmbeddedRouterOptions = {}) {
    this.graph = graph;
    this.maxSnapMeters = options.maxSnapMeters ?? 1000;
    if (!(this.maxSnapMeters > 0)) {
      throw new RoutingError(
        'ROUTING_INVALID_OPTION',
        `maxSnapMeters: expected a positive number, got ${options.maxSnapMeters}`,
      );
    }
    this.workspace = new SearchWorkspace(
      graph.nodeCount,
      graph.arrays.fwdTarget.length,
    );
    this.phast = new PhastSearch(graph);
  }

  async oneToMany(
    origins: readonly LatLon[],
    destination: LatLon,
    options: OneToManyOptions = {},
  ): Promise<OneToManyResult> {
    return this.oneToManySync(origins, destination, options);
  }

  /** {@link Router.oneToMany}, synchronously. */
  oneToManySync(
    origins: readonly LatLon[],
    destination: LatLon,
    options: OneToManyOptions = {},
  ): OneToManyResult {
    assertOrigins(origins);
    assertLatLon(destination, 'destination');
    const maxSeconds = checkMaxSeconds(options.maxSeconds);
    const target = this.snapEdge(destination);
    if (target === undefined) throw offNetwork('destination', destination);
    const starts = origins.map((origin) => this.snapEdge(origin));
    return {
      legs: this.legsTo(starts, target, maxSeconds),
      source: 'embedded',
    };
  }

  /**
   * Drive times from snapped origins to one snapped destination: one
   * one-to-all query toward the destination over the contraction
   * hierarchy, then a look-up per origin.
   */
  legsTo(
    starts: readonly (EdgePoint | undefined)[],
    target: EdgePoint,
    maxSeconds = Infinity,
  ): Leg[] {
    const phast = this.phast;
    phast.toSeeds(this.arrivals(target));
    return starts.map((start): Leg => {
      if (start === undefined) {
        return { reachable: false, reason: 'off_network' };
      }
      let seconds = Infinity;
      let meters = Infinity;
      const direct = this.sameSegment(start, target);
      if (direct !== undefined) ({ seconds, meters } = direct);
      for (const d of this.departures(start)) {
        const total = d.seconds + phast.seconds[d.node]!;
        if (total < seconds) {
          seconds = total;
          meters = d.meters + phast.meters[d.node]!;
        }
      }
      if (!Number.isFinite(seconds)) {
        return { reachable: false, reason: 'no_route' };
      }
      if (seconds > maxSeconds) {
        return { reachable: false, reason: 'beyond_limit' };
      }
      return { reachable: true, etaSeconds: seconds, distanceMeters: meters };
    });
  }

  async route(origin: LatLon, destination: LatLon): Promise<Route | undefined> {
    return this.routeSync(origin, destination);
  }

  /** {@link Router.route}, synchronously. */
  routeSync(origin: LatLon, destination: LatLon): Route | undefined {
    assertLatLon(origin, 'origin');
    assertLatLon(destination, 'destination');
    const from = this.snapEdge(origin);
    if (from === undefined) throw offNetwork('origin', origin);
    const to = this.snapEdge(destination);
    if (to === undefined) throw offNetwork('destination', destination);
    const path = this.fastestPath(from, to);
    if (path === undefined) return undefined;
    return {
      ...path,
      snappedOrigin: this.toSnap(from),
      snappedDestination: this.toSnap(to),
      source: 'embedded',
    };
  }

  /**
   * The fastest path between two edge points by A* (the heuristic is the
   * straight line at the graph's top speed, so it never overestimates).
   */
  fastestPath(
    from: EdgePoint,
    to: EdgePoint,
  ): Pick<Route, 'geometry' | 'etaSeconds' | 'distanceMeters'> | undefined {
    const ws = this.workspace;
    const { graph } = this;
    const { nodeLat, nodeLon } = graph.arrays;
    ws.reset();
    for (const d of this.departures(from)) ws.seed(d.node, d.seconds, d.meters);
    const arrivals = new Map<number, Approach>();
    for (const a of this.arrivals(to)) arrivals.set(a.node, a);
    const direct = this.sameSegment(from, to);
    let bestSeconds = direct?.seconds ?? Infinity;
    let bestNode = -1;
    const speed = graph.meta.maxSpeedMps;
    const heuristic = (node: number) =>
      haversineMeters(
        nodeLat[node] as number,
        nodeLon[node] as number,
        to.lat,
        to.lon,
      ) / speed;
    ws.run(graph, false, Infinity, {
      heuristic,
      onSettle: (node, key) => {
        if (key >= bestSeconds) return true;
        const arrival = arrivals.get(node);
        if (arrival !== undefined) {
          const total = (ws.seconds[node] as number) + arrival.seconds;
          if (total < bestSeconds) {
            bestSeconds = total;
            bestNode = node;
          }
        }
        return false;
      },
    });
    if (!Number.isFinite(bestSeconds)) return undefined;
    if (bestNode < 0 && direct !== undefined) {
      return {
        geometry: {
          type: 'LineString',
          coordinates: partialGeometry(
            graph,
            from.seg,
            from.fraction,
            to.fraction,
          ),
        },
        etaSeconds: direct.seconds,
        distanceMeters: direct.meters,
      };
    }
    return this.pathGeometry(from, to, bestNode, bestSeconds, arrivals);
  }

  private pathGeometry(
    from: EdgePoint,
    to: EdgePoint,
    lastNode: number,
    seconds: number,
    arrivals: Map<number, Approach>,
  ): Pick<Route, 'geometry' | 'etaSeconds' | 'distanceMeters'> {
    const ws = this.workspace;
    const { graph } = this;
    const { segA } = graph.arrays;
    const arrival = arrivals.get(lastNode) as Approach;
    const segs: { seg: number; forward: boolean }[] = [];
    let node = lastNode;
    while ((ws.parentSeg[node] as number) >= 0) {
      const seg = ws.parentSeg[node] as number;
      const prev = ws.parentNode[node] as number;
      segs.push({ seg, forward: segA[seg] === prev });
      node = prev;
    }
    segs.reverse();
    const coordinates: number[][] = [];
    const append = (part: number[][]) => {
      for (const position of part) {
        const last = coordinates[coordinates.length - 1];
        if (last && last[0] === position[0] && last[1] === position[1])
          continue;
        coordinates.push(position);
      }
    };
    // `node` is now where the path left the origin's segment.
    const leftForward = node !== segA[from.seg];
    append(
      partialGeometry(graph, from.seg, from.fraction, leftForward ? 1 : 0),
    );
    for (const { seg, forward } of segs) {
      append(partialGeometry(graph, seg, forward ? 0 : 1, forward ? 1 : 0));
    }
    const enteredForward = lastNode === segA[to.seg];
    append(partialGeometry(graph, to.seg, enteredForward ? 0 : 1, to.fraction));
    if (coordinates.length === 1) coordinates.push(coordinates[0] as number[]);
    return {
      geometry: { type: 'LineString', coordinates },
      etaSeconds: seconds,
      distanceMeters: (ws.meters[lastNode] as number) + arrival.meters,
    };
  }

  async snap(point: LatLon): Promise<Snap | undefined> {
    assertLatLon(point, 'point');
    const edge = this.snapEdge(point);
    return edge === undefined ? undefined : this.toSnap(edge);
  }

  /** Up to `count` nearest roads to a point, nearest first. */
  nearest(
    point: LatLon,
    count: number,
    maxMeters = this.maxSnapMeters,
  ): EdgePoint[] {
    assertLatLon(point, 'point');
    return nearestEdgePoints(
      this.graph,
      point.lat,
      point.lon,
      count,
      maxMeters,
    );
  }

  async travelTimes(
    origins: readonly LatLon[],
    options: TravelTimeOptions,
  ): Promise<TravelTimeField> {
    return this.travelTimesSync(origins, options);
  }

  /** {@link Router.travelTimes}, synchronously. */
  travelTimesSync(
    origins: readonly LatLon[],
    options: TravelTimeOptions,
  ): EmbeddedTravelTimeField {
    assertOrigins(origins);
    const maxSeconds = checkMaxSeconds(options?.maxSeconds);
    if (!Number.isFinite(maxSeconds)) {
      throw new RoutingError(
        'ROUTING_INVALID_OPTION',
        'maxSeconds: a travel-time field needs a finite limit',
      );
    }
    const starts: EdgePoint[] = [];
    for (const origin of origins) {
      const edge = this.snapEdge(origin);
      if (edge !== undefined) starts.push(edge);
    }
    this.phast.fromSeeds(starts.flatMap((start) => this.departures(start)));
    const nodeSeconds = this.phast.seconds.slice();
    for (let node = 0; node < nodeSeconds.length; node++) {
      if (nodeSeconds[node]! > maxSeconds) nodeSeconds[node] = Infinity;
    }
    return new EmbeddedTravelTimeField(this, nodeSeconds, starts, maxSeconds);
  }

  /**
   * Snaps a validated point to the nearest road within `maxMeters`
   * (default: the router's snap limit), or undefined.
   */
  snapEdge(
    point: LatLon,
    maxMeters = this.maxSnapMeters,
  ): EdgePoint | undefined {
    return nearestEdgePoints(this.graph, point.lat, point.lon, 1, maxMeters)[0];
  }

  /** Ways out of an edge point onto the graph's nodes. */
  departures(p: EdgePoint): Approach[] {
    const a = this.graph.arrays;
    const out: Approach[] = [];
    const length = a.segLengthMeters[p.seg] as number;
    const forward = a.segForwardSeconds[p.seg] as number;
    const backward = a.segBackwardSeconds[p.seg] as number;
    if (Number.isFinite(forward)) {
      out.push({
        node: a.segB[p.seg] as number,
        seconds: (1 - p.fraction) * forward,
        meters: (1 - p.fraction) * length,
      });
    }
    if (Number.isFinite(backward)) {
      out.push({
        node: a.segA[p.seg] as number,
        seconds: p.fraction * backward,
        meters: p.fraction * length,
      });
    }
    return out;
  }

  /** Ways from the graph's nodes into an edge point. */
  arrivals(p: EdgePoint): Approach[] {
    const a = this.graph.arrays;
    const out: Approach[] = [];
    const length = a.segLengthMeters[p.seg] as number;
    const forward = a.segForwardSeconds[p.seg] as number;
    const backward = a.segBackwardSeconds[p.seg] as number;
    if (Number.isFinite(forward)) {
      out.push({
        node: a.segA[p.seg] as number,
        seconds: p.fraction * forward,
        meters: p.fraction * length,
      });
    }
    if (Number.isFinite(backward)) {
      out.push({
        node: a.segB[p.seg] as number,
        seconds: (1 - p.fraction) * backward,
        meters: (1 - p.fraction) * length,
      });
    }
    return out;
  }

  /** A drive along one segment without passing a node, when legal. */
  sameSegment(
    from: EdgePoint,
    to: EdgePoint,
  ): { seconds: number; meters: number } | undefined {
    if (from.seg !== to.seg) return undefined;
    const a = this.graph.arrays;
    const length = a.segLengthMeters[from.seg] as number;
    const delta = to.fraction - from.fraction;
    const perUnit =
      delta >= 0
        ? (a.segForwardSeconds[from.seg] as number)
        : (a.segBackwardSeconds[from.seg] as number);
    if (!Number.isFinite(perUnit)) return undefined;
    return {
      seconds: Math.abs(delta) * perUnit,
      meters: Math.abs(delta) * length,
    };
  }

  private toSnap(edge: EdgePoint): Snap {
    const nameIndex = this.graph.arrays.segName[edge.seg] as number;
    return {
      location: { lat: edge.lat, lon: edge.lon },
      offsetMeters: edge.offsetMeters,
      name: this.graph.meta.names[nameIndex] ?? '',
      source: 'embedded',
    };
  }
}

/** Throws unless `origins` is a non-empty array of valid positions. */
export function assertOrigins(origins: readonly LatLon[]): void {
  if (!Array.isArray(origins) || origins.length === 0) {
    throw new RoutingError('ROUTING_NO_ORIGINS');
  }
  origins.forEach((origin, i) => assertLatLon(origin, `origins[${i}]`));
}

/** Validates an optional time limit; absent means no limit. */
export function checkMaxSeconds(value: number | undefined): number {
  if (value === undefined) return Infinity;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new RoutingError(
      'ROUTING_INVALID_OPTION',
      `maxSeconds: expected a number >= 0, got ${String(value)}`,
    );
  }
  return value;
}

function offNetwork(what: string, point: LatLon): RoutingError {
  return new RoutingError(
    'ROUTING_POINT_OFF_NETWORK',
    `${what} (${point.lat}, ${point.lon}) is not near any road of the network`,
  );
}

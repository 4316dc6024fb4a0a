/**
 * Drive times for dispatch. Start with {@link createRouting} for a city
 * pack; everything else uses the {@link Router} interface.
 */
export * from './router.ts';
export * from './errors.ts';
export * from './city-pack.ts';
export * from './setup.ts';
export * from './emergency.ts';
export { EmbeddedRouter } from './embedded/embedded-router.ts';
export { FallbackRouter } from './fallback-router.ts';
export { OsrmRouter } from './osrm/osrm-router.ts';
export { OsrmClient, OsrmResponseError } from './osrm/client.ts';
export { createOsrmHttpServer } from './serve/osrm-http.ts';
export { loadRoadGraph } from './graph/cache.ts';
export { buildRoadGraph } from './graph/build.ts';
export type { RoutingLogger } from './log.ts';
export { roadNetworkGeoJson, type BasemapRoad } from './basemap.ts';
export { haversineMeters } from './geo.ts';
export {
  buildPlaceIndex,
  buildPlaceIndexFromOsm,
  PlaceIndex,
  type CrossingPlace,
  type Place,
  type PlaceIndexStats,
  type StreetPlace,
} from './places/place-index.ts';

import tinyOsmPbf, { type OsmElement } from 'tiny-osmpbf';

import { RoutingError } from './errors.ts';

/**
 * A reader of an OpenStreetMap PBF extract, for the builders that take
 * OSM elements (road graph, place index): calls `handler` once per node,
 * way and relation, in file order.
 * @throws RoutingError `ROUTING_GRAPH_INVALID` for an unreadable file
 */
export function pbfReader(
  pbf: Uint8Array,
): (handler: (element: OsmElement) => void) => void {
  return (handler) => {
    try {
      tinyOsmPbf(pbf, handler);
    } catch (err) {
      throw new RoutingError(
        'ROUTING_GRAPH_INVALID',
        'the OSM extract is not a readable PBF file',
        { cause: err },
      );
    }
  };
}

// The package ships no types; these cover the callback form we use.
declare module 'tiny-osmpbf' {
  interface OsmNode {
    type: 'node';
    id: number;
    lat: number;
    lon: number;
    tags?: Record<string, string>;
  }
  interface OsmWay {
    type: 'way';
    id: number;
    nodes: number[];
    tags?: Record<string, string>;
  }
  interface OsmRelation {
    type: 'relation';
    id: number;
    tags?: Record<string, string>;
    members: { type: string; ref: number; role: string }[];
  }
  export type OsmElement = OsmNode | OsmWay | OsmRelation;
  export default function tinyOsmPbf(
    data: Uint8Array,
    handler?: (element: OsmElement) => void,
  ): unknown;
}

/**
 * Where every ambulance is: one ingest pipeline ({@link Tracker}) fed by
 * tablet sockets, HTTP batches and the OsmAnd protocol of the Traccar
 * Client app; fix filtering; live state in Redis or memory; the track in
 * PostGIS in batches; console fan-out; ETA updates; arrival detection.
 */
export * from './fix.ts';
export * from './filter.ts';
export * from './arrival.ts';
export * from './fanout.ts';
export * from './live-store.ts';
export * from './track-writer.ts';
export * from './tracker.ts';
export * from './osmand.ts';
export * from './osmand-server.ts';

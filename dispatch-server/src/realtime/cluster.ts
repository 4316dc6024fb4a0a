import type { EventEmitter } from 'node:events';

import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { RedisClientType } from 'redis';
import type { Server } from 'socket.io';

import type { DomainBus } from '../events.ts';
import type { Logger } from '../log.ts';
import type { UnitView } from '../units/views.ts';

/**
 * Several server processes behind one address: socket.io's Redis Streams
 * adapter carries every emit of one process to the sockets of all the
 * others (and keeps the missed packets of a dropped socket for connection
 * state recovery, which the plain Redis adapter cannot). A domain event
 * is emitted once, by the process where the change committed; the adapter
 * delivers it to that process's sockets directly and to the others'
 * through the stream, so each console gets it exactly once.
 *
 * While Redis is unreachable the adapter would hold every emit until it
 * is back (node-redis queues commands offline); instead emits go to this
 * process's sockets only, at once, and recovery is refused so a dropped
 * socket reconnects as new. Consoles learn of the outage and of the
 * recovery from the `health` event and reload a snapshot on recovery,
 * which brings back what other processes told while the link was down.
 */

/** Adapter methods whose cluster-wide part waits on Redis. */
const CLUSTER_WIDE = [
  'broadcast',
  'addSockets',
  'delSockets',
  'disconnectSockets',
] as const;

/** Server-side event that tells other processes of a status change. */
const PEER_UNIT_STATUS = 'peer:unit:status';

/** What `new Server(..., { adapter })` takes. */
export type AdapterFactory = NonNullable<
  NonNullable<ConstructorParameters<typeof Server>[1]>['adapter']
>;

/**
 * The Redis Streams adapter, degrading to this process's sockets while
 * Redis is down.
 * @param redis the adapter's own client (commands queue while offline, so
 *   its stream reader blocks instead of spinning); its duplicates read
 *   the stream and subscribe
 * @param prefix `REDIS_PREFIX`: stream, channels and sessions are kept
 *   apart from other deployments on the same Redis
 */
export function clusterAdapter(
  redis: RedisClientType,
  prefix: string,
): AdapterFactory {
  const factory = createAdapter(redis, {
    streamName: `${prefix}socket.io`,
    channelPrefix: `${prefix}socket.io`,
    sessionKeyPrefix: `${prefix}sio:session:`,
    onlyPlaintext: true,
  });
  // socket.io calls it with `new`: a function, not an arrow.
  return function (nsp: unknown) {
    const adapter = factory(nsp) as unknown as Record<
      string,
      (...args: any[]) => unknown
    >;
    for (const method of CLUSTER_WIDE) {
      const clusterWide = adapter[method]!.bind(adapter);
      adapter[method] = (...args: any[]) => {
        if (!redis.isReady) {
          const opts = args[method === 'broadcast' ? 1 : 0] ?? {};
          opts.flags = { ...opts.flags, local: true };
        }
        return clusterWide(...args);
      };
    }
    const restore = adapter.restoreSession!.bind(adapter);
    adapter.restoreSession = (...args: any[]) =>
      redis.isReady
        ? restore(...args)
        : Promise.reject(new Error('redis unavailable'));
    return adapter;
  } as unknown as AdapterFactory;
}

/**
 * Tells other processes of this one's status changes, and this one's
 * in-process listeners of theirs (`unit:status:peer`).
 */
export function linkPeers(io: Server, bus: DomainBus, log: Logger): void {
  // In-process listeners of status changes (the tracker's assignments)
  // must hear of changes made through any process. Sockets are not
  // involved: the originating process reached them through the adapter.
  // While Redis is down these wait in the client's offline queue and go
  // out on recovery: late, not lost.
  bus.on('unit:status', (unit) => io.serverSideEmit(PEER_UNIT_STATUS, unit));
  (io as unknown as EventEmitter).on(PEER_UNIT_STATUS, (unit: UnitView) =>
    bus.emit('unit:status:peer', unit),
  );
  log.info({}, 'linked to other server processes through redis');
}

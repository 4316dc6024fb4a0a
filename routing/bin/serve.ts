/**
 * `npm run routing:serve`: the embedded router over the OSRM v5 HTTP API.
 * CITY (default porto-alegre), ROUTING_PORT (5000), ROUTING_HOST
 * (127.0.0.1: loopback unless asked otherwise), plus the settings of
 * `createRouting`. OSRM_URL is ignored here: this *is* the OSRM server.
 */
import pino from 'pino';

import { loadCityPack } from '../src/city-pack.ts';
import { createOsrmHttpServer } from '../src/serve/osrm-http.ts';
import { createRouting } from '../src/setup.ts';

const logger = pino({ name: 'routing' });

try {
  const city = loadCityPack();
  const { embedded, emergencySpeedFactor } = createRouting(
    city,
    { ...process.env, OSRM_URL: '' },
    logger,
  );
  const port = Number(process.env.ROUTING_PORT ?? 5000);
  const host = process.env.ROUTING_HOST ?? '127.0.0.1';
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `ROUTING_PORT: expected a port number, got ${process.env.ROUTING_PORT}`,
    );
  }
  const server = createOsrmHttpServer({
    router: embedded,
    emergencySpeedFactor,
    logger,
  });
  server.listen(port, host, () => {
    const address = server.address();
    const actual = typeof address === 'object' && address ? address.port : port;
    logger.info(
      { city: city.id, url: `http://${host}:${actual}` },
      'routing server listening (OSRM v5 API: /route, /table, /nearest)',
    );
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (err) {
  logger.fatal({ err }, 'routing server could not start');
  process.exit(1);
}

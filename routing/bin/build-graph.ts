/**
 * `npm run routing:build -- [city]`: compiles a city's road graph into the
 * cache ahead of the first start. `city` is a bundled city id or a folder
 * with a city.json; default CITY or the demo city.
 */
import pino from 'pino';

import { loadCityPack } from '../src/city-pack.ts';
import { createRouting } from '../src/setup.ts';

const logger = pino({ name: 'routing' });
try {
  const city = loadCityPack(process.argv[2]);
  const { loaded } = createRouting(
    city,
    { ...process.env, OSRM_URL: '' },
    logger,
  );
  logger.info(
    { city: city.id, cacheFile: loaded.cacheFile, origin: loaded.origin },
    'road graph compiled',
  );
} catch (err) {
  logger.fatal({ err }, 'road graph could not be compiled');
  process.exit(1);
}

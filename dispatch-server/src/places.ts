import fs from 'node:fs';

import {
  buildPlaceIndex,
  requireExtract,
  type CityPack,
  type PlaceIndex,
} from '@dispatch/routing';

import type { Logger } from './log.ts';

/**
 * The city's street and crossing index, built from its extract on the
 * first search and kept: parsing the extract again costs about half a
 * second (Porto Alegre), which a server start need not pay for a search
 * that may never come. Throws what {@link buildPlaceIndex} throws.
 */
export function placeIndexOf(city: CityPack, log: Logger): () => PlaceIndex {
  let index: PlaceIndex | undefined;
  return () => {
    if (index) return index;
    const startedAt = performance.now();
    index = buildPlaceIndex(fs.readFileSync(requireExtract(city)));
    log.info(
      {
        city: city.id,
        durationMs: Math.round(performance.now() - startedAt),
        ...index.stats,
      },
      'place index ready',
    );
    return index;
  };
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadCityPack, requireExtract } from '../src/city-pack.ts';
import { demoRouter } from './demo-graph.ts';

describe('city packs', () => {
  it('loads the demo city with stations and hospitals on its roads', async () => {
    const city = loadCityPack('porto-alegre');
    expect(city.timeZone).toBe('America/Sao_Paulo');
    expect(city.stationList.length).toBeGreaterThanOrEqual(5);
    expect(city.hospitalList.some((h) => h.emergency)).toBe(true);
    const { router } = demoRouter();
    for (const place of [...city.stationList, ...city.hospitalList]) {
      const snap = await router.snap(place.location);
      expect([place.id, snap && snap.offsetMeters < 300]).toEqual([
        place.id,
        true,
      ]);
    }
    // Every station reaches every emergency hospital by road.
    for (const hospital of city.hospitalList.filter((h) => h.emergency)) {
      const result = await router.oneToMany(
        city.stationList.map((s) => s.location),
        hospital.location,
      );
      expect(result.legs.every((leg) => leg.reachable)).toBe(true);
    }
  });

  it('loads San Nicolás without a road network and says how to add one', () => {
    const city = loadCityPack('san-nicolas');
    expect(city.locale).toBe('es-AR');
    expect(city.hospitalList.length).toBeGreaterThanOrEqual(20);
    expect(city.extractPath).toBeUndefined();
    expect(() => requireExtract(city)).toThrow(/no road network yet.*README/);
  });

  it('names the file and field at fault in a broken pack', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'city-'));
    expect(() => loadCityPack(dir)).toThrow(/cannot read .*city\.json/);
    fs.writeFileSync(path.join(dir, 'city.json'), '{ not json');
    expect(() => loadCityPack(dir)).toThrow(/is not JSON/);
    const manifest = {
      id: 'x',
      name: 'X',
      country: 'XX',
      timeZone: 'UTC',
      locale: 'en',
      center: { lat: 0, lon: 0 },
      serviceArea: [1, 1, 0, 0],
    };
    fs.writeFileSync(path.join(dir, 'city.json'), JSON.stringify(manifest));
    expect(() => loadCityPack(dir)).toThrow(/serviceArea/);
    manifest.serviceArea = [0, 0, 1, 1];
    fs.writeFileSync(
      path.join(dir, 'city.json'),
      JSON.stringify({ ...manifest, stations: 'stations.geojson' }),
    );
    fs.writeFileSync(
      path.join(dir, 'stations.geojson'),
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [0, 95] },
            properties: { id: 'a', name: 'A' },
          },
        ],
      }),
    );
    expect(() => loadCityPack(dir)).toThrow(/feature 0/);
  });
});

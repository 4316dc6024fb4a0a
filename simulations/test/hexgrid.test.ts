import { haversineMeters, loadCityPack } from '@dispatch/routing';
import { describe, expect, it } from 'vitest';

import { h3Parent, hexagonOf, loadHexgrid } from '../src/index.ts';

const grid = loadHexgrid(loadCityPack('porto-alegre'));

describe('population hexgrid', () => {
  it('reads every cell of the Porto Alegre grid with its population', () => {
    expect(grid.cells).toHaveLength(1227);
    expect(Math.round(grid.totalPopulation / 1000)).toBe(813);
    // H3 resolution 9 centres lie about 300 m apart.
    expect(grid.spacingMeters).toBeGreaterThan(250);
    expect(grid.spacingMeters).toBeLessThan(400);
  });

  it('names the H3 parent of a cell from its bits', () => {
    expect(h3Parent('89a901291abffff', 7)).toBe('87a901291ffffff');
    expect(h3Parent('89a901291abffff', 8)).toBe('88a901291bfffff');
    expect(h3Parent('89a901291abffff', 9)).toBe('89a901291abffff');
    expect(new Set(grid.cells.map((c) => c.district)).size).toBeGreaterThan(20);
  });

  it('draws hexagons that tile: interior neighbours share an edge', () => {
    const near = (a: (typeof grid.cells)[number]) =>
      grid.cells.filter(
        (b) =>
          b !== a &&
          haversineMeters(a.lat, a.lon, b.lat, b.lon) <
            grid.spacingMeters * 1.3,
      );
    const interior = grid.cells.filter((c) => near(c).length === 6);
    expect(interior.length).toBeGreaterThan(900);
    for (const a of interior.slice(0, 200)) {
      const ca = hexagonOf(grid, a);
      for (const b of near(a).filter((n) => near(n).length === 6)) {
        const cb = hexagonOf(grid, b);
        const shared = ca.filter((p) =>
          cb.some((q) => haversineMeters(p[1], p[0], q[1], q[0]) < 1),
        );
        expect(shared).toHaveLength(2);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';

import { roadStyle, STALE_COLOUR, unitMarkerStyle } from './styles.ts';

describe('unit marker style', () => {
  it('colours units by status', () => {
    const available = unitMarkerStyle({ status: 'available', stale: false });
    const enRoute = unitMarkerStyle({ status: 'en_route', stale: false });
    const dispatched = unitMarkerStyle({ status: 'dispatched', stale: false });
    const onScene = unitMarkerStyle({ status: 'on_scene', stale: false });
    const transporting = unitMarkerStyle({
      status: 'transporting',
      stale: false,
    });
    const atHospital = unitMarkerStyle({ status: 'at_hospital', stale: false });
    expect(enRoute.fillColour).toBe(dispatched.fillColour);
    expect(transporting.fillColour).toBe(atHospital.fillColour);
    const distinct = new Set([
      available.fillColour,
      enRoute.fillColour,
      onScene.fillColour,
      transporting.fillColour,
      unitMarkerStyle({ status: 'out_of_service', stale: false }).fillColour,
    ]);
    expect(distinct.size).toBe(5);
  });

  it('greys a stale unit but keeps its status outline', () => {
    const style = unitMarkerStyle({ status: 'available', stale: true });
    expect(style.fillColour).toBe(STALE_COLOUR);
    expect(style.colour).toBe(
      unitMarkerStyle({ status: 'available', stale: false }).colour,
    );
    expect(style.fillOpacity).toBeLessThan(0.9);
  });
});

describe('road style', () => {
  it('draws faster roads thicker', () => {
    const weights = [10, 25, 40, 60, 90].map((kph) => roadStyle(kph).weight);
    const sorted = [...weights].sort((a, b) => a - b);
    expect(weights).toEqual(sorted);
    expect(new Set(weights).size).toBe(weights.length);
  });

  it('draws faster roads darker', () => {
    const slow = parseInt(roadStyle(10).color.slice(1, 3), 16);
    const fast = parseInt(roadStyle(90).color.slice(1, 3), 16);
    expect(fast).toBeLessThan(slow);
  });
});

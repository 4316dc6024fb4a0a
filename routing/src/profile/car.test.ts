import { describe, expect, it } from 'vitest';

import { nodeBlocks, parseMaxspeedKph, wayTravel } from './car.ts';

const kph = (mps: number) => Math.round(mps * 3.6 * 10) / 10;

describe('car profile', () => {
  it('drives residential streets both ways at the car.lua speed', () => {
    const t = wayTravel({ highway: 'residential' });
    expect(kph(t!.forwardMps)).toBe(25);
    expect(kph(t!.backwardMps)).toBe(25);
  });

  it('refuses footways, paths, steps, cycleways, tracks and construction', () => {
    for (const highway of [
      'footway',
      'path',
      'steps',
      'cycleway',
      'track',
      'pedestrian',
      'construction',
      'proposed',
    ]) {
      expect(wayTravel({ highway }), highway).toBeUndefined();
    }
  });

  it('closes private and no-access roads unless open to emergency vehicles', () => {
    expect(
      wayTravel({ highway: 'service', access: 'private' }),
    ).toBeUndefined();
    expect(
      wayTravel({ highway: 'primary', motor_vehicle: 'no' }),
    ).toBeUndefined();
    expect(
      wayTravel({ highway: 'service', access: 'no', emergency: 'yes' }),
    ).toBeDefined();
    expect(
      wayTravel({ highway: 'residential', access: 'destination' }),
    ).toBeDefined();
  });

  it('follows oneway=yes, oneway=-1, roundabouts and motorways', () => {
    const yes = wayTravel({ highway: 'primary', oneway: 'yes' })!;
    expect(yes.forwardMps).toBeGreaterThan(0);
    expect(yes.backwardMps).toBe(0);
    const reverse = wayTravel({ highway: 'primary', oneway: '-1' })!;
    expect(reverse.forwardMps).toBe(0);
    expect(reverse.backwardMps).toBeGreaterThan(0);
    expect(
      wayTravel({ highway: 'tertiary', junction: 'roundabout' })!.backwardMps,
    ).toBe(0);
    expect(wayTravel({ highway: 'motorway' })!.backwardMps).toBe(0);
    expect(
      wayTravel({ highway: 'motorway', oneway: 'no' })!.backwardMps,
    ).toBeGreaterThan(0);
    expect(
      wayTravel({ highway: 'primary', oneway: 'reversible' }),
    ).toBeUndefined();
  });

  it('drives at 80% of maxspeed, capped by the surface', () => {
    expect(
      kph(wayTravel({ highway: 'primary', maxspeed: '60' })!.forwardMps),
    ).toBe(48);
    expect(
      kph(
        wayTravel({
          highway: 'primary',
          maxspeed: '60',
          surface: 'cobblestone',
        })!.forwardMps,
      ),
    ).toBe(30);
    expect(parseMaxspeedKph('30 mph')).toBeCloseTo(48.28, 1);
    expect(parseMaxspeedKph('BR:urban')).toBe(50);
    expect(parseMaxspeedKph('signals')).toBeUndefined();
    expect(parseMaxspeedKph('-5')).toBeUndefined();
  });

  it('penalises service roads that are not through roads', () => {
    expect(kph(wayTravel({ highway: 'service' })!.forwardMps)).toBe(15);
    expect(
      kph(
        wayTravel({ highway: 'service', service: 'parking_aisle' })!.forwardMps,
      ),
    ).toBe(5);
  });

  it('stops at bollards but passes gates, unless access closes them', () => {
    expect(nodeBlocks({ barrier: 'bollard' })).toBe(true);
    expect(nodeBlocks({ barrier: 'gate' })).toBe(false);
    expect(nodeBlocks({ barrier: 'gate', access: 'private' })).toBe(true);
    expect(nodeBlocks({ barrier: 'bollard', emergency: 'yes' })).toBe(false);
    expect(nodeBlocks({ highway: 'traffic_signals' })).toBe(false);
    expect(nodeBlocks(undefined)).toBe(false);
  });
});

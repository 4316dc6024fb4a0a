import fs from 'node:fs';

import type { OsmElement } from 'tiny-osmpbf';
import { beforeAll, describe, expect, it } from 'vitest';

import { loadCityPack, requireExtract } from '../src/city-pack.ts';
import { crossingSplits, nameTokens } from '../src/places/normalize.ts';
import {
  buildPlaceIndex,
  buildPlaceIndexFromOsm,
  matchScore,
  type PlaceIndex,
} from '../src/places/place-index.ts';

const round3 = (value: number) => Math.round(value * 1000) / 1000;

describe('street name normalisation', () => {
  it('drops case and accents and expands common abbreviations', () => {
    expect(nameTokens('Avenida João Pessoa')).toEqual([
      'avenida',
      'joao',
      'pessoa',
    ]);
    expect(nameTokens('AV. JOÃO PESSOA')).toEqual(
      nameTokens('avenida joao pessoa'),
    );
    expect(nameTokens('R. dos Andradas')).toEqual(['rua', 'dos', 'andradas']);
    expect(nameTokens('Cll. Mitre')).toEqual(['calle', 'mitre']);
    expect(nameTokens('Praça Dom Feliciano')[0]).toBe('praca');
    expect(nameTokens(' ¡! ')).toEqual([]);
  });

  it('cuts a crossing query at every joiner', () => {
    expect(crossingSplits('Ipiranga & Azenha')).toEqual([
      ['ipiranga', 'azenha'],
    ]);
    expect(crossingSplits('ipiranga y azenha')).toEqual([
      ['ipiranga', 'azenha'],
    ]);
    expect(crossingSplits('A and B')).toEqual([['a', 'b']]);
    expect(crossingSplits('Rua A com Rua B')).toEqual([['rua a', 'rua b']]);
    expect(crossingSplits('a e b y c')).toEqual([
      ['a', 'b y c'],
      ['a e b', 'c'],
    ]);
    expect(crossingSplits('avenida ipiranga')).toEqual([]);
  });

  it('scores exact words above prefixes and fewer extra words above more', () => {
    const name = nameTokens('Avenida Ipiranga');
    expect(matchScore(['ipiranga'], name)).toBe(1);
    expect(matchScore(['avenida', 'ipiranga'], name)).toBe(0);
    expect(matchScore(['ipir'], name)).toBe(3);
    expect(matchScore(['rua', 'ipiranga'], name)).toBeNull();
    // Another order still matches, a little further down.
    expect(matchScore(['ipiranga', 'avenida'], name)).toBe(1);
  });
});

describe('place index on the Porto Alegre extract', () => {
  let index: PlaceIndex;
  beforeAll(() => {
    const extract = requireExtract(loadCityPack('porto-alegre'));
    index = buildPlaceIndex(fs.readFileSync(extract));
  });

  it('finds a street by its full name, abbreviated, or one word of it', () => {
    for (const query of [
      'Avenida Ipiranga',
      'av ipiranga',
      'AV. IPIRANGA',
      'ipiranga',
    ]) {
      const [top] = index.search(query);
      expect(top?.kind, query).toBe('street');
      expect(top?.name, query).toBe('Avenida Ipiranga');
    }
    const [andradas] = index.search('r andradas');
    expect(andradas?.name).toBe('Rua dos Andradas');
    // Its point lies on the street, downtown.
    expect(round3(andradas!.location.lat)).toBeCloseTo(-30.031, 2);
  });

  it('finds accented names without the accents', () => {
    const [top] = index.search('joao pessoa');
    expect(top?.name).toBe('Avenida João Pessoa');
  });

  it('labels the stretches of a recurring name with their cross streets', () => {
    const streets = index
      .search('rua um', 50)
      .filter((p) => p.kind === 'street' && p.name === 'Rua Um');
    expect(streets.length).toBe(2);
    const labels = streets.map((p) => (p.kind === 'street' ? p.near : null));
    expect(labels).toContainEqual(['Rua Aristides Rosa', 'Travessa C']);
    expect(new Set(labels.map((l) => JSON.stringify(l))).size).toBe(2);
    // "Rua A" recurs in many grid-named subdivisions: most are told apart.
    const ruaA = index
      .search('rua a', 50)
      .filter((p) => p.kind === 'street' && p.name === 'Rua A');
    expect(ruaA.length).toBeGreaterThan(5);
    const distinct = new Set(
      ruaA.map((p) => JSON.stringify(p.kind === 'street' ? p.near : null)),
    );
    expect(distinct.size).toBeGreaterThan(ruaA.length / 2);
    // Avenida Ipiranga is one street: no label.
    expect(index.search('avenida ipiranga')[0]).not.toHaveProperty('near');
  });

  it('finds a crossing joined by &, y, and, com', () => {
    for (const query of [
      'Ipiranga & Azenha',
      'ipiranga y azenha',
      'Av. Ipiranga com Av. Azenha',
      'avenida ipiranga and avenida da azenha',
    ]) {
      const [top] = index.search(query);
      expect(top?.kind, query).toBe('crossing');
      expect(top?.name, query).toBe('Avenida Ipiranga & Avenida da Azenha');
      expect(round3(top!.location.lat)).toBe(-30.048);
      expect(round3(top!.location.lon)).toBe(-51.214);
    }
    const [reversed] = index.search('azenha y ipiranga');
    expect(reversed?.name).toBe('Avenida da Azenha & Avenida Ipiranga');
  });

  it('lists the crossings of a street for "street &"', () => {
    const places = index.search('borges de medeiros &', 20);
    expect(places.length).toBe(20);
    expect(places.every((p) => p.kind === 'crossing')).toBe(true);
    expect(
      places.every((p) => p.name.startsWith('Avenida Borges de Medeiros & ')),
    ).toBe(true);
  });

  it('answers nothing, not an error, for a name that is not there', () => {
    expect(index.search('xyzzy')).toEqual([]);
    expect(index.search('!!!')).toEqual([]);
  });
});

describe('place index on a hand-made map', () => {
  const node = (id: number, lat: number, lon: number): OsmElement => ({
    type: 'node',
    id,
    lat,
    lon,
  });
  const way = (
    id: number,
    nodes: number[],
    tags: Record<string, string>,
  ): OsmElement => ({ type: 'way', id, nodes, tags });

  const elements: OsmElement[] = [
    node(1, -30.0, -51.2),
    node(2, -30.0, -51.199),
    node(3, -30.0, -51.198),
    node(4, -30.001, -51.199),
    node(5, -29.999, -51.199),
    node(6, -30.0002, -51.199),
    node(7, -30.1, -51.2),
    node(8, -30.1, -51.199),
    node(9, -30.101, -51.199),
    // An avenue in two carriageways, both crossed by Rua B.
    way(10, [1, 2, 3], { highway: 'primary', name: 'Avenida A' }),
    way(11, [1, 6, 3], { highway: 'primary', name: 'Avenida A' }),
    way(12, [4, 6, 2, 5], { highway: 'residential', name: 'Rua B' }),
    // A footway sharing the avenue's name is not a street.
    way(13, [2, 5], { highway: 'footway', name: 'Passeio C' }),
    // The same name again, 11 km away: another street.
    way(14, [7, 8], { highway: 'residential', name: 'Rua B' }),
    way(15, [7, 8], { highway: 'residential' }),
    way(16, [8, 9], { highway: 'residential', name: 'Rua D' }),
  ];
  const index = buildPlaceIndexFromOsm((handler) => elements.forEach(handler));

  it('keeps one name in two places as two streets, and skips footways', () => {
    expect(index.stats).toEqual({ names: 3, streets: 4, crossings: 2 });
    const streets = index.search('rua b');
    expect(
      streets.map((p) => round3(p.location.lat)).sort((x, y) => x - y),
    ).toEqual([-30.1, -30]);
    expect(index.search('passeio')).toEqual([]);
  });

  it('tells the two stretches of one name apart by their cross streets', () => {
    const near = Object.fromEntries(
      index
        .search('rua b')
        .map((p) => [round3(p.location.lat), p.kind === 'street' && p.near]),
    );
    expect(near).toEqual({ '-30': ['Avenida A'], '-30.1': ['Rua D'] });
    // A name found once needs no such label.
    const [avenue] = index.search('avenida a');
    expect(avenue).toMatchObject({ kind: 'street', name: 'Avenida A' });
    expect(avenue).not.toHaveProperty('near');
  });

  it('gives one crossing for a junction of two carriageways', () => {
    const [crossing] = index.search('a & b');
    expect(crossing).toMatchObject({
      kind: 'crossing',
      name: 'Avenida A & Rua B',
      streets: ['Avenida A', 'Rua B'],
    });
    expect(round3(crossing!.location.lon)).toBe(-51.199);
  });
});

// Builds hospitals.geojson for the San Nicolás city pack from its two source
// files, which sit beside this script and are never modified:
//
//   public-health-facilities.geojson     Buenos Aires province health ministry,
//                                         public establishments of the partido
//   inpatient-facilities-refes-2020.csv  national REFES/SISA register,
//                                         establishments with inpatient beds
//
// Run with:  node data/san-nicolas/build-hospitals.mjs
// Plain Node (20+), no dependencies. See README.md for the rules applied.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const PUBLIC_FILE = path.join(here, 'public-health-facilities.geojson');
const REFES_FILE = path.join(here, 'inpatient-facilities-refes-2020.csv');
const OUT_FILE = path.join(here, 'hospitals.geojson');

/** The pack's service area, [minLon, minLat, maxLon, maxLat]: keep in step with city.json. */
const city = JSON.parse(fs.readFileSync(path.join(here, 'city.json'), 'utf8'));
const [minLon, minLat, maxLon, maxLat] = city.serviceArea;

const insideServiceArea = (lon, lat) =>
  lon >= minLon && lon <= maxLon && lat >= minLat && lat <= maxLat;

/** "CLINICA SAN NICOLAS" -> "Clinica San Nicolas", "(LA EMILIA)" -> "(La Emilia)"; mixed-case names are kept. */
function tidyName(name) {
  const text = name.trim().replace(/\s+/g, ' ');
  if (text !== text.toUpperCase()) return text;
  const small = new Set(['de', 'del', 'la', 'las', 'los', 'y', 'e']);
  return text
    .toLowerCase()
    .split(' ')
    .map((word, i) =>
      i > 0 && small.has(word)
        ? word
        : word.replace(/\p{L}/u, (letter) => letter.toUpperCase()),
    )
    .join(' ');
}

function pointFeature(lon, lat, properties) {
  return {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [lon, lat] },
    properties,
  };
}

// 1. Public establishments (provincial list of 21 July 2022): all of them.
//    Emergency: the hospital with inpatient beds ("mod" is "Con Internación")
//    and the municipal 24-hour centres ("24 horas" / "24 HS" in the name).

const publicSource = JSON.parse(fs.readFileSync(PUBLIC_FILE, 'utf8'));
const publicCodes = new Set();
const features = [];

for (const { properties: p, geometry } of publicSource.features) {
  const [lon, lat] = geometry.coordinates;
  const names = `${p.fna} ${p.gna} ${p.nor}`;
  const inpatient = p.mod === 'Con Internación';
  const open24h = /24\s*(horas|hs)/i.test(names);
  if (p.cnr !== null) publicCodes.add(String(Math.round(p.cnr)));

  const facts = [
    `Source: Buenos Aires province health ministry, public establishments, 2022-07-21 (id ${p.id}).`,
    `${p.cat}, ${p.tes}, ${p.mod}.`,
    `Address: ${p.dom}, ${tidyName(p.nba)}.`,
    'Position as published, not verified.',
  ];
  if (open24h && !inpatient) facts.push('24-hour guard, no inpatient beds.');
  if (!insideServiceArea(lon, lat)) facts.push('Outside the service area.');

  features.push(
    pointFeature(lon, lat, {
      id: `sn-${p.id}`,
      name: tidyName(p.nor),
      emergency: inpatient || open24h,
      note: facts.join(' '),
    }),
  );
}

// 2. Inpatient establishments of the REFES register (8 May 2020): only those
//    inside the service area (this drops the Villa Constitución and Ramallo
//    rows) and not already in the public list (Hospital San Felipe is in both,
//    with the same code). Emergency: the ones whose category includes
//    intensive care ("terapia intensiva"); low-risk ones, among them a home
//    hospitalisation service, are not ambulance destinations.

const lines = fs.readFileSync(REFES_FILE, 'utf8').split(/\r?\n/);
const headerAt = lines.findIndex((line) => line.startsWith('Código;'));
if (headerAt < 0) throw new Error(`${REFES_FILE}: no "Código;" header line`);
const header = lines[headerAt].split(';');
const column = (row, name) => {
  const i = header.indexOf(name);
  if (i < 0) throw new Error(`${REFES_FILE}: no column "${name}"`);
  return row[i];
};

for (const line of lines.slice(headerAt + 1)) {
  if (line.trim() === '') continue;
  const row = line.split(';');
  const code = column(row, 'Código');
  const lat = Number(column(row, 'Latitud'));
  const lon = Number(column(row, 'Longitud'));
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) continue;
  if (!insideServiceArea(lon, lat) || publicCodes.has(code)) continue;

  const category = column(row, 'Categoría de tipología');
  features.push(
    pointFeature(Number(lon.toFixed(7)), Number(lat.toFixed(7)), {
      id: `sn-refes-${code}`,
      name: tidyName(column(row, 'Nombre')),
      emergency: /terapia intensiva/i.test(category),
      note: [
        `Source: REFES/SISA register, 2020-05-08 (code ${code}).`,
        `${column(row, 'Dependencia')}, ${category}.`,
        `Address: ${column(row, 'Domicilio')}, ${tidyName(column(row, 'Localidad'))}.`,
        'Position as published, not verified.',
      ].join(' '),
    }),
  );
}

const collection = { type: 'FeatureCollection', features };
fs.writeFileSync(OUT_FILE, JSON.stringify(collection, null, 2) + '\n');

const emergency = features.filter((f) => f.properties.emergency).length;
console.log(`${OUT_FILE}: ${features.length} establishments, ${emergency} emergency`);

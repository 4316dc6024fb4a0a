/**
 * Encodes [lon, lat] positions in the Google encoded polyline format that
 * OSRM answers with by default (`precision` 5, or 6 for `polyline6`).
 */
export function encodePolyline(positions: number[][], precision = 5): string {
  const factor = 10 ** precision;
  let out = '';
  let lastLat = 0;
  let lastLon = 0;
  for (const [lon, lat] of positions) {
    const ilat = Math.round((lat as number) * factor);
    const ilon = Math.round((lon as number) * factor);
    out += encodeSigned(ilat - lastLat) + encodeSigned(ilon - lastLon);
    lastLat = ilat;
    lastLon = ilon;
  }
  return out;
}

function encodeSigned(value: number): string {
  let v = value < 0 ? ~(value << 1) : value << 1;
  let out = '';
  while (v >= 0x20) {
    out += String.fromCharCode((0x20 | (v & 0x1f)) + 63);
    v >>>= 5;
  }
  return out + String.fromCharCode(v + 63);
}

/** Decodes an encoded polyline back to [lon, lat] positions. */
export function decodePolyline(text: string, precision = 5): number[][] {
  const factor = 10 ** precision;
  const out: number[][] = [];
  let index = 0;
  let lat = 0;
  let lon = 0;
  const next = (): number => {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = text.charCodeAt(index++) - 63;
      result |= (byte & 0x1f) << shift;
      shift += 5;
    } while (byte >= 0x20);
    return result & 1 ? ~(result >> 1) : result >> 1;
  };
  while (index < text.length) {
    lat += next();
    lon += next();
    out.push([lon / factor, lat / factor]);
  }
  return out;
}

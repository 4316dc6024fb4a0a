/**
 * Seeded random streams. Every source of randomness in a simulation (call
 * arrivals, call places, on-scene times...) draws from its own stream,
 * seeded from the run's seed and the stream's name, so adding draws to one
 * source never shifts the numbers of another, and two scenarios run with
 * the same seed see the same calls (common random numbers).
 */

/** A stream of uniform numbers in [0, 1), with the draws built on it. */
export interface RandomStream {
  /** Uniform in [0, 1). */
  next(): number;
  /** Exponential with the given mean (same unit as the mean). */
  exponential(mean: number): number;
  /** Standard normal, by Box-Muller (one of the pair is dropped). */
  normal(): number;
}

/**
 * cyrb128-style string hash to four 32-bit words: spreads a short text
 * (seed and stream name) over the whole sfc32 state.
 */
function hash128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/**
 * The stream `name` of run `seed`: sfc32 (Chris Doty-Humphrey's small fast
 * counting generator, passes PractRand to 2^40+ bytes), pure integer
 * arithmetic, so every host gives the same numbers.
 */
export function randomStream(
  seed: number | string,
  name: string,
): RandomStream {
  let [a, b, c, d] = hash128(`${seed}\u0000${name}`);
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Discard the first outputs: sfc32 mixes its state in about a dozen steps.
  for (let i = 0; i < 15; i++) next();
  return {
    next,
    exponential(mean: number): number {
      // 1 - u is in (0, 1], so the logarithm is finite.
      return -mean * Math.log(1 - next());
    },
    normal(): number {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
}

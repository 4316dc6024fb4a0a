/** Draws from the scenario's time distributions. */
import type { RandomStream } from './random.ts';
import type { Distribution } from './scenario/types.ts';

/** z of the standard normal's 90th percentile. */
const Z90 = 1.2815515655446004;

/** A sampler of `d` over `stream`, in seconds (never negative). */
export function sampler(d: Distribution, stream: RandomStream): () => number {
  switch (d.distribution) {
    case 'fixed': {
      const s = d.seconds;
      return () => s;
    }
    case 'exponential': {
      const mean = d.meanSeconds;
      return () => stream.exponential(mean);
    }
    case 'uniform': {
      const { minSeconds, maxSeconds } = d;
      return () => minSeconds + (maxSeconds - minSeconds) * stream.next();
    }
    case 'lognormal': {
      const mu = Math.log(d.medianSeconds);
      const sigma = (Math.log(d.p90Seconds) - mu) / Z90;
      return () => Math.exp(mu + sigma * stream.normal());
    }
  }
}

/** The mean of `d`, seconds (for reports and offered-load estimates). */
export function meanOf(d: Distribution): number {
  switch (d.distribution) {
    case 'fixed':
      return d.seconds;
    case 'exponential':
      return d.meanSeconds;
    case 'uniform':
      return (d.minSeconds + d.maxSeconds) / 2;
    case 'lognormal': {
      const sigma = (Math.log(d.p90Seconds) - Math.log(d.medianSeconds)) / Z90;
      return d.medianSeconds * Math.exp((sigma * sigma) / 2);
    }
  }
}

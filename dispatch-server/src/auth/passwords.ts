import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

/**
 * scrypt, a memory-hard function: N = 2^15, r = 8 takes 32 MiB and about
 * 50-100 ms per hash here, which makes guessing on stolen hashes costly
 * while a login stays quick. Parameters are stored with each hash, so
 * they can be raised later without breaking stored passwords.
 */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;

/** Shortest password accepted for a new account. */
export const MIN_PASSWORD_LENGTH = 10;

/** `scrypt$N$r$p$salt$key` with base64url salt and key. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  const { N, r, p } = PARAMS;
  return ['scrypt', N, r, p, salt.toString('base64url'), key].join('$');
}

/** Whether `password` matches `stored`, compared in constant time. */
export async function verifyPassword(
  password: string,
  stored: string,
): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4] as string, 'base64url');
  const expected = Buffer.from(parts[5] as string, 'base64url');
  const actual = Buffer.from(
    await derive(password, salt, { N, r, p }),
    'base64url',
  );
  return (
    actual.length === expected.length &&
    crypto.timingSafeEqual(actual, expected)
  );
}

/**
 * A hash of a random password: verifying against it costs what a real
 * check costs, so an unknown username answers as slowly as a wrong
 * password and does not reveal which usernames exist.
 */
export const DUMMY_HASH_PROMISE: Promise<string> = hashPassword(
  crypto.randomBytes(16).toString('hex'),
);

/** A random password for generated accounts (admin on first start). */
export function generatePassword(): string {
  return crypto.randomBytes(18).toString('base64url');
}

async function derive(
  password: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<string> {
  const key = await scrypt(password.normalize('NFC'), salt, KEY_BYTES, {
    ...params,
    maxmem: 128 * params.N * params.r * 2,
  });
  return key.toString('base64url');
}

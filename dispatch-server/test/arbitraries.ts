/**
 * fast-check arbitraries for bad input, derived from the OpenAPI
 * document's schemas: values a schema accepts (roughly: patterns are
 * followed where fast-check can, ids and times are biased to ones that
 * exist), then near-valid variants with one or two members broken, and
 * plain junk (wrong types, huge and odd strings, numbers JSON cannot
 * hold, prototype-pollution keys, deep nesting, binary).
 */
import fc from 'fast-check';

import type { OpenApiDocument, Schema } from '../src/http/openapi.ts';

type Arb = fc.Arbitrary<unknown>;

/** What the generators bias towards: things that exist on the server. */
export interface Hints {
  /** [minLon, minLat, maxLon, maxLat] of the city. */
  serviceArea: readonly [number, number, number, number];
  unitIds: readonly number[];
  incidentIds: () => readonly number[];
}

const INSTANT_SOURCE =
  /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:?\d\d)$/.source;

/** Strings no field should choke on. */
export const oddStrings: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\t\n',
    '\u0000',
    'a\u0000b',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e999',
    '-0',
    '0x10',
    'null',
    'undefined',
    'true',
    '[]',
    '{}',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '\uD800',
    '\uDFFF\uD800',
    'e\u0301\u0301\u0301',
    '🚑🚑🚑',
    '\u202Eevil',
    '<script>alert(1)</script>',
    "'; DROP TABLE units; --",
    '%00',
    '%E0%A4%A',
    '../../etc/passwd',
    '2026-02-30T00:00:00Z',
    '2026-01-31T24:00:00Z',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '2026-01-31T14:05:00+99:99',
    '2026-01-31',
    '1970-01-01T00:00:00Z',
  ),
  fc.string({ maxLength: 40, unit: 'grapheme' }),
  fc.string({ maxLength: 20, unit: 'binary' }),
  // Past every length limit of the API (the longest is 1000), under the
  // body limit.
  fc
    .tuple(
      fc.constantFrom('x', 'é', '🚑', ' '),
      fc.integer({ min: 1001, max: 12_000 }),
    )
    .map(([ch, n]) => ch.repeat(n)),
);

/** Numbers at and past every limit, and ones a `real` column cannot hold. */
export const oddNumbers: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    0.5,
    1.5,
    91,
    -91,
    181,
    -181,
    999,
    2 ** 31,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 53,
    Number.MAX_SAFE_INTEGER + 2,
    1e308,
    -1e308,
    Number.MAX_VALUE,
    1e-300,
    5e-324,
    3.5e38,
    1e39,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** An object whose own keys are the ones prototype pollution uses. */
const pollution: Arb = fc.constantFrom(
  JSON.parse('{"__proto__":{"role":"admin","isAdmin":true}}'),
  JSON.parse('{"constructor":{"prototype":{"role":"admin"}}}'),
  JSON.parse('{"__proto__":null}'),
  JSON.parse('{"prototype":{}}'),
);

/**
 * Nesting deeper than JSON.stringify can write (it recurses; JSON.parse
 * does not): a marker string that {@link toJsonText} expands into
 * `[[[...]]]` or `{"a":{"a":...}}`. Elsewhere it is just an odd string.
 */
const deep: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('array', 'object'),
    fc.integer({ min: 100, max: 30_000 }),
  )
  .map(([kind, depth]) => `\u0001deep:${kind}:${depth}`);

/** JSON text of `value`, with the deep-nesting markers expanded. */
export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.replace(
    /"\\u0001deep:(array|object):(\d+)"/g,
    (_, kind: string, depth: string) => {
      const n = Number(depth);
      return kind === 'array'
        ? `${'['.repeat(n)}1${']'.repeat(n)}`
        : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    },
  );
}

/** Any bad value: wrong types, limits, odd strings, junk structures. */
export const junk: Arb = fc.oneof(
  { weight: 3, arbitrary: oddStrings },
  { weight: 3, arbitrary: oddNumbers },
  {
    weight: 1,
    arbitrary: fc.constantFrom(null, true, false, [], {}, [null], [[]]),
  },
  { weight: 2, arbitrary: fc.anything({ maxDepth: 3, maxKeys: 5 }) },
  { weight: 1, arbitrary: pollution },
  { weight: 1, arbitrary: deep },
);

/** Keys a body must not know, among them prototype pollution's. */
export const unknownKeys: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'unitId',
    'id',
    'role',
    'admin',
    'status ',
    'Status',
    '',
    ' ',
    '\u0000',
    '🚑',
  ),
  fc.string({ maxLength: 12 }),
);

/**
 * Values `schema` accepts, near enough: a pattern fast-check can follow
 * is followed; an ISO instant is a recent time; lat/lon fall inside the
 * service area; ids are mostly ones that exist.
 */
export function conforming(
  doc: OpenApiDocument,
  schema: Schema,
  hints: Hints,
  name = '',
): Arb {
  if (schema.$ref) {
    const ref = schema.$ref.replace('#/components/schemas/', '');
    const target = doc.components.schemas[ref];
    if (!target) throw new Error(`unresolved ${schema.$ref}`);
    return conforming(doc, target, hints, name);
  }
  if (schema.anyOf) {
    return fc.oneof(
      ...schema.anyOf.map((s) => conforming(doc, s, hints, name)),
    );
  }
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const types = Array.isArray(schema.type)
    ? schema.type
    : schema.type
      ? [schema.type]
      : ['object'];
  return fc.oneof(
    ...types.map((type) => typed(doc, schema, type as string, hints, name)),
  );
}

function typed(
  doc: OpenApiDocument,
  schema: Schema,
  type: string,
  hints: Hints,
  name: string,
): Arb {
  const [minLon, minLat, maxLon, maxLat] = hints.serviceArea;
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const any = fc.integer({
        min: schema.minimum ?? -(2 ** 31),
        max: schema.maximum ?? 2 ** 31 - 1,
      });
      if (name === 'unitId' && hints.unitIds.length > 0) {
        return fc.oneof(fc.constantFrom(...hints.unitIds), any);
      }
      if (name === 'incidentId') {
        return fc.oneof(
          fc.nat().map((i) => {
            const ids = hints.incidentIds();
            return ids.length > 0 ? ids[i % ids.length] : 1;
          }),
          any,
        );
      }
      return any;
    }
    case 'number':
      if (name === 'lat')
        return fc.double({ min: minLat, max: maxLat, noNaN: true });
      if (name === 'lon')
        return fc.double({ min: minLon, max: maxLon, noNaN: true });
      return fc.double({
        min: schema.minimum ?? -1e6,
        max: schema.maximum ?? 1e6,
        noNaN: true,
      });
    case 'string':
      if (schema.pattern === INSTANT_SOURCE) return recentInstant;
      if (schema.pattern && !schema.pattern.includes('\\u0000')) {
        return fc
          .stringMatching(new RegExp(schema.pattern))
          .filter((s) => s.length <= (schema.maxLength ?? 200));
      }
      return fc.string({
        minLength: Math.max(1, schema.minLength ?? 1),
        maxLength: Math.min(schema.maxLength ?? 40, 40),
      });
    case 'array':
      return fc.array(
        schema.items ? conforming(doc, schema.items, hints) : fc.anything(),
        {
          minLength: schema.minItems ?? 0,
          maxLength: Math.min(schema.maxItems ?? 4, 4),
        },
      );
    case 'object': {
      const properties = schema.properties ?? {};
      const record: Record<string, Arb> = {};
      for (const [key, child] of Object.entries(properties)) {
        record[key] = conforming(doc, child, hints, key);
      }
      return fc.record(record, {
        requiredKeys: [...(schema.required ?? [])].filter((k) => k in record),
      });
    }
    default:
      throw new Error(`no arbitrary for type ${type}`);
  }
}

/** ISO instants from a day ago to now, in `Z` or with an offset. */
const recentInstant: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 0, max: 86_400_000 }), fc.boolean())
  .map(([agoMs, offset]) => {
    const date = new Date(Date.now() - agoMs);
    if (!offset) return date.toISOString();
    const local = new Date(date.getTime() - 3 * 3600_000).toISOString();
    return `${local.slice(0, 19)}-03:00`;
  });

/** One way to break a body. */
type Mutation =
  | { kind: 'set'; key: string; value: unknown }
  | { kind: 'drop'; key: string }
  | { kind: 'add'; key: string; value: unknown };

/**
 * Bodies near `schema`: a conforming object with one or two members
 * broken (set to junk, dropped, or an unknown member added), or now and
 * then a conforming one, or junk as a whole.
 */
export function nearValid(
  doc: OpenApiDocument,
  schema: Schema,
  hints: Hints,
  keys: readonly string[],
): Arb {
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('set' as const),
        key: fc.constantFrom(...keys),
        value: junk,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('drop' as const),
        key: fc.constantFrom(...keys),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('add' as const),
        key: unknownKeys,
        value: junk,
      }),
    },
  );
  const broken = fc
    .tuple(
      conforming(doc, schema, hints),
      fc.array(mutation, { minLength: 1, maxLength: 2 }),
    )
    .map(([base, mutations]) => applyMutations(base, mutations));
  return fc.oneof(
    { weight: 8, arbitrary: broken },
    { weight: 1, arbitrary: conforming(doc, schema, hints) },
    { weight: 2, arbitrary: junk },
  );
}

function applyMutations(base: unknown, mutations: Mutation[]): unknown {
  // A batch's fixes are broken one at a time: mutate one fix of it.
  if (Array.isArray(base)) {
    if (base.length === 0) return base;
    const copy = [...base];
    copy[0] = applyMutations(copy[0], mutations);
    return copy;
  }
  if (typeof base !== 'object' || base === null) return base;
  const body = { ...(base as Record<string, unknown>) };
  if (Array.isArray(body.fixes)) {
    return { ...body, fixes: applyMutations(body.fixes, mutations) };
  }
  for (const m of mutations) {
    // defineProperty: `body.__proto__ = x` would set the prototype instead
    // of a member, and JSON would then leave it out.
    if (m.kind === 'drop') delete body[m.key];
    else {
      Object.defineProperty(body, m.key, {
        value: m.value,
        enumerable: true,
        configurable: true,
        writable: true,
      });
    }
  }
  return body;
}

/** Bodies that are not JSON: truncated, with NaN, trailing junk. */
export function malformedJson(valid: Arb): fc.Arbitrary<string> {
  return fc.oneof(
    fc.tuple(valid, fc.nat()).map(([body, cut]) => {
      const text = JSON.stringify(body) ?? 'null';
      return text.slice(0, cut % Math.max(1, text.length));
    }),
    fc.constantFrom(
      '{"lat": NaN, "lon": Infinity}',
      '{"priority": 1,}',
      "{'priority': 1}",
      '{"a":1}{"a":2}',
      '\uFEFF{"a":1}',
      '[',
      '"unterminated',
      '{"__proto__": }',
      '1e999999',
    ),
  );
}

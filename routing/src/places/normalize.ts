/**
 * Street-name normalisation for the place search: what a dispatcher types
 * under pressure ("av ipiranga", "R. dos Andradas", "calle mitre") must
 * find what OpenStreetMap spells out ("Avenida Ipiranga").
 */

/**
 * Abbreviations of street types and titles common in Brazilian and
 * Argentine street names, to the word OSM spells out. Applied to names
 * and queries alike, so an abbreviated name in the extract matches too.
 */
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  av: 'avenida',
  avda: 'avenida',
  avd: 'avenida',
  r: 'rua',
  cl: 'calle',
  cll: 'calle',
  tv: 'travessa',
  trav: 'travessa',
  al: 'alameda',
  pca: 'praca',
  pc: 'praca',
  pza: 'plaza',
  est: 'estrada',
  estr: 'estrada',
  rod: 'rodovia',
  lgo: 'largo',
  bc: 'beco',
  pje: 'pasaje',
  bv: 'boulevard',
  bvd: 'boulevard',
  dr: 'doutor',
  cel: 'coronel',
  gen: 'general',
  pres: 'presidente',
  eng: 'engenheiro',
  ing: 'ingeniero',
  prof: 'professor',
  sen: 'senador',
  des: 'desembargador',
  mal: 'marechal',
  gov: 'governador',
  dep: 'deputado',
  ten: 'tenente',
  cap: 'capitao',
  brig: 'brigadeiro',
  alm: 'almirante',
  sta: 'santa',
  sto: 'santo',
};

/**
 * Words that carry no meaning on their own: a query may leave them out
 * ("rua andradas" finds "Rua dos Andradas"), so they are not required.
 */
export const STOPWORDS: ReadonlySet<string> = new Set([
  'de',
  'da',
  'do',
  'das',
  'dos',
  'del',
  'la',
  'las',
  'los',
  'el',
]);

/**
 * Lower case, accents and cedillas removed (NFD, marks dropped), anything
 * but letters and digits a separator, abbreviations expanded.
 * @returns the words, in order; empty for text with no letter or digit
 */
export function nameTokens(text: string): string[] {
  const plain = text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  const tokens: string[] = [];
  for (const word of plain.split(/[^\p{L}\p{N}]+/u)) {
    if (word === '') continue;
    tokens.push(ABBREVIATIONS[word] ?? word);
  }
  return tokens;
}

/**
 * Words a query joins two streets with to ask for their crossing:
 * "Ipiranga & Azenha", "ipiranga y azenha", "A and B", "A com B",
 * "A e B", "A esquina B". Matched on the accent-free, lower-case text.
 */
const CROSSING_JOINER =
  /\s*[&/+]\s*|\s+(?:y|e|and|com|con|esq|esquina(?:\s+(?:com|con))?)\s+/g;

/**
 * Every way of cutting `query` into two streets at a crossing joiner,
 * first cut first. "a e b y c" gives ["a", "b y c"] and ["a e b", "c"]:
 * a joiner word may also be part of a name, so each cut is tried.
 */
export function crossingSplits(query: string): [string, string][] {
  const plain = query
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  const splits: [string, string][] = [];
  for (const match of plain.matchAll(CROSSING_JOINER)) {
    const at = match.index ?? 0;
    splits.push([
      plain.slice(0, at).trim(),
      plain.slice(at + match[0].length).trim(),
    ]);
  }
  return splits;
}

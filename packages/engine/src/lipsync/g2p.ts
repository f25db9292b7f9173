/**
 * English text → ARPAbet phones → visual classes, for the text-aware lip-sync path (research notes §2.2,
 * §6a). Words come from CMUdict (npm `cmu-pronouncing-dictionary`, ISC); unknown words go through small
 * letter-to-sound rules; numbers are spelled out; punctuation that ends a phrase becomes a pause.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type PhoneSegment } from './phone-classes.js';

/** Where a word's pronunciation came from. */
export type PronunciationSource = 'dictionary' | 'rules' | 'number';

/** One written word (or number) and its phones (ARPAbet, stress digits kept). */
export interface WordPronunciation {
  /** The token as written (without surrounding punctuation). */
  text: string;
  phones: string[];
  source: PronunciationSource;
  /** A phrase break (, . ; : ! ? …) follows this word. */
  pauseAfter: boolean;
}

/** ARPAbet (stress stripped) → visual segments (research notes §6a table; diphthongs split 60/40). */
const ARPABET: Readonly<Record<string, PhoneSegment[]>> = {
  P: [{ cls: 'PP', weight: 1 }],
  B: [{ cls: 'PP', weight: 1 }],
  M: [{ cls: 'PP', weight: 1 }],
  F: [{ cls: 'FF', weight: 1 }],
  V: [{ cls: 'FF', weight: 1 }],
  SH: [{ cls: 'CH', weight: 1 }],
  ZH: [{ cls: 'CH', weight: 1 }],
  CH: [{ cls: 'CH', weight: 1 }],
  JH: [{ cls: 'CH', weight: 1 }],
  T: [{ cls: 'TT', weight: 1 }],
  D: [{ cls: 'TT', weight: 1 }],
  N: [{ cls: 'TT', weight: 1 }],
  L: [{ cls: 'TT', weight: 1 }],
  S: [{ cls: 'TT', weight: 1 }],
  Z: [{ cls: 'TT', weight: 1 }],
  K: [{ cls: 'TT', weight: 1 }],
  G: [{ cls: 'TT', weight: 1 }],
  NG: [{ cls: 'TT', weight: 1 }],
  HH: [{ cls: 'TT', weight: 1 }],
  TH: [{ cls: 'TT', weight: 1 }],
  DH: [{ cls: 'TT', weight: 1 }],
  AA: [{ cls: 'AA', weight: 1 }],
  AE: [{ cls: 'AA', weight: 1 }],
  AH: [{ cls: 'AA', weight: 1 }],
  AY: [
    { cls: 'AA', weight: 0.6 },
    { cls: 'I', weight: 0.4 },
  ],
  AW: [
    { cls: 'AA', weight: 0.6 },
    { cls: 'OU', weight: 0.4 },
  ],
  EH: [{ cls: 'E', weight: 1 }],
  EY: [
    { cls: 'E', weight: 0.6 },
    { cls: 'I', weight: 0.4 },
  ],
  IY: [{ cls: 'I', weight: 1 }],
  IH: [{ cls: 'I', weight: 1 }],
  Y: [{ cls: 'I', weight: 1 }],
  AO: [{ cls: 'OU', weight: 1 }],
  OW: [{ cls: 'OU', weight: 1 }],
  UW: [{ cls: 'OU', weight: 1 }],
  UH: [{ cls: 'OU', weight: 1 }],
  W: [{ cls: 'OU', weight: 1 }],
  R: [{ cls: 'OU', weight: 1 }],
  ER: [{ cls: 'OU', weight: 1 }],
  OY: [
    { cls: 'OU', weight: 0.6 },
    { cls: 'I', weight: 0.4 },
  ],
};

const VOWELS = new Set([
  'AA',
  'AE',
  'AH',
  'AO',
  'AW',
  'AY',
  'EH',
  'ER',
  'EY',
  'IH',
  'IY',
  'OW',
  'OY',
  'UH',
  'UW',
]);

/** Whether an ARPAbet phone (with or without stress digit) is a vowel. */
export function isArpabetVowel(phone: string): boolean {
  return VOWELS.has(phone.replace(/[0-2]$/u, ''));
}

/**
 * Visual segments of one ARPAbet phone. Unstressed AH (AH0, schwa) is E, stressed AH is AA, as in the
 * §6a table; unknown phones are TT (the most common consonant class).
 */
export function arpabetSegments(phone: string): PhoneSegment[] {
  const base = phone.toUpperCase().replace(/[0-2]$/u, '');
  if (base === 'AH' && phone.endsWith('0')) return [{ cls: 'E', weight: 1 }];
  return (ARPABET[base] ?? [{ cls: 'TT', weight: 1 }]).map((s) => ({ ...s }));
}

/** The classes of a phone sequence with their duration weights, same-class neighbours merged. */
export function phonesToSegments(phones: readonly string[]): PhoneSegment[] {
  const out: PhoneSegment[] = [];
  for (const p of phones) {
    // Vowels last longer than consonants; a rough prior for proportional spreading.
    const scale = isArpabetVowel(p) ? 1.6 : 1;
    for (const seg of arpabetSegments(p)) {
      const last = out[out.length - 1];
      if (last && last.cls === seg.cls) last.weight += seg.weight * scale;
      else out.push({ cls: seg.cls, weight: seg.weight * scale });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Numbers

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

function below1000(n: number): string[] {
  const out: string[] = [];
  if (n >= 100) {
    out.push(ONES[Math.floor(n / 100)]!, 'hundred');
    n %= 100;
  }
  if (n >= 20) {
    out.push(TENS[Math.floor(n / 10)]!);
    n %= 10;
    if (n > 0) out.push(ONES[n]!);
  } else if (n > 0 || out.length === 0) out.push(ONES[n]!);
  return out;
}

/** A digit string spelled as English words: cardinals below a billion, digit by digit otherwise. */
export function spellNumber(digits: string): string[] {
  if (!/^\d+$/u.test(digits)) return [];
  if (digits.length > 9 || (digits.length > 1 && digits.startsWith('0')))
    return [...digits].map((d) => ONES[Number(d)]!);
  let n = Number(digits);
  if (n === 0) return ['zero'];
  const out: string[] = [];
  for (const [scale, name] of [
    [1e6, 'million'],
    [1e3, 'thousand'],
  ] as const) {
    if (n >= scale) {
      out.push(...below1000(Math.floor(n / scale)), name);
      n %= scale;
    }
  }
  if (n > 0) out.push(...below1000(n));
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Letter-to-sound rules (fallback for words not in CMUdict)

/** Grapheme rules, tried longest first at each position; `next`/`end` restrict the context. */
interface LtsRule {
  g: string;
  p: string[];
  /** Only if the following letter matches. */
  next?: RegExp;
  /** Only at the end of the word. */
  end?: boolean;
  /** Only at the start of the word. */
  start?: boolean;
}

const LTS: LtsRule[] = [
  { g: 'tch', p: ['CH'] },
  { g: 'sch', p: ['S', 'K'] },
  { g: 'igh', p: ['AY1'] },
  { g: 'ough', p: ['AO1'] },
  { g: 'tion', p: ['SH', 'AH0', 'N'] },
  { g: 'sion', p: ['ZH', 'AH0', 'N'] },
  { g: 'ture', p: ['CH', 'ER0'] },
  { g: 'eau', p: ['OW1'] },
  { g: 'augh', p: ['AO1'] },
  { g: 'th', p: ['TH'] },
  { g: 'sh', p: ['SH'] },
  { g: 'ch', p: ['CH'] },
  { g: 'ph', p: ['F'] },
  { g: 'wh', p: ['W'] },
  { g: 'ck', p: ['K'] },
  { g: 'ng', p: ['NG'] },
  { g: 'qu', p: ['K', 'W'] },
  { g: 'kn', p: ['N'], start: true },
  { g: 'wr', p: ['R'], start: true },
  { g: 'gh', p: [] },
  { g: 'dg', p: ['JH'] },
  { g: 'ee', p: ['IY1'] },
  { g: 'ea', p: ['IY1'] },
  { g: 'oo', p: ['UW1'] },
  { g: 'ai', p: ['EY1'] },
  { g: 'ay', p: ['EY1'] },
  { g: 'ei', p: ['EY1'] },
  { g: 'ey', p: ['IY0'], end: true },
  { g: 'ey', p: ['EY1'] },
  { g: 'oa', p: ['OW1'] },
  { g: 'oe', p: ['OW1'], end: true },
  { g: 'ow', p: ['OW1'] },
  { g: 'ou', p: ['AW1'] },
  { g: 'oi', p: ['OY1'] },
  { g: 'oy', p: ['OY1'] },
  { g: 'au', p: ['AO1'] },
  { g: 'aw', p: ['AO1'] },
  { g: 'ew', p: ['UW1'] },
  { g: 'ue', p: ['UW1'] },
  { g: 'ie', p: ['IY1'] },
  { g: 'ar', p: ['AA1', 'R'] },
  { g: 'or', p: ['AO1', 'R'] },
  { g: 'er', p: ['ER0'] },
  { g: 'ir', p: ['ER1'] },
  { g: 'ur', p: ['ER1'] },
  { g: 'c', p: ['S'], next: /[eiy]/u },
  { g: 'c', p: ['K'] },
  { g: 'g', p: ['JH'], next: /[eiy]/u },
  { g: 'g', p: ['G'] },
  { g: 'x', p: ['K', 'S'] },
  { g: 'y', p: ['Y'], start: true },
  { g: 'y', p: ['IY0'], end: true },
  { g: 'y', p: ['IH0'] },
  { g: 'e', p: [], end: true },
  { g: 'a', p: ['AE1'] },
  { g: 'e', p: ['EH1'] },
  { g: 'i', p: ['IH1'] },
  { g: 'o', p: ['AA1'] },
  { g: 'u', p: ['AH1'] },
  { g: 'b', p: ['B'] },
  { g: 'd', p: ['D'] },
  { g: 'f', p: ['F'] },
  { g: 'h', p: ['HH'] },
  { g: 'j', p: ['JH'] },
  { g: 'k', p: ['K'] },
  { g: 'l', p: ['L'] },
  { g: 'm', p: ['M'] },
  { g: 'n', p: ['N'] },
  { g: 'p', p: ['P'] },
  { g: 'q', p: ['K'] },
  { g: 'r', p: ['R'] },
  { g: 's', p: ['S'] },
  { g: 't', p: ['T'] },
  { g: 'v', p: ['V'] },
  { g: 'w', p: ['W'] },
  { g: 'z', p: ['Z'] },
].sort((a, b) => b.g.length - a.g.length);

/** Letter-to-sound rules for a lower-case word of letters; rough, but the classes are what matter. */
export function letterToSound(word: string): string[] {
  const w = word.toLowerCase().replace(/[^a-z]/gu, '');
  const out: string[] = [];
  let i = 0;
  while (i < w.length) {
    const rule = LTS.find(
      (r) =>
        w.startsWith(r.g, i) &&
        (!r.start || i === 0) &&
        (!r.end || (i + r.g.length === w.length && (r.g !== 'e' || i > 1))) &&
        (!r.next || r.next.test(w[i + r.g.length] ?? '')),
    );
    if (!rule) {
      i++;
      continue;
    }
    // Doubled consonants sound once ("ll", "ss", "tt").
    const last = out[out.length - 1];
    const p =
      last !== undefined && rule.p.length === 1 && rule.p[0] === last && !isArpabetVowel(last) ? [] : rule.p;
    out.push(...p);
    i += rule.g.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Text → words

let cmudict: Readonly<Record<string, string>> | null = null;

/**
 * CMUdict, read on first use. The package is one 4.7 MB object literal: importing it cost every process
 * that loads the engine 0.3–1 s of parsing (server start, `liveface render` without text, each test
 * file), for a path few of them take. Its body is JSON, which `JSON.parse` reads 2–5× faster.
 */
function dictionary(): Readonly<Record<string, string>> {
  if (cmudict) return cmudict;
  const source = readFileSync(createRequire(import.meta.url).resolve('cmu-pronouncing-dictionary'), 'utf8');
  const body = source.slice(source.indexOf('{', source.indexOf('dictionary =')), source.lastIndexOf('}') + 1);
  cmudict = JSON.parse(body) as Record<string, string>;
  return cmudict;
}

/** CMUdict phones of a lower-case word, or undefined. */
export function lookupWord(word: string): string[] | undefined {
  const dict = dictionary();
  const key = word.toLowerCase();
  return Object.hasOwn(dict, key) ? dict[key]!.split(' ') : undefined;
}

const PHRASE_BREAK = /[,.;:!?…—–()"]/u;

/** Phones of one token (a word, a number, a hyphenated compound), with where they came from. */
function pronounceToken(token: string): { phones: string[]; source: PronunciationSource } {
  const t = token.toLowerCase().replace(/[’‘]/gu, "'");
  const dict = lookupWord(t);
  if (dict) return { phones: dict, source: 'dictionary' };
  const num = /^(\d+)(?:[.,](\d+))?(?:st|nd|rd|th|s)?$/u.exec(t.replace(/,(?=\d{3}\b)/gu, ''));
  if (num) {
    const words = [
      ...spellNumber(num[1]!),
      ...(num[2] ? ['point', ...[...num[2]].map((d) => ONES[Number(d)]!)] : []),
    ];
    return { phones: words.flatMap((w) => lookupWord(w) ?? []), source: 'number' };
  }
  // Compounds and contractions: pronounce the parts if the dictionary knows them.
  const parts = t.split(/[-_/]+/u).filter((p) => p !== '');
  if (parts.length > 1) {
    const ps = parts.map(pronounceToken);
    return {
      phones: ps.flatMap((p) => p.phones),
      source: ps.every((p) => p.source === 'dictionary') ? 'dictionary' : 'rules',
    };
  }
  const stem = t.replace(/'s$/u, '');
  if (stem !== t && lookupWord(stem)) return { phones: [...lookupWord(stem)!, 'Z'], source: 'dictionary' };
  return { phones: letterToSound(t), source: 'rules' };
}

/**
 * Splits one written word (as a TTS provider reports it, possibly with punctuation) into
 * pronunciations. Usually one; a number or a compound may give several tokens' phones merged into one.
 */
export function pronounceWord(written: string): WordPronunciation | null {
  const core = written.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
  const trailing = written.slice(written.lastIndexOf(core) + core.length);
  const pauseAfter = PHRASE_BREAK.test(trailing) || (core === '' && PHRASE_BREAK.test(written));
  if (core === '') return pauseAfter ? { text: '', phones: [], source: 'rules', pauseAfter } : null;
  const { phones, source } = pronounceToken(core);
  return { text: core, phones, source, pauseAfter };
}

/** Text → words with phones; whitespace separates words, phrase punctuation marks pauses. */
export function textToPronunciations(text: string): WordPronunciation[] {
  const out: WordPronunciation[] = [];
  for (const tok of text.split(/\s+/u)) {
    if (tok === '') continue;
    const w = pronounceWord(tok);
    if (!w) continue;
    if (w.text === '') {
      const last = out[out.length - 1];
      if (last) last.pauseAfter = true;
      continue;
    }
    out.push(w);
  }
  return out;
}

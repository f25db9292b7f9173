/**
 * IPA phones → the 9 visual classes (lipsync research notes §3.3 / §6a). Used to build ground truth from
 * espeak-ng phoneme events and, later, by the text-aware path. Pure data, no synthesiser here.
 */
import { VISEME_CLASSES, type VisemeClass } from '../types.js';

/** Openness target of each class, in VISEME_CLASSES order (research notes §3.3). */
export const CLASS_OPENNESS: Readonly<Record<VisemeClass, number>> = {
  SIL: 0,
  PP: 0,
  FF: 0.1,
  CH: 0.25,
  TT: 0.25,
  AA: 1,
  E: 0.65,
  I: 0.4,
  OU: 0.5,
};

/** Index of each class in VISEME_CLASSES (posterior order). */
export const CLASS_INDEX: Readonly<Record<VisemeClass, number>> = Object.fromEntries(
  VISEME_CLASSES.map((c, i) => [c, i]),
) as Record<VisemeClass, number>;

/** One visual piece of a phone: its class and its share of the phone's duration. */
export interface PhoneSegment {
  cls: VisemeClass;
  weight: number;
}

// Longest units first so "tʃ" wins over "t", "aɪ" over "a". Diphthongs split 60/40 (§6a, text path)
// because the mouth visibly moves from the first target to the second.
const UNITS: ReadonlyArray<readonly [string, PhoneSegment[]]> = [
  ['tʃ', [{ cls: 'CH', weight: 0.5 }]],
  ['dʒ', [{ cls: 'CH', weight: 0.5 }]],
  [
    'aɪ',
    [
      { cls: 'AA', weight: 0.6 },
      { cls: 'I', weight: 0.4 },
    ],
  ],
  [
    'aʊ',
    [
      { cls: 'AA', weight: 0.6 },
      { cls: 'OU', weight: 0.4 },
    ],
  ],
  [
    'eɪ',
    [
      { cls: 'E', weight: 0.6 },
      { cls: 'I', weight: 0.4 },
    ],
  ],
  [
    'ɔɪ',
    [
      { cls: 'OU', weight: 0.6 },
      { cls: 'I', weight: 0.4 },
    ],
  ],
  ['oʊ', [{ cls: 'OU', weight: 1 }]],
  [
    'əl',
    [
      { cls: 'E', weight: 0.5 },
      { cls: 'TT', weight: 0.5 },
    ],
  ],
];

const SINGLE: Readonly<Record<string, VisemeClass>> = {
  p: 'PP',
  b: 'PP',
  m: 'PP',
  f: 'FF',
  v: 'FF',
  ʃ: 'CH',
  ʒ: 'CH',
  t: 'TT',
  d: 'TT',
  n: 'TT',
  l: 'TT',
  s: 'TT',
  z: 'TT',
  k: 'TT',
  g: 'TT',
  ɡ: 'TT',
  ŋ: 'TT',
  h: 'TT',
  θ: 'TT',
  ð: 'TT',
  ɾ: 'TT',
  ʔ: 'TT',
  x: 'TT',
  ɬ: 'TT',
  a: 'AA',
  ɑ: 'AA',
  æ: 'AA',
  ʌ: 'AA',
  ɐ: 'AA',
  ɒ: 'OU',
  ɛ: 'E',
  e: 'E',
  ə: 'E',
  ᵻ: 'E',
  ɜ: 'OU',
  ɘ: 'E',
  i: 'I',
  ɪ: 'I',
  j: 'I',
  y: 'I',
  o: 'OU',
  ɔ: 'OU',
  u: 'OU',
  ʊ: 'OU',
  w: 'OU',
  ɹ: 'OU',
  r: 'OU',
  ɚ: 'OU',
  ɝ: 'OU',
};

// Stress, length and the syllabic mark (U+0329, a combining character) do not change the mouth shape.
const IGNORED = /ˈ|ˌ|ː|ˑ|\u0329|\.|-/gu;

/**
 * Splits one espeak-ng IPA phoneme id (e.g. "ˈaɪɚ", "ɔːɹ", "tʃ") into visual segments with duration
 * weights; an empty id (a pause) is SIL. Unknown symbols are dropped; an id of only unknowns is TT.
 */
export function phoneSegments(ipa: string): PhoneSegment[] {
  const s = ipa.replace(IGNORED, '');
  if (s === '' || s === '_') return [{ cls: 'SIL', weight: 1 }];
  const out: PhoneSegment[] = [];
  let i = 0;
  outer: while (i < s.length) {
    for (const [unit, segs] of UNITS) {
      if (s.startsWith(unit, i)) {
        out.push(...segs);
        i += unit.length;
        continue outer;
      }
    }
    const ch = s[i]!;
    const cls = SINGLE[ch];
    // Inside a compound id like "ɑːɹ" the r is a short offglide, not half of the phone.
    if (cls) out.push({ cls, weight: ch === 'ɹ' ? 0.5 : 1 });
    i += 1;
  }
  if (out.length === 0) return [{ cls: 'TT', weight: 1 }];
  // Merge neighbours of the same class (e.g. "ɔːɹ" → one OU).
  const merged: PhoneSegment[] = [];
  for (const seg of out) {
    const last = merged[merged.length - 1];
    if (last && last.cls === seg.cls) last.weight += seg.weight;
    else merged.push({ ...seg });
  }
  return merged;
}

/** Whether the phone is a stop or affricate, whose espeak event marks the burst, not the closure. */
export function isStop(ipa: string): boolean {
  const s = ipa.replace(IGNORED, '');
  return /^(p|b|t|d|k|g|ɡ|tʃ|dʒ)$/u.test(s);
}

import { describe, expect, it } from 'vitest';
import { NEUTRAL_MOUTH, VISEME_CLASSES, type MouthParams, type VisemeClass } from '../types.js';
import { VISEME_TEMPLATES } from '../visemes.js';
import {
  ARKIT_MOUTH_SHAPES,
  OCULUS_VISEMES,
  toArkitBlendshapes,
  toOculusVisemes,
  toRhubarbShape,
} from './exporters.js';
import { phoneSegments } from './phone-classes.js';

const oneHot = (c: VisemeClass): Float32Array => {
  const p = new Float32Array(VISEME_CLASSES.length);
  p[VISEME_CLASSES.indexOf(c)] = 1;
  return p;
};

describe('exporters', () => {
  it('Oculus-15 weights sum to 1 and keep the class', () => {
    let s = 3;
    for (let n = 0; n < 50; n++) {
      const p = Float32Array.from(VISEME_CLASSES, () => ((s = (s * 16807) % 2147483647), s / 2147483647));
      const sum = p.reduce((a, b) => a + b, 0);
      p.forEach((v, i) => (p[i] = v / sum));
      const o = toOculusVisemes(p);
      expect(Object.keys(o)).toEqual([...OCULUS_VISEMES]);
      expect(Object.values(o).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      for (const v of Object.values(o)) expect(v).toBeGreaterThanOrEqual(0);
    }
    expect(toOculusVisemes(oneHot('PP')).PP).toBe(1);
    expect(toOculusVisemes(oneHot('AA')).aa).toBe(1);
    expect(toOculusVisemes(oneHot('SIL')).sil).toBe(1);
  });

  it('ARKit blendshapes stay in 0..1 and follow the params', () => {
    for (const c of VISEME_CLASSES) {
      const b = toArkitBlendshapes(VISEME_TEMPLATES[c]);
      expect(Object.keys(b).sort()).toEqual([...ARKIT_MOUTH_SHAPES].sort());
      for (const v of Object.values(b)) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
    const extreme: MouthParams = {
      jawOpen: 1,
      lipRound: 1,
      lipSpread: 1,
      lipClose: 1,
      lowerLipTuck: 1,
      tongueUp: 1,
      teethShow: 1,
    };
    for (const v of Object.values(toArkitBlendshapes(extreme))) expect(v).toBeLessThanOrEqual(1);
    expect(toArkitBlendshapes(VISEME_TEMPLATES.AA).jawOpen).toBe(1);
    expect(toArkitBlendshapes(VISEME_TEMPLATES.OU).mouthPucker).toBeGreaterThan(0.5);
    expect(toArkitBlendshapes(VISEME_TEMPLATES.PP).mouthPressLeft).toBeGreaterThan(0.5);
    expect(toArkitBlendshapes(VISEME_TEMPLATES.FF).mouthRollLower).toBe(1);
    expect(toArkitBlendshapes(NEUTRAL_MOUTH).jawOpen).toBe(0);
  });

  it('Rhubarb shapes follow the §6a table', () => {
    const shape = (c: VisemeClass): string =>
      toRhubarbShape({ params: VISEME_TEMPLATES[c], posterior: oneHot(c) });
    expect(VISEME_CLASSES.map(shape)).toEqual(['X', 'A', 'G', 'B', 'B', 'D', 'C', 'B', 'F']);
    // A held closure wins even when the posterior has moved on.
    expect(toRhubarbShape({ params: { ...NEUTRAL_MOUTH, lipClose: 1 }, posterior: oneHot('AA') })).toBe('A');
  });
});

describe('phoneSegments', () => {
  it('maps espeak IPA ids to classes, splitting diphthongs 60/40', () => {
    expect(phoneSegments('')).toEqual([{ cls: 'SIL', weight: 1 }]);
    expect(phoneSegments('m')[0]!.cls).toBe('PP');
    expect(phoneSegments('tʃ')[0]!.cls).toBe('CH');
    expect(phoneSegments('ˈaɪ')).toEqual([
      { cls: 'AA', weight: 0.6 },
      { cls: 'I', weight: 0.4 },
    ]);
    expect(phoneSegments('ˈɔːɹ').map((s) => s.cls)).toEqual(['OU']);
    expect(phoneSegments('ˈɑːɹ').map((s) => s.cls)).toEqual(['AA', 'OU']);
    expect(phoneSegments('ɡ')[0]!.cls).toBe('TT');
  });
});

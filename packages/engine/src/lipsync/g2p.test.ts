import { describe, expect, it } from 'vitest';
import {
  arpabetSegments,
  letterToSound,
  phonesToSegments,
  pronounceWord,
  spellNumber,
  textToPronunciations,
} from './g2p.js';

describe('g2p', () => {
  it('looks known words up in CMUdict', () => {
    expect(pronounceWord('Hello')).toEqual({
      text: 'Hello',
      phones: ['HH', 'AH0', 'L', 'OW1'],
      source: 'dictionary',
      pauseAfter: false,
    });
    expect(pronounceWord("don't")?.phones).toEqual(['D', 'OW1', 'N', 'T']);
    expect(pronounceWord('world,')).toMatchObject({ text: 'world', source: 'dictionary', pauseAfter: true });
  });

  it('falls back to letter-to-sound rules for unknown words', () => {
    const w = pronounceWord('blorptastic');
    expect(w?.source).toBe('rules');
    expect(w?.phones.slice(0, 4)).toEqual(['B', 'L', 'AO1', 'R']);
    expect(w?.phones).toContain('P');
    expect(letterToSound('shmibble')).toEqual(['SH', 'M', 'IH1', 'B', 'L']);
    expect(letterToSound('quatch')).toEqual(['K', 'W', 'AE1', 'CH']);
    expect(letterToSound('cyber')).toEqual(['S', 'IH0', 'B', 'ER0']);
  });

  it('spells numbers out', () => {
    expect(spellNumber('42')).toEqual(['forty', 'two']);
    expect(spellNumber('1905')).toEqual(['one', 'thousand', 'nine', 'hundred', 'five']);
    expect(spellNumber('007')).toEqual(['zero', 'zero', 'seven']);
    const n = pronounceWord('42');
    expect(n?.source).toBe('number');
    expect(n?.phones).toEqual(['F', 'AO1', 'R', 'T', 'IY0', 'T', 'UW1']);
    expect(pronounceWord('3.5')?.phones.length).toBeGreaterThan(6);
  });

  it('turns punctuation into pauses and skips bare punctuation', () => {
    const ws = textToPronunciations('Stop! Well — maybe, "yes".');
    expect(ws.map((w) => w.text)).toEqual(['Stop', 'Well', 'maybe', 'yes']);
    expect(ws.map((w) => w.pauseAfter)).toEqual([true, true, true, true]);
  });

  it('maps ARPAbet to the 9 visual classes', () => {
    expect(arpabetSegments('M').map((s) => s.cls)).toEqual(['PP']);
    expect(arpabetSegments('AH1').map((s) => s.cls)).toEqual(['AA']);
    expect(arpabetSegments('AH0').map((s) => s.cls)).toEqual(['E']);
    expect(arpabetSegments('AY1').map((s) => s.cls)).toEqual(['AA', 'I']);
    expect(arpabetSegments('W').map((s) => s.cls)).toEqual(['OU']);
    // "bomb": PP AA PP; "mom" the same; neighbours of one class merge ("mb" in "number" is one PP).
    expect(phonesToSegments(['B', 'AA1', 'M']).map((s) => s.cls)).toEqual(['PP', 'AA', 'PP']);
    expect(phonesToSegments(pronounceWord('number')!.phones).map((s) => s.cls)).toEqual([
      'TT',
      'AA',
      'PP',
      'OU',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { SentenceSplitter, splitSentences } from './sentence-splitter.js';

/** Splits `text` fed as one delta per character, then checks every other chunking gives the same. */
function split(text: string): string[] {
  const s = new SentenceSplitter();
  const perChar = [...[...text].flatMap((c) => s.push(c)), ...s.flush()];
  const whole = [...s.push(text), ...s.flush()];
  expect(whole).toEqual(perChar);
  for (let seed = 1; seed <= 5; seed++) {
    const out: string[] = [];
    let i = 0;
    let r = seed;
    while (i < text.length) {
      r = (r * 1103515245 + 12345) % 2 ** 31;
      const n = 1 + (r % 7);
      out.push(...s.push(text.slice(i, i + n)));
      i += n;
    }
    out.push(...s.flush());
    expect(out).toEqual(perChar);
  }
  return perChar;
}

describe('SentenceSplitter', () => {
  it('splits on . ! ? and keeps closing quotes with their sentence', () => {
    expect(split('Hello there! How are you? I am "fine." Thanks.')).toEqual([
      'Hello there!',
      'How are you?',
      'I am "fine."',
      'Thanks.',
    ]);
  });

  it('keeps decimals, versions, URLs and dotted abbreviations inside sentences', () => {
    expect(split('It costs 3.5 dollars at example.com today. Node 20.19 works, e.g. on Linux. Done')).toEqual(
      ['It costs 3.5 dollars at example.com today.', 'Node 20.19 works, e.g. on Linux.', 'Done'],
    );
  });

  it('does not split after titles, initials, No. before a number, or list markers', () => {
    expect(
      split(
        'Dr. Smith met Mr. J. R. R. Tolkien at St. Paul. Room No. 5 is free. No. I refuse.\n1. Preheat the oven. 2. Bake.',
      ),
    ).toEqual([
      'Dr. Smith met Mr. J. R. R. Tolkien at St. Paul.',
      'Room No. 5 is free.',
      'No.',
      'I refuse.',
      '1. Preheat the oven.',
      '2. Bake.',
    ]);
  });

  it('lets a lower-case continuation keep the sentence open, and the pronoun I end one', () => {
    expect(split('Well... maybe not. So do I. Then we go.')).toEqual([
      'Well... maybe not.',
      'So do I.',
      'Then we go.',
    ]);
  });

  it('treats newlines as ends (list items) and drops pieces with nothing to say', () => {
    expect(split('Options:\n- red\n- blue\n\n...\nok')).toEqual(['Options:', '- red', '- blue', 'ok']);
  });

  it('splits CJK sentences without spaces', () => {
    expect(split('你好。今天天气很好！是吗？')).toEqual(['你好。', '今天天气很好！', '是吗？']);
  });

  it('emits a sentence as soon as the next word starts, not at the end of the stream', () => {
    const s = new SentenceSplitter();
    expect(s.push('The first sentence is here.')).toEqual([]);
    expect(s.push(' The')).toEqual(['The first sentence is here.']);
    expect(s.push(' second!')).toEqual([]);
    expect(s.push(' ')).toEqual(['The second!']);
    expect(s.flush()).toEqual([]);
  });

  it('cuts a run-on sentence at a clause break before maxChars', () => {
    const s = new SentenceSplitter({ maxChars: 40 });
    const out = [...s.push('This goes on and on, and it keeps going without any end in sight'), ...s.flush()];
    expect(out[0]).toBe('This goes on and on,');
    expect(out.every((x) => x.length <= 40)).toBe(true);
    expect(out.join(' ')).toBe('This goes on and on, and it keeps going without any end in sight');
  });

  it('reset() forgets an interrupted answer', () => {
    const s = new SentenceSplitter();
    s.push('Half a sent');
    s.reset();
    expect([...s.push('New one. '), ...s.flush()]).toEqual(['New one.']);
  });

  it('splitSentences re-chunks an async stream of deltas', async () => {
    async function* deltas() {
      for (const d of ['Hi', ' there.', ' Second', ' one', '? Last']) yield await Promise.resolve(d);
    }
    const out: string[] = [];
    for await (const s of splitSentences(deltas())) out.push(s);
    expect(out).toEqual(['Hi there.', 'Second one?', 'Last']);
  });
});

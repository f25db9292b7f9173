/**
 * Splits a streamed LLM answer into sentences as soon as each one ends, so the first sentence can be
 * spoken while the rest is still being generated. Sans-IO: `push(delta) → sentences`, `flush()`.
 *
 * A sentence ends at `.`, `!`, `?` or `…` (plus closing quotes/brackets) followed by whitespace, at a
 * CJK `。！？`, or at a newline (list items, paragraphs). A `.` does not end one when the next word
 * starts in lower case (`e.g. this`, `Well... maybe`), after a title or common abbreviation (`Dr.`,
 * `Mr.`, `vs.`, `e.g.`), after an initial (`J. R. R. Tolkien`), in a numbered-list marker (`1. `), or
 * inside a number (`3.5`, no space follows). Deciding needs the first character after the space, so a
 * sentence comes out when the next word starts arriving; `flush()` releases the rest at the end.
 */

/** Options of SentenceSplitter. */
export interface SentenceSplitterOptions {
  /**
   * Longest piece handed out without a sentence end: a run-on sentence is cut at its last clause break
   * (`, ; : —`) or space before this many characters, so speech never waits for a very long sentence.
   * Default 300.
   */
  maxChars?: number;
}

const TERMINATORS = '.!?…。！？';
const CJK_TERMINATORS = '。！？';
const CLOSERS = `"'”’)]}»」』`;
/** Words that a `.` never ends a sentence after (lower case, without the final dot). */
// prettier-ignore -- a word list reads better packed than one word per line
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'mx',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'mt',
  'ft',
  'vs',
  'cf',
  'approx',
  'dept',
  'e.g',
  'i.e',
  'eg',
  'ie',
  'viz',
  'gen',
  'col',
  'lt',
  'sgt',
  'capt',
  'cmdr',
  'adm',
  'gov',
  'sen',
  'rep',
  'rev',
  'hon',
  'fig',
  'figs',
  'inc',
  'ltd',
  'co',
  'corp',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
]);
/** Abbreviations that only hold before a number (`No. 5`, `p. 12`); otherwise they may end a sentence. */
const BEFORE_NUMBER = new Set(['no', 'nos', 'nr', 'p', 'pp', 'vol', 'ch', 'art', 'sec', 'op', 'tel']);

const isSpace = (c: string | undefined) => c !== undefined && /\s/u.test(c);
const isLower = (c: string | undefined) => c !== undefined && /\p{Ll}/u.test(c);
const isDigit = (c: string | undefined) => c !== undefined && /\p{Nd}/u.test(c);
const speakable = (s: string) => /[\p{L}\p{N}]/u.test(s);

/** Sentence splitter for streamed text. */
export class SentenceSplitter {
  private buf = '';
  /** Where the next boundary search starts (text before it has no undecided boundary). */
  private scan = 0;
  private readonly maxChars: number;

  constructor(options: SentenceSplitterOptions = {}) {
    this.maxChars = Math.max(20, options.maxChars ?? 300);
  }

  /** Adds a delta; returns the sentences it completed. */
  push(delta: string): string[] {
    this.buf += delta;
    return this.drain(false);
  }

  /** Returns what remains (the end of the answer) as the last sentences and resets. */
  flush(): string[] {
    const out = this.drain(true);
    this.reset();
    return out;
  }

  /** Forgets buffered text (e.g. the turn was interrupted). */
  reset(): void {
    this.buf = '';
    this.scan = 0;
  }

  private drain(final: boolean): string[] {
    const out: string[] = [];
    const emit = (end: number, resume: number) => {
      const sentence = this.buf.slice(0, end).trim();
      if (speakable(sentence)) out.push(sentence);
      this.buf = this.buf.slice(resume);
      this.scan = 0;
    };
    for (;;) {
      const cut = this.nextBoundary(final);
      if (cut === 'wait') break;
      if (cut) {
        emit(cut.end, cut.resume);
        continue;
      }
      this.scan = this.buf.length;
      if (this.buf.length <= this.maxChars) break;
      const end = this.runOnCut();
      emit(end, end);
    }
    if (final) {
      const rest = this.buf.trim();
      if (speakable(rest)) out.push(rest);
      this.reset();
    }
    return out;
  }

  /** The first boundary after `scan`: where the sentence ends and where the next one starts. */
  private nextBoundary(final: boolean): { end: number; resume: number } | 'wait' | null {
    const b = this.buf;
    for (let i = this.scan; i < b.length; i++) {
      const c = b[i]!;
      if (c === '\n') return { end: i, resume: i + 1 };
      if (!TERMINATORS.includes(c)) continue;
      let j = i + 1;
      while (j < b.length && TERMINATORS.includes(b[j]!)) j++;
      while (j < b.length && CLOSERS.includes(b[j]!)) j++;
      if (j >= b.length) {
        if (!final) {
          this.scan = i;
          return 'wait';
        }
        return { end: j, resume: j };
      }
      if (CJK_TERMINATORS.includes(b[j - 1]!) || CJK_TERMINATORS.includes(c)) return { end: j, resume: j };
      if (!isSpace(b[j])) {
        i = j - 1; // `3.5`, `example.com`, `e.g.,`: not an end
        continue;
      }
      let k = j;
      while (k < b.length && isSpace(b[k]) && b[k] !== '\n') k++;
      // `!` and `?` end a sentence whatever follows: no need to wait for the next word.
      if (/[!?]/u.test(b.slice(i, j))) return { end: j, resume: k };
      if (k >= b.length && !final) {
        this.scan = i;
        return 'wait';
      }
      if (this.endsSentence(i, j, b[k])) return { end: j, resume: k };
      i = j - 1;
    }
    return null;
  }

  /** Whether the terminators at [i, j) end a sentence, given the next visible character. */
  private endsSentence(i: number, j: number, next: string | undefined): boolean {
    const run = this.buf.slice(i, j);
    if (/[!?！？]/u.test(run)) return true;
    if (next === undefined || next === '\n') return true;
    if (isLower(next)) return false;
    let s = i;
    while (s > 0 && /[\p{L}\p{N}.’'-]/u.test(this.buf[s - 1]!)) s--;
    const word = this.buf.slice(s, i);
    const lower = word.toLowerCase();
    if (!run.startsWith('..') && run[0] !== '…') {
      if (ABBREVIATIONS.has(lower)) return false;
      if (BEFORE_NUMBER.has(lower) && isDigit(next)) return false;
      // An initial (`J. R. R. Tolkien`); a lone `I` is the pronoun and may end a sentence.
      if (/^\p{Lu}$/u.test(word) && word !== 'I') return false;
      // A numbered-list marker at the start of the text (`1. Preheat the oven.`).
      if (/^\d{1,3}$/u.test(word) && this.buf.slice(0, s).trim() === '') return false;
    }
    return true;
  }

  /** Where to cut a run-on sentence longer than maxChars: last clause break, else last space. */
  private runOnCut(): number {
    const head = this.buf.slice(0, this.maxChars);
    const clause = Math.max(
      head.lastIndexOf(', '),
      head.lastIndexOf('; '),
      head.lastIndexOf(': '),
      head.lastIndexOf(' — '),
    );
    if (clause > this.maxChars / 3) return clause + 1;
    const space = head.lastIndexOf(' ');
    return space > 0 ? space : this.maxChars;
  }
}

/** Re-chunks a stream of text deltas into sentences (see SentenceSplitter). */
export async function* splitSentences(
  deltas: AsyncIterable<string>,
  options: SentenceSplitterOptions = {},
): AsyncGenerator<string, void, undefined> {
  const splitter = new SentenceSplitter(options);
  for await (const delta of deltas) yield* splitter.push(delta);
  yield* splitter.flush();
}

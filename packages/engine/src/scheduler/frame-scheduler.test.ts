import { describe, expect, it } from 'vitest';
import { isClosedMouth } from '../lipsync/exporters.js';
import { LipSync } from '../lipsync/lip-sync.js';
import { TextLipSync, type TimedWord } from '../lipsync/text-lip-sync.js';
import type { MouthFrame } from '../types.js';
import { createAvatarPipeline } from './pipeline.js';
import { ANALYSIS_MARGIN_MS, type AvFrame, type MouthEstimator } from './frame-scheduler.js';
import { LEAD_IN_MS, withLeadIn } from './lead-in.js';

const RATE = 24_000;
/** A vowel-like sound: 120 Hz voice with energy near 700 and 1200 Hz, in syllables of `onMs` with `offMs` gaps. */
function syllables(totalMs: number, onMs = 240, offMs = 160): Int16Array {
  const n = (totalMs * RATE) / 1000;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const tMs = (i * 1000) / RATE;
    const inSyllable = tMs % (onMs + offMs) < onMs;
    if (!inSyllable) continue;
    let v = 0;
    for (let h = 1; h <= 20; h++) {
      const f = 120 * h;
      const gain = Math.exp(-(((f - 700) / 250) ** 2)) + 0.6 * Math.exp(-(((f - 1200) / 300) ** 2)) + 0.05;
      v += gain * Math.sin((2 * Math.PI * f * i) / RATE);
    }
    out[i] = Math.round(v * 6000);
  }
  return out;
}
function run(s: ReturnType<typeof createAvatarPipeline>, n: number): AvFrame[] {
  return Array.from({ length: n }, () => {
    const f = s.tick();
    return { ...f, video: f.video ? f.video.slice() : null, audio: f.audio.slice() };
  });
}
/** Mean absolute difference of two RGBA frames. */
const diff = (a: Uint8Array, b: Uint8Array) => {
  let sum = 0;
  for (let i = 0; i < a.length; i += 16) sum += Math.abs(a[i]! - b[i]!);
  return sum / (a.length / 16);
};

describe('FrameScheduler with the real lip-sync, animator and renderer', () => {
  it('pairs each audio slice with the video frame of the same time, mouth moving with speech', () => {
    const s = createAvatarPipeline({
      avatarId: 'dd73ea75-1218-4ef3-92ce-606d5f7fbc0a',
      quality: 'low',
      seed: 7,
    });
    const speech = syllables(2000);
    s.append(speech, 'u1');
    s.commit();
    const frames = run(s, 70);
    frames.forEach((f, i) => {
      expect(f.ptsMs).toBe(i * 40);
      expect(f.audio.length).toBe(960);
      expect(f.video!.length).toBe(640 * 360 * 4);
    });
    // Audio comes out intact and in order.
    const played = frames.flatMap((f) => Array.from(f.audio.subarray(0, f.speechSamples)));
    expect(played).toEqual(Array.from(speech));
    // The mouth opens in syllables and closes in the gaps between them (onset frames 0, 10, 20, …).
    const jaw = frames.map((f) => f.pose.mouth.jawOpen);
    const inSyllable = (i: number) => (i * 40 + 20) % 400 < 240 && i < 50;
    const open = jaw.filter((_, i) => inSyllable(i) && (i * 40) % 400 >= 80);
    const gaps = jaw.filter((_, i) => !inSyllable(i) && i < 50 && (i * 40) % 400 >= 320);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(open)).toBeGreaterThan(mean(gaps) + 0.15);
    // After the speech the mouth rests.
    expect(Math.max(...jaw.slice(60))).toBeLessThan(0.1);
    expect(frames.at(-1)!.state).toBe('idle');
  });

  it('stops audio and relaxes the mouth within a frame of an interrupt', () => {
    const s = createAvatarPipeline({
      avatarId: 'dd73ea75-1218-4ef3-92ce-606d5f7fbc0a',
      quality: 'low',
      seed: 3,
    });
    s.append(syllables(3000, 2000, 10), 'u1');
    s.commit();
    const before = run(s, 15);
    expect(before.at(-1)!.pose.mouth.jawOpen).toBeGreaterThan(0.2);
    s.interrupt('stop');
    const after = run(s, 8);
    expect(after.every((f) => f.speechSamples === 0)).toBe(true);
    expect(after[0]!.events.map((e) => e.kind)).toContain('speak_interrupted');
    expect(after.at(-1)!.pose.mouth.jawOpen).toBeLessThan(0.1);
  });

  it('keeps the avatar alive with no audio at all', () => {
    const s = createAvatarPipeline({
      avatarId: 'dd73ea75-1218-4ef3-92ce-606d5f7fbc0a',
      quality: 'low',
      seed: 5,
    });
    const frames = run(s, 125); // 5 s of silence
    const changes = frames.slice(1).map((f, i) => diff(f.video!, frames[i]!.video!));
    expect(changes.filter((d) => d > 0).length).toBeGreaterThan(frames.length / 2);
    expect(frames.every((f) => f.state === 'idle' && f.speechSamples === 0)).toBe(true);
  });

  it('gives the same video whether the audio arrives whole or in bursts', () => {
    const speech = syllables(1200);
    const whole = createAvatarPipeline({
      avatarId: 'dd73ea75-1218-4ef3-92ce-606d5f7fbc0a',
      quality: 'low',
      seed: 9,
    });
    whole.append(speech, 'a');
    whole.commit();
    const chunked = createAvatarPipeline({
      avatarId: 'dd73ea75-1218-4ef3-92ce-606d5f7fbc0a',
      quality: 'low',
      seed: 9,
    });
    for (let o = 0; o < speech.length; o += 7200) chunked.append(speech.subarray(o, o + 7200), 'a');
    chunked.commit();
    const a = run(whole, 35).map((f) => f.pose.mouth.jawOpen);
    const b = run(chunked, 35).map((f) => f.pose.mouth.jawOpen);
    expect(b).toEqual(a);
  });

  it('opens the mouth on the first syllable of an utterance as far as on later ones', () => {
    const s = createAvatarPipeline({
      avatarId: 'dd73ea75-1218-4ef3-92ce-606d5f7fbc0a',
      quality: 'low',
      renderer: null,
    });
    s.append(syllables(1200), 'u1');
    s.commit();
    const jaw = run(s, 30).map((f) => f.pose.mouth.jawOpen);
    // Syllables start on frames 0, 10, 20 and last 6 frames.
    const first = Math.max(...jaw.slice(0, 6));
    const second = Math.max(...jaw.slice(10, 16));
    expect(first).toBeGreaterThan(0.5);
    expect(first).toBeGreaterThan(0.8 * second);
    // The opening starts on the syllable's first frame, not a frame later.
    expect(jaw[0]).toBeGreaterThan(0.3);
  });

  it('analyses audio as it plays, not when it is appended, and never analyses interrupted audio', () => {
    let analysed = 0;
    const s = createAvatarPipeline({
      avatarId: 'dd73ea75-1218-4ef3-92ce-606d5f7fbc0a',
      quality: 'low',
      renderer: null,
      newEstimator: (): MouthEstimator => {
        const inner = new LipSync({ fps: 25 });
        return {
          lookaheadMs: inner.lookaheadMs,
          push: (samples) => ((analysed += samples.length), inner.push(samples)),
          flush: () => inner.flush(),
        };
      },
    });
    s.append(syllables(10_000), 'long'); // a client may send 10 s of TTS at once
    expect(analysed).toBe(0);
    const ahead = ((new LipSync({ fps: 25 }).lookaheadMs + ANALYSIS_MARGIN_MS) * RATE) / 1000;
    for (let i = 1; i <= 5; i++) {
      s.tick();
      expect(analysed).toBe(i * 960 + ahead);
    }
    s.interrupt('stop');
    run(s, 10);
    expect(analysed).toBe(5 * 960 + ahead);
  });

  it('gives a text-aware estimator (no lookahead: it aligns whole utterances) all audio on append', () => {
    const s = createAvatarPipeline({
      avatarId: 'dd73ea75-1218-4ef3-92ce-606d5f7fbc0a',
      quality: 'low',
      renderer: null,
      newEstimator: () => new TextLipSync({ fps: 25, words: 'ba ba ba' }),
    });
    s.append(syllables(1200), 'u1');
    s.commit();
    const jaw = run(s, 30).map((f) => f.pose.mouth.jawOpen);
    // Every frame is the estimator's own (as if fed the whole clip), from the first one on.
    const direct = new TextLipSync({ fps: 25, words: 'ba ba ba' });
    const frames = [...direct.push(syllables(1200)), ...direct.flush()];
    expect(jaw).toEqual(frames.map((f) => f.params.jawOpen));
    expect(Math.max(...jaw) - Math.min(...jaw)).toBeGreaterThan(0.3);
  });

  // Three syllables (0–240, 400–640, 800–1040 ms), each said as "bob": its /b/s close the lips.
  const BOBS: TimedWord[] = [0, 400, 800].map((t) => ({ text: 'bob', startMs: t, endMs: t + 240 }));

  it('gives an utterance appended as timed the text-aware estimator and its streamed words', () => {
    const s = createAvatarPipeline({
      avatarId: 'dd73ea75-1218-4ef3-92ce-606d5f7fbc0a',
      quality: 'low',
      renderer: null,
    });
    const speech = syllables(1200);
    const r = s.append(speech.subarray(0, 12_000), 'u1', { timed: true });
    expect(r).toMatchObject({ opened: true, timed: true });
    s.words(r.turnId, BOBS.slice(0, 2));
    expect(s.append(speech.subarray(12_000), 'u1').timed).toBe(true); // the turn keeps its estimator
    s.words(r.turnId, BOBS.slice(2), { knownUntilMs: 1200 });
    s.commit();
    const timed = run(s, 32).map((f) => f.pose.mouth);
    // Exactly the estimator's frames, words in ms from the utterance's first sample.
    const direct = withLeadIn(new TextLipSync({ fps: 25 }), { fps: 25, sampleRateHz: RATE });
    const frames = [...direct.words!(BOBS), ...direct.push(speech), ...direct.flush()];
    expect(timed.slice(0, 30)).toEqual(frames.map((f) => f.params));
    // The /b/s close the lips inside the syllables, where the audio alone hears an open vowel.
    const closedInSyllables = (m: typeof timed) =>
      m.filter((x, i) => i < 30 && (i * 40) % 400 < 240 && isClosedMouth(x)).length;
    expect(closedInSyllables(timed)).toBeGreaterThanOrEqual(6);

    // Without `timed`, the same sound gets the audio-only estimator: open vowels, lips closing only
    // after each syllable.
    const a = s.append(speech, 'u2');
    expect(a).toMatchObject({ opened: true, timed: false });
    s.words(a.turnId, BOBS); // dropped: not a timed utterance
    s.commit();
    const audio = run(s, 32).map((f) => f.pose.mouth);
    expect(closedInSyllables(audio)).toBe(0);
    expect(Math.max(...audio.map((m) => m.jawOpen))).toBeGreaterThan(0.5);
    s.interrupt(null);
    s.words(r.turnId, BOBS); // a turn that is gone: ignored
  });

  it('moves streamed word times by the lead-in', () => {
    const speech = syllables(1200);
    const o = { fps: 25, sampleRateHz: RATE };
    const streamed = withLeadIn(new TextLipSync({ fps: 25 }), o);
    const a: MouthFrame[] = [...streamed.words!(BOBS), ...streamed.push(speech), ...streamed.flush()];
    // The same words given up front at their times in the estimator's stream, which starts on the lead-in.
    const shifted = BOBS.map((w) => ({
      text: w.text,
      startMs: w.startMs! + LEAD_IN_MS,
      endMs: w.endMs! + LEAD_IN_MS,
    }));
    const upFront = withLeadIn(new TextLipSync({ fps: 25, words: shifted }), o);
    expect(a).toEqual([...upFront.push(speech), ...upFront.flush()]);
    expect(a.map((f) => f.ptsMs)).toEqual(Array.from({ length: 30 }, (_, k) => k * 40));
  });
});

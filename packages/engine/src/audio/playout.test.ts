import { describe, expect, it } from 'vitest';
import { AudioPlayout, type PlayoutEvent, type PlayoutTick } from './playout.js';

const RATE = 24_000;
/** A ramp so that order and continuity of samples can be checked. */
function ramp(ms: number, start = 1): Int16Array {
  const n = (ms * RATE) / 1000;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = ((start + i) % 30000) + 1;
  return out;
}
function run(p: AudioPlayout, ticks: number): PlayoutTick[] {
  return Array.from({ length: ticks }, () => p.tick());
}
function events(ticks: PlayoutTick[]): (PlayoutEvent & { tick: number })[] {
  return ticks.flatMap((t, i) => t.events.map((e) => ({ ...e, tick: i })));
}
let n = 0;
const ids = () => `t${++n}`;

describe('AudioPlayout', () => {
  it('plays 1.0 s of audio over 25 ticks with started/ended 1.0 s apart', () => {
    const p = new AudioPlayout({ newTurnId: ids });
    p.append(ramp(400), 'utt-7');
    p.append(ramp(600, 9601), 'utt-7');
    p.commit();
    const ticks = run(p, 30);
    const ev = events(ticks);
    const started = ev.find((e) => e.kind === 'speak_started')!;
    const ended = ev.find((e) => e.kind === 'speak_ended')!;
    expect(started.sourceEventId).toBe('utt-7');
    expect(ended.ptsMs - started.ptsMs).toBe(1000);
    expect(ev.map((e) => (e.kind === 'state' ? `${e.previous}>${e.next}` : e.kind))).toEqual([
      'idle>talking',
      'speak_started',
      'speak_ended',
      'talking>idle',
    ]);
    // Every sample comes out once, in order, and nothing after it.
    const played = ticks.flatMap((t) => Array.from(t.samples.subarray(0, t.speechSamples)));
    expect(played).toEqual(Array.from(ramp(1000)));
    expect(ticks.slice(25).every((t) => t.speechSamples === 0 && t.samples.every((s) => s === 0))).toBe(true);
  });

  it('pads a partial last frame with silence and ends on the next tick', () => {
    const p = new AudioPlayout({ newTurnId: ids });
    p.append(ramp(50), null);
    p.commit();
    const [a, b, c] = run(p, 3);
    expect(a!.speechSamples).toBe(960);
    expect(b!.speechSamples).toBe(240);
    expect(b!.samples.subarray(240).every((s) => s === 0)).toBe(true);
    expect(c!.events.map((e) => e.kind)).toEqual(['speak_ended', 'state']);
  });

  it('does not flap when the buffer runs dry before speak_end', () => {
    const p = new AudioPlayout({ newTurnId: ids, underrunGraceMs: 3000 });
    p.append(ramp(120), 'a');
    const first = run(p, 10); // 120 ms of audio, then 280 ms dry
    p.append(ramp(80), 'a');
    const second = run(p, 5);
    p.commit();
    const rest = run(p, 5);
    const kinds = events([...first, ...second, ...rest]).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'speak_started')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'speak_ended')).toHaveLength(1);
    expect(first.at(-1)!.state).toBe('talking');
  });

  it('ends an uncommitted utterance after the underrun grace', () => {
    const p = new AudioPlayout({ newTurnId: ids, underrunGraceMs: 200 });
    p.append(ramp(40), 'a');
    const ticks = run(p, 10);
    const ended = events(ticks).find((e) => e.kind === 'speak_ended')!;
    expect(ended.ptsMs).toBe(40 + 200);
    expect(p.agentState).toBe('idle');
  });

  it('interrupt drops queued audio within one frame and reports the audible turn', () => {
    const p = new AudioPlayout({ newTurnId: ids });
    const { turnId } = p.append(ramp(1000), 'utt');
    p.commit();
    p.append(ramp(500), 'next'); // queued second utterance is dropped too
    run(p, 5);
    expect(p.interrupt('c-9')).toBe(turnId);
    const after = run(p, 3);
    expect(after.every((t) => t.speechSamples === 0)).toBe(true);
    expect(after[0]!.events.map((e) => e.kind)).toEqual(['speak_interrupted', 'state']);
    expect(events(after).some((e) => e.kind === 'speak_ended')).toBe(false);
    expect(p.bufferedMs).toBe(0);
    expect(p.interrupt('again')).toBeNull();
  });

  it('applies start_listening after playback ends, not during it', () => {
    const p = new AudioPlayout({ newTurnId: ids });
    p.append(ramp(200), 'u');
    run(p, 1);
    p.commit();
    p.setListening(true, 'l-1');
    const ticks = run(p, 8);
    expect(ticks.slice(0, 4).every((t) => t.state === 'talking')).toBe(true);
    const states = events(ticks).filter((e) => e.kind === 'state');
    expect(states.map((e) => (e.kind === 'state' ? e.next : ''))).toEqual(['listening']);
    expect(p.agentState).toBe('listening');
  });

  it('defers start_listening sent before queued audio has started playing', () => {
    const p = new AudioPlayout({ newTurnId: ids });
    p.append(ramp(80), 'u');
    p.commit();
    p.setListening(true, 'l-1');
    const states = events(run(p, 4)).filter((e) => e.kind === 'state');
    expect(states.map((e) => (e.kind === 'state' ? `${e.previous}>${e.next}` : ''))).toEqual([
      'idle>talking',
      'talking>listening',
    ]);
  });

  it('listening toggles immediately when silent', () => {
    const p = new AudioPlayout({ newTurnId: ids });
    p.setListening(true, 'c-1');
    const [t] = run(p, 1);
    expect(t!.events).toEqual([
      { kind: 'state', previous: 'idle', next: 'listening', sourceEventId: 'c-1', ptsMs: 0 },
    ]);
    p.setListening(false, 'c-2');
    expect(run(p, 1)[0]!.state).toBe('idle');
  });

  it('plays back-to-back utterances in order without leaving talking', () => {
    const p = new AudioPlayout({ newTurnId: ids });
    const a = p.append(ramp(80), 'a');
    p.commit();
    const b = p.append(ramp(80, 5000), 'b');
    p.commit();
    expect(a.turnId).not.toBe(b.turnId);
    const ev = events(run(p, 8));
    expect(ev.map((e) => (e.kind === 'state' ? e.next : `${e.kind}:${e.sourceEventId}`))).toEqual([
      'talking',
      'speak_started:a',
      'speak_ended:a',
      'speak_started:b',
      'speak_ended:b',
      'idle',
    ]);
  });

  it('keeps one utterance across chunks with fresh ids until speak_end', () => {
    const p = new AudioPlayout({ newTurnId: ids });
    const a = p.append(ramp(100), 'x1');
    const b = p.append(ramp(100), 'x2');
    expect(b).toEqual({ turnId: a.turnId, opened: false });
    expect(p.commit()).toBe(a.turnId);
    expect(p.commit()).toBeNull();
  });

  it('supports 30 fps frames', () => {
    const p = new AudioPlayout({ fps: 30, newTurnId: ids });
    expect(p.frameSamples).toBe(800);
    expect(() => new AudioPlayout({ fps: 7 })).toThrow(RangeError);
  });
});

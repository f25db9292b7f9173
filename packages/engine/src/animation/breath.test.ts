import { describe, expect, it } from 'vitest';
import { Breathing } from './breath.js';
import { Rng } from './random.js';
import { SpeechActivity } from './speech-activity.js';

describe('Breathing', () => {
  it('spends the breath while speaking and refills it quickly (≤ 0.5 s) at a pause', () => {
    const b = new Breathing(new Rng(2));
    const sa = new SpeechActivity();
    const values: number[] = [];
    let pauseAt = -1;
    // 3 s of speech, 1 s pause, 3 s of speech, at 100 fps.
    for (let i = 0; i < 700; i++) {
      const loud = i < 300 || i >= 400 ? 0.5 : 0;
      const cues = sa.update('talking', loud, 10);
      if (cues.pauseStart) pauseAt = i;
      values.push(b.update(i * 10, true, cues));
    }
    expect(pauseAt).toBe(329); // the 30th silent 10 ms frame completes 300 ms of silence
    // Rising fast after the pause is detected: most of the inhale within 0.5 s.
    const rise = values[pauseAt + 50]! - values[pauseAt]!;
    expect(rise).toBeGreaterThan(0.3);
    // …and spent again while the next phrase is spoken.
    expect(values[690]!).toBeLessThan(values[450]!);
    expect(values[450]!).toBeLessThan(values[pauseAt + 60]!);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { SANDBOX_AVATAR_ID } from '@liveface/protocol';
import { ManualClock } from '../clock.js';
import { RenderPool } from '../media/render-pool.js';
import { SessionRuntime } from './runtime.js';

const waitFor = async (ok: () => boolean) => {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('SessionRuntime media', () => {
  const pool = new RenderPool({ size: 1 });
  afterAll(() => pool.close());

  it("hands each tick's audio over on the tick and its frame after it, with the same pts", async () => {
    const clock = new ManualClock();
    const late: string[] = [];
    const rt = new SessionRuntime({
      sessionId: 's',
      clock,
      fps: 25,
      underrunGraceMs: 3000,
      newTurnId: () => 't',
      render: { pool, target: { avatarId: SANDBOX_AVATAR_ID, quality: 'low' } },
      onActivity: () => undefined,
      onFrameLate: (r) => late.push(r),
    });
    const log: string[] = [];
    rt.addMediaSink({
      audio: (pts, samples, rate) => log.push(`a${pts}:${samples.length}@${rate}`),
      video: (pts, frame) => log.push(`v${pts}:${frame.width}x${frame.height}`),
    });
    rt.start();
    for (let k = 0; k < 5; k++) {
      clock.advance(40);
      // The audio is out before the worker answers; the frame follows.
      expect(log.at(-1)).toBe(`a${k * 40}:960@24000`);
      await waitFor(() => log.at(-1)!.startsWith('v'));
      expect(log.at(-1)).toBe(`v${k * 40}:640x360`);
    }
    expect(late).toEqual([]);

    // Ticks that come while the worker is drawing: their audio goes on time; only the newest
    // pose waits, the ones it replaces are skipped and counted.
    log.length = 0;
    for (let k = 0; k < 4; k++) clock.advance(40);
    expect(log).toEqual([200, 240, 280, 320].map((p) => `a${p}:960@24000`));
    await waitFor(() => log.filter((l) => l.startsWith('v')).length >= 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(log.filter((l) => l.startsWith('v'))).toEqual(['v200:640x360', 'v320:640x360']);
    expect(late).toEqual(['busy', 'busy']);
    rt.close();
  });
});

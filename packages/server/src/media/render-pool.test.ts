import { afterAll, describe, expect, it } from 'vitest';
import { SANDBOX_AVATAR_ID } from '@liveface/protocol';
import { restPose } from '@liveface/engine';
import { RenderFailed, RenderPool } from './render-pool.js';

describe('RenderPool', () => {
  const crashes: number[] = [];
  const pool = new RenderPool({ size: 2, observer: { workerCrashed: (i) => crashes.push(i) } });
  afterAll(() => pool.close());

  it('draws I420 frames on worker threads, spreading slots over the workers', async () => {
    const a = pool.open({ avatarId: SANDBOX_AVATAR_ID, quality: 'medium' });
    const b = pool.open({ avatarId: SANDBOX_AVATAR_ID, quality: 'low' });
    expect(pool.load()).toEqual([1, 1]);
    const [fa, fb] = await Promise.all([a.render(restPose()), b.render(restPose())]);
    expect([fa.width, fa.height, fa.data.length]).toEqual([848, 480, (848 * 480 * 3) / 2]);
    expect([fb.width, fb.height]).toEqual([640, 360]);
    // Not a blank frame: luma varies across the picture.
    const y = fa.data.subarray(0, 848 * 480);
    expect(y.reduce((a, v) => Math.max(a, v)) - y.reduce((a, v) => Math.min(a, v))).toBeGreaterThan(100);
    a.close();
    b.close();
    expect(pool.load()).toEqual([0, 0]);
  });

  it('answers frames of one slot in order, and a mouth pose changes the pixels', async () => {
    const s = pool.open({ avatarId: SANDBOX_AVATAR_ID, quality: 'low' });
    const open = restPose();
    open.mouth = { ...open.mouth, jawOpen: 1 };
    const order: number[] = [];
    const frames = await Promise.all(
      [restPose(), open, restPose()].map((p, i) => s.render(p).then((f) => (order.push(i), f))),
    );
    expect(order).toEqual([0, 1, 2]);
    expect(Buffer.compare(frames[0]!.data, frames[2]!.data)).toBe(0);
    expect(Buffer.compare(frames[0]!.data, frames[1]!.data)).not.toBe(0);
    s.close();
  });

  it('writes into a caller buffer when given one, with the same pixels as a fresh frame', async () => {
    const s = pool.open({ avatarId: SANDBOX_AVATAR_ID, quality: 'low' });
    const open = restPose();
    open.mouth = { ...open.mouth, jawOpen: 1 };
    const fresh = await s.render(open);
    const into = new Uint8Array((640 * 360 * 3) / 2);
    // Many frames through one slot: the RGBA buffers cycle between the threads meanwhile.
    for (let i = 0; i < 20; i++) await s.render(restPose(), into);
    const reused = await s.render(open, into);
    expect(reused.data).toBe(into);
    expect(Buffer.compare(reused.data, fresh.data)).toBe(0);
    await expect(s.render(open, new Uint8Array(10))).rejects.toThrow(RangeError);
    s.close();
  });

  it('an unknown avatar fails its frames with the reason', async () => {
    const s = pool.open({ avatarId: 'no-such-avatar', quality: 'low' });
    await expect(s.render(restPose())).rejects.toThrow(/unknown avatar/);
    s.close();
  });

  it('survives a worker crash: pending frames fail, the slot keeps working on a fresh worker', async () => {
    const s = pool.open({ avatarId: SANDBOX_AVATAR_ID, quality: 'low' });
    await s.render(restPose());
    const index = pool.load().findIndex((n) => n === 1);
    const pending = Array.from({ length: 50 }, () => s.render(restPose()));
    await pool.killWorker(index);
    const results = await Promise.allSettled(pending);
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) expect(r.reason).toBeInstanceOf(RenderFailed);
    expect(crashes).toEqual([index]);
    const f = await s.render(restPose());
    expect(f.data.length).toBe((640 * 360 * 3) / 2);
    s.close();
  });
});

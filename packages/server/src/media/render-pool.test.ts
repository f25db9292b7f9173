import { afterAll, describe, expect, it } from 'vitest';
import { SANDBOX_AVATAR_ID } from '@liveface/protocol';
import { createRenderer, restPose } from '@liveface/engine';
import { FrameRing } from './frame-ring.js';
import { PatchedI420, toI420 } from './i420.js';
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

  describe('drawing into a frame ring (offline)', () => {
    const LOW = { width: 640, height: 360 };
    const poses = Array.from({ length: 12 }, (_, i) => {
      const p = restPose();
      p.mouth = { ...p.mouth, jawOpen: (i % 4) / 3 };
      p.head = { ...p.head, yaw: i - 6 };
      return p;
    });

    const frames = (k: number) =>
      poses.flatMap((pose, seq) => (seq % 2 === k ? [{ seq, pose, previous: poses[seq - 1] ?? null }] : []));

    it('gives every frame in order, as drawn, through a ring smaller than the batch', async () => {
      const slots = [0, 1].map(() => pool.open({ avatarId: SANDBOX_AVATAR_ID, quality: 'low' }));
      // 4 slots for 12 frames: the workers wait for the main thread to free each slot.
      const ring = FrameRing.create(4, (LOW.width * LOW.height * 3) / 2);
      slots.forEach((s, k) => s.drawInto(ring, frames(k)));
      // (Not slot.render(): a worker drawing into a ring waits for its slots, so it answers nothing else.)
      const reference = createRenderer({ avatarId: SANDBOX_AVATAR_ID, quality: 'low' });
      const whole = new Uint8Array((LOW.width * LOW.height * 3) / 2);
      const frame = new PatchedI420(LOW.width, LOW.height);
      for (let seq = 0; seq < poses.length; seq++) {
        const patch = await ring.get(seq);
        // The first frame whole, then patches: the head's box.
        expect(patch.rect.width * patch.rect.height < LOW.width * LOW.height).toBe(seq > 0);
        frame.paste(patch);
        ring.release(seq);
        toI420(LOW.width, LOW.height, reference.render(poses[seq]!), whole);
        expect(Buffer.compare(frame.data, whole), `frame ${seq}`).toBe(0);
      }
      for (const s of slots) s.close();
    });

    it('shares frames offered to every worker: each drawn once, by whichever claims it first', async () => {
      const slots = [0, 1].map(() => pool.open({ avatarId: SANDBOX_AVATAR_ID, quality: 'low' }));
      const ring = FrameRing.create(4, (LOW.width * LOW.height * 3) / 2);
      const all = poses.map((pose, seq) => ({ seq, pose, previous: poses[seq - 1] ?? null }));
      for (const s of slots) s.drawInto(ring, all);
      const reference = createRenderer({ avatarId: SANDBOX_AVATAR_ID, quality: 'low' });
      const whole = new Uint8Array((LOW.width * LOW.height * 3) / 2);
      const frame = new PatchedI420(LOW.width, LOW.height);
      for (let seq = 0; seq < poses.length; seq++) {
        frame.paste(await ring.get(seq));
        ring.release(seq);
        toI420(LOW.width, LOW.height, reference.render(poses[seq]!), whole);
        expect(Buffer.compare(frame.data, whole), `frame ${seq}`).toBe(0);
      }
      // Every frame was claimed once: none is left for a third taker.
      expect(poses.some((_, seq) => ring.claim(seq))).toBe(false);
      for (const s of slots) s.close();
    });

    it('fails the ring with the reason when the avatar is unknown, or when the slot closes', async () => {
      const bad = pool.open({ avatarId: 'no-such-avatar', quality: 'low' });
      const ring = FrameRing.create(2, (LOW.width * LOW.height * 3) / 2);
      bad.drawInto(ring, [{ seq: 0, pose: restPose(), previous: null }]);
      await expect(ring.get(0)).rejects.toThrow(/unknown avatar/);
      bad.close();

      const s = pool.open({ avatarId: SANDBOX_AVATAR_ID, quality: 'low' });
      const other = FrameRing.create(2, (LOW.width * LOW.height * 3) / 2);
      // Frame 0 is never released: frame 2 waits for its slot until the close fails the ring.
      s.drawInto(
        other,
        [0, 1, 2].map((seq) => ({ seq, pose: restPose(), previous: null })),
      );
      await other.get(0);
      s.close();
      await expect(other.get(2)).rejects.toThrow(/closed/);
    });

    it('fails the ring when its worker crashes', async () => {
      const s = pool.open({ avatarId: SANDBOX_AVATAR_ID, quality: 'low' });
      const ring = FrameRing.create(2, (LOW.width * LOW.height * 3) / 2);
      s.drawInto(
        ring,
        [0, 1, 2, 3].map((seq) => ({ seq, pose: restPose(), previous: null })),
      );
      await ring.get(0);
      await pool.killWorker(pool.load().findIndex((n) => n > 0));
      await expect(ring.get(2)).rejects.toBeInstanceOf(RenderFailed);
      s.close();
    });
  });
});

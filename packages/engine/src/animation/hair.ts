/**
 * Secondary motion of loose hair: the free ends of the hair trail the head and catch up with a small
 * overshoot. The roots move with the head; a lock's tip is a spring pulled towards where a rigidly
 * attached tip would be (the anchor). What the renderer needs is the lag — tip minus anchor — in head
 * space: zero at rest and whenever the head has held still for a second or so. Deterministic: a pure
 * function of the head poses and frame times, no randomness.
 */
import type { HeadSample } from './head.js';
import { SwingSpring, clamp } from './springs.js';

/**
 * The spring of a lock: 1 Hz (a shoulder-length lock hangs like a ~25 cm pendulum), damped to one small
 * overshoot; it settles within about two seconds.
 */
const SPRING = { frequencyHz: 1, dampingRatio: 0.3 } as const;
/**
 * How far a rigidly attached tip would move per unit of head motion, avatar units. A tip ~150 units
 * below the roll pivot swings sideways with roll (clockwise roll moves it left). A turn sweeps the hair
 * around the skull sideways, the locks in front of the shoulders with it (100: the hair mass seen as a
 * whole, tuned so a look-away moves the tips a few units, as a turn of 5° does). A nod moves the tip down
 * with the head's dip (0.35 units per degree in the renderer) and its forward swing. Head offsets are
 * fractions of the frame height (580 units in a landscape frame).
 */
const TIP = { perSinRoll: -150, perSinYaw: 100, perDegPitch: 0.35, perSinPitch: 40, perFrameHeight: 580 };
/** Largest lag, avatar units: a seek or a stall never flings the hair. */
const MAX_LAG_UNITS = 24;

const DEG = Math.PI / 180;

/** The hair of one frame. */
export interface HairSample {
  /** How far loose hair ends trail the head, avatar units in head space (x right, y down). */
  x: number;
  y: number;
}

/** Loose-hair dynamics; see the module comment. */
export class HairMotion {
  private readonly x = new SwingSpring(0, SPRING.frequencyHz, SPRING.dampingRatio);
  private readonly y = new SwingSpring(0, SPRING.frequencyHz, SPRING.dampingRatio);
  private started = false;

  /** Advances one frame of `dtMs` to the head pose `head`; returns the lag. */
  update(head: Readonly<HeadSample>, dtMs: number): HairSample {
    const ax =
      TIP.perSinRoll * Math.sin(head.roll * DEG) +
      TIP.perSinYaw * Math.sin(head.yaw * DEG) +
      TIP.perFrameHeight * head.offsetX;
    const ay =
      TIP.perDegPitch * head.pitch +
      TIP.perSinPitch * Math.sin(head.pitch * DEG) +
      TIP.perFrameHeight * head.offsetY;
    if (!this.started) {
      // The first frame hangs at rest: no fling from an imagined motion before it.
      this.started = true;
      this.x.set(ax);
      this.y.set(ay);
    }
    const lagX = this.x.step(ax, dtMs) - ax;
    const lagY = this.y.step(ay, dtMs) - ay;
    if (Math.abs(lagX) > MAX_LAG_UNITS) this.x.set(ax + clamp(lagX, -MAX_LAG_UNITS, MAX_LAG_UNITS));
    if (Math.abs(lagY) > MAX_LAG_UNITS) this.y.set(ay + clamp(lagY, -MAX_LAG_UNITS, MAX_LAG_UNITS));
    return { x: this.x.value - ax, y: this.y.value - ay };
  }
}

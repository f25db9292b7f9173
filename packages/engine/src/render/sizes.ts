/**
 * Output sizes and framing. Every quality maps to a 16:9 landscape size by default; portrait swaps the
 * sides and square uses the height twice. Widths are multiples of 16 so encoders need no padding
 * (480p is 848×480 rather than the odd-macroblock 854×480).
 */

/** Video quality names (as in `video_settings.quality`). */
export type RenderQuality = 'low' | 'medium' | 'high' | 'very_high';
/** Frame orientation; landscape is the default. */
export type Orientation = 'landscape' | 'portrait' | 'square';

/** Every quality, smallest first. */
export const RENDER_QUALITIES: readonly RenderQuality[] = ['low', 'medium', 'high', 'very_high'];
/** Every orientation. */
export const ORIENTATIONS: readonly Orientation[] = ['landscape', 'portrait', 'square'];

const LANDSCAPE: Readonly<Record<RenderQuality, { width: number; height: number }>> = {
  low: { width: 640, height: 360 },
  medium: { width: 848, height: 480 },
  high: { width: 1280, height: 720 },
  very_high: { width: 1920, height: 1080 },
};

/** Frame size in pixels for a quality and orientation. */
export function frameSize(
  quality: RenderQuality,
  orientation: Orientation = 'landscape',
): { width: number; height: number } {
  const { width, height } = LANDSCAPE[quality];
  switch (orientation) {
    case 'landscape':
      return { width, height };
    case 'portrait':
      return { width: height, height: width };
    case 'square':
      return { width: height, height };
  }
}

/**
 * Where avatar space lands in a frame: avatar units → pixels is `x * scale + originX`.
 * Avatar space has its origin at the centre of the head, y down, the head about 250 units tall.
 */
export interface Framing {
  scale: number;
  originX: number;
  originY: number;
}

/** Units of avatar space that must stay visible: 580 tall (hair top to chest), 460 wide (shoulders). */
const VISIBLE_HEIGHT_UNITS = 580;
const VISIBLE_WIDTH_UNITS = 460;
/** Units above the head centre kept at the top of a landscape frame (hair plus headroom). */
const HEADROOM_UNITS = 236;

/** Frames the head and shoulders: the same head size for landscape and square, a wider crop for portrait. */
export function framing(width: number, height: number): Framing {
  const scale = Math.min(height / VISIBLE_HEIGHT_UNITS, width / VISIBLE_WIDTH_UNITS);
  // Extra height (portrait) goes mostly below the figure: more chest, a little more headroom.
  const spareUnits = height / scale - VISIBLE_HEIGHT_UNITS;
  return { scale, originX: width / 2, originY: (HEADROOM_UNITS + spareUnits * 0.3) * scale };
}

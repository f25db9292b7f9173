/**
 * What makes one built-in avatar look like itself: a palette, face proportions, and its own drawings
 * (hair, clothes, accessories). The shared face parts (head, eyes, brows, nose, mouth) read these numbers.
 * All lengths are avatar units: origin at the centre of the head, y down, the face ~250 units tall.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import type { HairFrame } from './hair.js';

/** Skin colours, light to dark; gradients and shading are derived from them. */
export interface SkinPalette {
  light: string;
  base: string;
  shadow: string;
  /** Darkest accents: nostrils, creases. */
  deep: string;
  /** Cheek colour, drawn translucent. */
  blush: string;
}

/** Face proportions and feature colours. */
export interface FaceLook {
  skin: SkinPalette;
  head: {
    /** Half width at the cheekbones. */
    halfWidth: number;
    jawHalfWidth: number;
    jawY: number;
    chinHalfWidth: number;
    chinY: number;
    topY: number;
  };
  ears: { x: number; y: number; radiusX: number; radiusY: number };
  eyes: {
    /** Distance of each eye centre from the face's midline. */
    spacing: number;
    y: number;
    halfWidth: number;
    halfHeight: number;
    irisRadius: number;
    iris: string;
    irisDark: string;
    lash: string;
    /** 0 none … 1 a clear winged flick at the outer corner. */
    lashFlick: number;
  };
  brows: { color: string; y: number; thickness: number; arch: number; inner: number; outer: number };
  nose: { y: number; halfWidth: number };
  mouth: {
    y: number;
    halfWidth: number;
    upperThickness: number;
    lowerThickness: number;
    upper: string;
    lower: string;
    /** The seam between the lips and the corners. */
    line: string;
  };
  background: { top: string; bottom: string; glow: string; accent: string };
}

/**
 * An avatar's own drawings, made once per renderer (paths and gradients prebuilt) and replayed per frame.
 * The hair layers get the frame's head turn and hair lag (`hair`) to bend their outlines by (hair.ts).
 */
export interface AvatarLayers {
  /** Hair behind the head and shoulders, in head space (the caller has applied its parallax). */
  backHair(ctx: SKRSContext2D, hair: HairFrame): void;
  /** Neck, clothes and shoulders in body space; drawn once into a cached sprite. */
  body(ctx: SKRSContext2D): void;
  /** Over the ears (earrings, which may swing with the hair's lag), in head space; optional. */
  ears?(ctx: SKRSContext2D, hair: HairFrame): void;
  /** Hair in front of the forehead and face, in head space, with its own parallax. */
  frontHair(ctx: SKRSContext2D, hair: HairFrame): void;
  /** Over everything on the face (glasses), in head space; gets the yaw shift of the eyes. */
  overlay?(ctx: SKRSContext2D): void;
}

/** One built-in avatar. */
export interface BuiltinAvatar {
  /** Stable id (a UUID) used by the API. */
  id: string;
  name: string;
  /** One line for listings. */
  description: string;
  face: FaceLook;
  /**
   * The box around everything drawn in head space with the head at rest (back hair, ears and earrings,
   * face, hair), avatar units. A renderer redraws only this box, grown by the pose's motion, where a
   * frame differs from the one before (renderer.ts); the render tests check the drawings stay inside.
   */
  headExtent: { left: number; top: number; right: number; bottom: number };
  /**
   * Builds the avatar's layers for a drawing context, for frames at `scale` pixels per avatar unit
   * (what a layer pre-draws as pixels is drawn at that size).
   */
  createLayers(ctx: SKRSContext2D, scale: number): AvatarLayers;
}

/**
 * Avatar packs: how users bring their own art. A pack is a folder with `avatar.json` and PNG layers of one
 * size: a base (body, background), one mouth drawing per viseme class, optionally closed eyes and a head
 * layer that moves with the head pose. docs/avatars.md describes the format for artists.
 */
import { VISEME_CLASSES, type VisemeClass } from '../types.js';

/** The format tag of version 1 packs. */
export const PACK_FORMAT = 'liveface-avatar-pack/1';

/** A validated pack manifest. */
export interface PackManifest {
  format: typeof PACK_FORMAT;
  id: string;
  name: string;
  /** Size of every layer, px. */
  width: number;
  height: number;
  layers: {
    base: string;
    head: string | null;
    eyesClosed: string | null;
    /** One drawing per class; classes left out borrow a similar one (see MOUTH_FALLBACKS). */
    mouth: Record<VisemeClass, string>;
  };
  /** Neck point the head rotates around, layer px. */
  headPivot: [number, number];
  /** How the layers fill a frame of another aspect: crop (`cover`) or letterbox (`contain`). */
  fit: 'cover' | 'contain';
  /** Fill behind letterboxed art. */
  backgroundColor: string;
}

/** Which drawing a missing class borrows, in order of preference. */
export const MOUTH_FALLBACKS: Readonly<Record<VisemeClass, VisemeClass[]>> = {
  SIL: [],
  PP: ['SIL'],
  FF: ['TT', 'E', 'SIL'],
  CH: ['OU', 'TT', 'E'],
  TT: ['E', 'I', 'SIL'],
  AA: ['E'],
  E: ['AA', 'I'],
  I: ['E', 'TT'],
  OU: ['CH', 'AA'],
};

/** A pack that cannot be used; the message says which file or field to fix. */
export class PackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackError';
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown, field: string): string => {
  if (typeof v !== 'string' || !v) throw new PackError(`avatar.json: "${field}" must be a non-empty string`);
  return v;
};

/** Validates a parsed `avatar.json`, listing the first problem found with its field. */
export function parseManifest(raw: unknown): PackManifest {
  if (!isObj(raw)) throw new PackError('avatar.json must be a JSON object');
  if (raw.format !== PACK_FORMAT) throw new PackError(`avatar.json: "format" must be "${PACK_FORMAT}"`);
  const size = raw.size;
  if (
    !Array.isArray(size) ||
    size.length !== 2 ||
    !size.every((n) => Number.isInteger(n) && (n as number) > 0)
  ) {
    throw new PackError('avatar.json: "size" must be [width, height] in pixels');
  }
  const [width, height] = size as [number, number];
  if (!isObj(raw.layers)) throw new PackError('avatar.json: "layers" must be an object');
  const layers = raw.layers;
  if (!isObj(layers.mouth))
    throw new PackError('avatar.json: "layers.mouth" must map viseme classes to PNG files');
  const given = layers.mouth;
  for (const k of Object.keys(given)) {
    if (!(VISEME_CLASSES as readonly string[]).includes(k)) {
      throw new PackError(
        `avatar.json: unknown mouth class "${k}"; classes are ${VISEME_CLASSES.join(', ')}`,
      );
    }
  }
  if (!given.SIL || !given.AA)
    throw new PackError('avatar.json: "layers.mouth" needs at least SIL (closed) and AA (open)');
  const mouth = {} as Record<VisemeClass, string>;
  for (const c of VISEME_CLASSES) {
    const own = given[c];
    const borrowed = MOUTH_FALLBACKS[c].map((f) => given[f]).find((v) => typeof v === 'string');
    mouth[c] = str(own ?? borrowed ?? given.SIL, `layers.mouth.${c}`);
  }
  const pivot = raw.headPivot ?? [width / 2, height * 0.7];
  if (!Array.isArray(pivot) || pivot.length !== 2 || !pivot.every((n) => typeof n === 'number')) {
    throw new PackError('avatar.json: "headPivot" must be [x, y] in layer pixels');
  }
  const fit = raw.fit ?? 'cover';
  if (fit !== 'cover' && fit !== 'contain')
    throw new PackError('avatar.json: "fit" must be "cover" or "contain"');
  return {
    format: PACK_FORMAT,
    id: str(raw.id, 'id'),
    name: str(raw.name, 'name'),
    width,
    height,
    layers: {
      base: str(layers.base, 'layers.base'),
      head: layers.head === undefined || layers.head === null ? null : str(layers.head, 'layers.head'),
      eyesClosed:
        layers.eyesClosed === undefined || layers.eyesClosed === null
          ? null
          : str(layers.eyesClosed, 'layers.eyesClosed'),
      mouth,
    },
    headPivot: pivot as [number, number],
    fit,
    backgroundColor: typeof raw.backgroundColor === 'string' ? raw.backgroundColor : '#20242c',
  };
}

/** Every file a manifest refers to, once. */
export function packFiles(m: PackManifest): string[] {
  const files = [m.layers.base, ...Object.values(m.layers.mouth)];
  if (m.layers.head) files.push(m.layers.head);
  if (m.layers.eyesClosed) files.push(m.layers.eyesClosed);
  return [...new Set(files)];
}

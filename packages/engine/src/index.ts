export * from './types.js';
export * from './audio/pcm.js';
export * from './audio/playout.js';
export type * from './audio/types.js';
export * from './audio/wav.js';
export * from './audio/resample.js';
export * from './visemes.js';
export * from './avatar-pack/manifest.js';
export * from './avatar-pack/pack-renderer.js';

export * from './types.js';
export * from './audio/pcm.js';
export * from './audio/playout.js';
export type * from './audio/types.js';
export * from './audio/wav.js';
export * from './audio/resample.js';

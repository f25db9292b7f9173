/**
 * The renderer alone (`@liveface/engine/render`): what a render worker needs, without lip-sync, the
 * CMU dictionary or the lip-sync model. Importing the package root costs a worker ~23 MB of heap that
 * every garbage collection walks; this entry keeps a worker's heap small (see docs/benchmarks.md).
 */
export * from './renderer.js';
export * from './sizes.js';
export * from './catalog.js';
export type * from './look.js';
export { restPose, type AvatarPose } from '../types.js';

/** The animation/behaviour layer: state, mouth, loudness and pitch in; a whole AvatarPose out, per frame. */
export { Animator, gazeBlinkProbability, type AnimatorInput, type AnimatorOptions } from './animator.js';
export { BLINK_RATE_PER_MIN } from './blink.js';
export { GAZE_RANGE_X_DEG, GAZE_RANGE_Y_DEG, saccadeDurationMs } from './gaze.js';
export { PitchTracker, detectPitchHz, type PitchTrackerOptions } from './pitch.js';
export { Spring, halfLifeForCutoffHz } from './springs.js';

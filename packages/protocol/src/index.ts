export * from './envelope.js';
export * from './errors.js';
export * from './session.js';
export * from './avatar.js';
export * from './lite.js';
export * from './languages.js';
export * from './resources.js';

export { startServer, openStore, dbFile, type LivefaceServer, type StartOptions } from './server.js';
export { loadConfig, parseConfig, ConfigError, type Config, type ConfigInput } from './config.js';
export { ManualClock, systemClock, type Clock, type Timer } from './clock.js';
export { LivefaceError } from './errors.js';
export { VERSION } from './version.js';

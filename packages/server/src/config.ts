/**
 * The one configuration schema. Sources, later wins: built-in defaults, an optional JSON file
 * (`LIVEFACE_CONFIG` or `--config`), environment variables, CLI flags. Validated at boot with every
 * problem listed. Only this module reads `process.env`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const csv = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean));
const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
  .transform((v) => v === true || v === 'true' || v === '1');

/** Every setting, with its default. */
export const ConfigSchema = z.object({
  /** Address to bind; loopback unless told otherwise. */
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** Folder for the SQLite file and the generated signing secret. */
  dataDir: z.string().min(1).default('./data'),
  /** Public base URL (e.g. `https://avatar.example.com`) used in `ws_url`; by default the request's Host. */
  publicUrl: z.url().optional(),
  /** Trust `X-Forwarded-*` headers (behind a reverse proxy). */
  trustProxy: bool.default(false),
  /** An API key to accept (hashed on boot); if unset and no key exists, one is created and printed once. */
  apiKey: z.string().min(16).optional(),
  /** Secret for signing session tokens and WebSocket capabilities; generated into dataDir if unset. */
  secret: z.string().min(32).optional(),
  /**
   * Key (≥ 32 chars) that encrypts stored provider secrets (AES-256-GCM, key derived from it); by default
   * derived from `secret`. Changing it makes existing secrets unreadable.
   */
  secretsKey: z.string().min(32).optional(),
  /** Origins allowed by CORS; `*` echoes any origin. */
  corsOrigins: csv.default(['*']),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Idle timeout of a session without activity, seconds. */
  idleTimeoutS: z.coerce.number().int().positive().default(300),
  /** `max_session_duration` when the request gives none, seconds. */
  defaultSessionDurationS: z.coerce.number().int().positive().default(3600),
  /** Largest `max_session_duration` a request may ask for, seconds. */
  maxSessionDurationS: z.coerce
    .number()
    .int()
    .positive()
    .default(4 * 3600),
  /** Duration of sandbox sessions, seconds. */
  sandboxDurationS: z.coerce.number().int().positive().default(60),
  /** How long an uncommitted utterance may run dry before it ends, ms. */
  underrunGraceMs: z.coerce.number().int().positive().default(3000),
  /** Render worker threads; default one per core. */
  renderWorkers: z.coerce.number().int().min(1).max(64).optional(),
  /**
   * ICE servers (STUN/TURN) for WebRTC viewers: a JSON array of `{urls, username?, credential?}`, or
   * comma-separated URLs.
   */
  iceServers: z
    .union([
      z.string().transform((v, ctx) => {
        const t = v.trim();
        if (!t.startsWith('['))
          return t
            .split(',')
            .map((u) => ({ urls: u.trim() }))
            .filter((s) => s.urls);
        try {
          return JSON.parse(t) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
          return z.NEVER;
        }
      }),
      z.array(z.unknown()),
    ])
    .pipe(
      z.array(
        z.object({
          urls: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
          username: z.string().optional(),
          credential: z.string().optional(),
        }),
      ),
    )
    .default([]),
  /** Announce WebRTC host candidates only on these addresses; default: loopback when bound to loopback, else all. */
  iceAddresses: csv.default([]),
  /** Public address announced instead of the host address (servers behind a 1:1 NAT). */
  icePublicIp: z.union([z.ipv4(), z.ipv6()]).optional(),
  /** WebRTC viewers one session may have at once. */
  maxViewersPerSession: z.coerce.number().int().min(1).max(100).default(8),
  /**
   * The playground page's key-less session button: \`auto\` enables it only while the server listens on
   * loopback; \`off\` makes the page ask for an API key.
   */
  playground: z.enum(['auto', 'on', 'off']).default('auto'),
  /**
   * The LLM of FULL sessions whose token names no \`llm_configuration_id\`: an OpenAI-compatible server
   * (\`https://api.openai.com/v1\`, \`http://127.0.0.1:11434/v1\` for Ollama, …). Unset: such sessions
   * only speak text they are given (\`avatar.speak_text\`, the opening text).
   */
  llmBaseUrl: z.url().optional(),
  /** API key of the default LLM (local servers may need none). */
  llmApiKey: z.string().min(1).optional(),
  /** Model of the default LLM, e.g. \`gpt-4o-mini\`, \`llama3.2\`. */
  llmModel: z.string().min(1).default('gpt-4o-mini'),
  /**
   * Speech-to-text of FULL sessions: \`openai\` (any OpenAI-compatible \`/v1/audio/transcriptions\`:
   * OpenAI, Groq, a local whisper server) or \`deepgram\`. Unset: the user's speech is detected (events,
   * barge-in) but not transcribed.
   */
  sttProvider: z.enum(['openai', 'deepgram']).optional(),
  /** Base URL of the STT (default: the vendor's). */
  sttBaseUrl: z.url().optional(),
  /** API key of the STT. */
  sttApiKey: z.string().min(1).optional(),
  /** STT model; default \`whisper-1\` (openai), \`nova-3\` (deepgram). */
  sttModel: z.string().min(1).optional(),
  /** Output frame rate. */
  fps: z.coerce
    .number()
    .pipe(z.union([z.literal(25), z.literal(30)]))
    .default(25),
});
/** Validated configuration. */
export type Config = z.infer<typeof ConfigSchema>;
/** Configuration as given, before defaults. */
export type ConfigInput = z.input<typeof ConfigSchema>;

/** Environment variable of each setting. */
const ENV: Record<keyof Config, string> = {
  host: 'LIVEFACE_HOST',
  port: 'LIVEFACE_PORT',
  dataDir: 'LIVEFACE_DATA_DIR',
  publicUrl: 'LIVEFACE_PUBLIC_URL',
  trustProxy: 'LIVEFACE_TRUST_PROXY',
  apiKey: 'LIVEFACE_API_KEY',
  secret: 'LIVEFACE_SECRET',
  secretsKey: 'LIVEFACE_SECRETS_KEY',
  corsOrigins: 'LIVEFACE_CORS_ORIGINS',
  logLevel: 'LIVEFACE_LOG_LEVEL',
  idleTimeoutS: 'LIVEFACE_IDLE_TIMEOUT_S',
  defaultSessionDurationS: 'LIVEFACE_DEFAULT_SESSION_DURATION_S',
  maxSessionDurationS: 'LIVEFACE_MAX_SESSION_DURATION_S',
  sandboxDurationS: 'LIVEFACE_SANDBOX_DURATION_S',
  underrunGraceMs: 'LIVEFACE_UNDERRUN_GRACE_MS',
  fps: 'LIVEFACE_FPS',
  renderWorkers: 'LIVEFACE_RENDER_WORKERS',
  iceServers: 'LIVEFACE_ICE_SERVERS',
  iceAddresses: 'LIVEFACE_ICE_ADDRESSES',
  icePublicIp: 'LIVEFACE_ICE_PUBLIC_IP',
  maxViewersPerSession: 'LIVEFACE_MAX_VIEWERS_PER_SESSION',
  playground: 'LIVEFACE_PLAYGROUND',
  llmBaseUrl: 'LIVEFACE_LLM_BASE_URL',
  llmApiKey: 'LIVEFACE_LLM_API_KEY',
  llmModel: 'LIVEFACE_LLM_MODEL',
  sttProvider: 'LIVEFACE_STT_PROVIDER',
  sttBaseUrl: 'LIVEFACE_STT_BASE_URL',
  sttApiKey: 'LIVEFACE_STT_API_KEY',
  sttModel: 'LIVEFACE_STT_MODEL',
};

/** A configuration that failed validation; `problems` lists every one. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates a configuration object, listing every problem at once. */
export function parseConfig(input: ConfigInput | Record<string, unknown>): Config {
  const r = ConfigSchema.safeParse(input);
  if (r.success) return r.data;
  throw new ConfigError(
    r.error.issues.map((i) => {
      const key = i.path.join('.');
      const env = ENV[key as keyof Config];
      return `${key}${env ? ` (${env})` : ''}: ${i.message}`;
    }),
  );
}

/** Loads configuration from file, environment and overrides (the composition root's only env read). */
export function loadConfig(
  overrides: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = process.env,
): Config {
  const file = (overrides.configFile as string | undefined) ?? env.LIVEFACE_CONFIG;
  let fromFile: Record<string, unknown> = {};
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError([`config file ${file}: ${(e as Error).message}`]);
    }
    const unknown = Object.keys(fromFile).filter((k) => !(k in ENV));
    if (unknown.length)
      throw new ConfigError(unknown.map((k) => `config file ${file}: unknown setting "${k}"`));
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') fromEnv[key] = v;
  }
  const { configFile: _ignored, ...rest } = overrides;
  return parseConfig({ ...fromFile, ...fromEnv, ...rest });
}

/** Provider clients of the FULL-mode agent: STT, LLM and TTS, one file per vendor protocol. */
export * from './types.js';
export { ProviderError, type ProviderErrorCode, type ProviderErrorInit } from './errors.js';
export { DEFAULT_RETRY, type RetryPolicy } from './http.js';
export { SentenceSplitter, splitSentences, type SentenceSplitterOptions } from './sentence-splitter.js';
export { OpenAiLlm, type OpenAiLlmOptions } from './openai-llm.js';
export { OpenAiStt, type OpenAiSttOptions } from './openai-stt.js';
export { DeepgramStt, type DeepgramSttOptions } from './deepgram-stt.js';
export { EspeakTts, type EspeakTtsOptions } from './espeak-tts.js';
export { OpenAiTts, type OpenAiTtsOptions } from './openai-tts.js';
export { ElevenLabsTts, type ElevenLabsTtsOptions } from './elevenlabs-tts.js';
export { CartesiaTts, type CartesiaTtsOptions } from './cartesia-tts.js';

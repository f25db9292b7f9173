import { describe, expect, it } from 'vitest';
import { DEFAULT_LLM_BASE_URL } from '@liveface/protocol';
import { chatCompletionsUrl } from './llm-configurations.js';

describe('chatCompletionsUrl', () => {
  it.each([
    [DEFAULT_LLM_BASE_URL, 'https://api.openai.com/v1/chat/completions'],
    ['https://api.openai.com', 'https://api.openai.com/v1/chat/completions'],
    ['https://api.openai.com/', 'https://api.openai.com/v1/chat/completions'],
    ['http://127.0.0.1:11434/v1/', 'http://127.0.0.1:11434/v1/chat/completions'],
    ['https://api.groq.com/openai/v1', 'https://api.groq.com/openai/v1/chat/completions'],
    ['https://llm.example/v1/chat/completions', 'https://llm.example/v1/chat/completions'],
    [
      'https://generativelanguage.googleapis.com/v1beta/openai/',
      'https://generativelanguage.googleapis.com/v1beta/openai/chat/completions',
    ],
    ['https://x.example/deploy?api-version=2', 'https://x.example/deploy/chat/completions?api-version=2'],
  ])('%s → %s', (base, url) => {
    expect(chatCompletionsUrl(base)).toBe(url);
  });
});

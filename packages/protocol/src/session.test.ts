import { describe, expect, it } from 'vitest';
import { TokenRequest, resolveVideo } from './session.js';

const avatar_id = 'dd73ea75-1218-4ef3-92ce-606d5f7fbc0a';

describe('TokenRequest', () => {
  it('reads CUSTOM as LITE and infers a missing mode', () => {
    expect(TokenRequest.parse({ mode: 'CUSTOM', avatar_id }).mode).toBe('LITE');
    expect(TokenRequest.parse({ avatar_id }).mode).toBe('LITE');
    expect(TokenRequest.parse({ avatar_id, avatar_persona: {} }).mode).toBe('FULL');
  });

  it('normalizes both livekit_config shapes', () => {
    const oas = TokenRequest.parse({
      mode: 'LITE',
      avatar_id,
      livekit_config: { livekit_url: 'wss://lk', livekit_room: 'r', livekit_client_token: 't' },
    });
    const docs = TokenRequest.parse({
      mode: 'LITE',
      avatar_id,
      livekit_config: { url: 'wss://lk', token: 't' },
    });
    expect(oas.mode === 'LITE' && oas.livekit_config).toEqual({ url: 'wss://lk', room: 'r', token: 't' });
    expect(docs.mode === 'LITE' && docs.livekit_config).toEqual({ url: 'wss://lk', room: null, token: 't' });
  });

  it('resolves video settings: video_settings, then top-level fields, then defaults', () => {
    expect(resolveVideo(TokenRequest.parse({ avatar_id }))).toEqual({ quality: 'high', encoding: 'VP8' });
    expect(
      resolveVideo(TokenRequest.parse({ avatar_id, video_quality: 'low', video_encoding: 'H264' })),
    ).toEqual({
      quality: 'low',
      encoding: 'H264',
    });
    expect(
      resolveVideo(
        TokenRequest.parse({ avatar_id, video_quality: 'low', video_settings: { quality: 'medium' } }),
      ),
    ).toEqual({ quality: 'medium', encoding: 'VP8' });
  });
});

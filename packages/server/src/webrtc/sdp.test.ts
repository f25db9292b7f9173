import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import { applyCandidatePolicy, candidatePolicy, withStartBitrate } from './sdp.js';

const answer = [
  'v=0',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
  'a=rtpmap:96 VP8/90000',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=candidate:1 1 udp 2122265343 fd00::2 53249 typ host generation 0',
  'a=candidate:2 1 udp 2122194687 192.0.2.2 50523 typ host generation 0',
  'a=candidate:3 1 udp 2122063615 127.0.0.1 53360 typ host generation 0',
  'a=candidate:4 1 udp 1686052607 203.0.113.9 50523 typ srflx raddr 192.0.2.2 rport 50523',
  '',
].join('\r\n');

describe('candidate policy', () => {
  it('announces loopback only when the server listens on loopback', () => {
    const { sdp, kept } = applyCandidatePolicy(answer, candidatePolicy('127.0.0.1', []));
    expect(kept).toBe(2);
    expect(sdp).toContain(' 127.0.0.1 53360 typ host');
    expect(sdp).not.toContain('192.0.2.2 50523 typ host');
    expect(sdp).toContain('typ srflx');
  });

  it('announces every address when listening on all interfaces, or the configured ones', () => {
    expect(applyCandidatePolicy(answer, candidatePolicy('0.0.0.0', [])).kept).toBe(4);
    const only = applyCandidatePolicy(answer, candidatePolicy('0.0.0.0', ['192.0.2.2']));
    expect(only.kept).toBe(2);
    expect(only.sdp).toContain(' 192.0.2.2 50523 typ host');
  });

  it('rewrites host candidates to the public address behind a 1:1 NAT', () => {
    const { sdp } = applyCandidatePolicy(answer, candidatePolicy('0.0.0.0', ['192.0.2.2'], '198.51.100.7'));
    expect(sdp).toContain('a=candidate:2 1 udp 2122194687 198.51.100.7 50523 typ host');
    expect(sdp).not.toContain(' 192.0.2.2 50523 typ host');
  });
});

describe('start bitrate', () => {
  it('adds x-google-start-bitrate to video codecs, with or without an fmtp line', () => {
    const offer = withStartBitrate(
      answer.replace('a=fmtp:97 apt=96', 'a=fmtp:96 foo=1\r\na=fmtp:97 apt=96'),
      2000,
    );
    expect(offer).toContain('a=fmtp:96 foo=1;x-google-start-bitrate=2000');
    expect(offer).toContain('a=fmtp:97 apt=96\r\n');
    const bare = withStartBitrate(answer, 1500);
    expect(bare).toContain('a=rtpmap:96 VP8/90000\r\na=fmtp:96 x-google-start-bitrate=1500');
  });
});

describe('ICE configuration', () => {
  it('reads ICE servers as JSON or comma-separated URLs and names bad values', () => {
    expect(parseConfig({ iceServers: 'stun:a.example:3478, stun:b.example' }).iceServers).toEqual([
      { urls: 'stun:a.example:3478' },
      { urls: 'stun:b.example' },
    ]);
    const turn = '[{"urls":["turn:t.example"],"username":"u","credential":"p"}]';
    expect(parseConfig({ iceServers: turn }).iceServers).toEqual([
      { urls: ['turn:t.example'], username: 'u', credential: 'p' },
    ]);
    expect(() => parseConfig({ iceServers: '[{"url":1}' })).toThrow(/iceServers \(LIVEFACE_ICE_SERVERS\)/);
    expect(() => parseConfig({ icePublicIp: 'not-an-ip' })).toThrow(/icePublicIp/);
  });
});

/**
 * Candidate policy for SDP answers. libwebrtc gathers host candidates on every interface and cannot be
 * told otherwise, so Liveface decides what to announce: only the configured addresses (or loopback
 * only, when the server itself listens on loopback), optionally rewritten to a public address for
 * deployments behind a 1:1 NAT (a cloud VM's private IP → its public IP).
 */

/**
 * Starts the video encoders' bandwidth estimate at `kbps` instead of libwebrtc's 300 kbit/s, so the
 * first key frame is not paced out over half a second. libwebrtc reads the sender's `x-google-*`
 * codec parameters from the remote description, which for the server is the viewer's offer.
 */
export function withStartBitrate(offer: string, kbps: number): string {
  const lines = offer.split('\r\n');
  const video = new Set<string>();
  for (const l of lines) {
    const m = /^a=rtpmap:(\d+) (VP8|VP9|AV1|H264)\/90000/i.exec(l);
    if (m) video.add(m[1]!);
  }
  const seen = new Set<string>();
  const out = lines.map((l) => {
    const m = /^a=fmtp:(\d+) (.*)$/.exec(l);
    if (!m || !video.has(m[1]!) || m[2]!.includes('x-google-start-bitrate')) return l;
    seen.add(m[1]!);
    return `${l};x-google-start-bitrate=${kbps}`;
  });
  // Codecs without an fmtp line get one right after their rtpmap.
  return out
    .flatMap((l) => {
      const m = /^a=rtpmap:(\d+) /.exec(l);
      return m && video.has(m[1]!) && !seen.has(m[1]!)
        ? [l, `a=fmtp:${m[1]} x-google-start-bitrate=${kbps}`]
        : [l];
    })
    .join('\r\n');
}

/** What to announce. */
export interface CandidatePolicy {
  /** Announce only host candidates on these addresses; empty: all. */
  addresses: string[];
  /** Replace the address of host candidates with this one. */
  publicIp?: string | undefined;
}

const LOOPBACK = ['127.0.0.1', '::1'];

/** The policy for a server bound to `host`, given the configured addresses and public IP. */
export function candidatePolicy(host: string, addresses: string[], publicIp?: string): CandidatePolicy {
  if (addresses.length > 0) return { addresses, publicIp };
  const loopbackOnly = host === 'localhost' || LOOPBACK.includes(host) || host.startsWith('127.');
  return { addresses: loopbackOnly && !publicIp ? LOOPBACK : [], publicIp };
}

/** Applies the policy to every `a=candidate` line; returns the SDP and how many candidates remain. */
export function applyCandidatePolicy(sdp: string, policy: CandidatePolicy): { sdp: string; kept: number } {
  let kept = 0;
  const lines = sdp.split('\r\n').flatMap((line) => {
    if (!line.startsWith('a=candidate:')) return [line];
    // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...
    const parts = line.split(' ');
    const address = parts[4] ?? '';
    const type = parts[7];
    if (type === 'host' && policy.addresses.length > 0 && !policy.addresses.includes(address)) return [];
    if (type === 'host' && policy.publicIp) parts[4] = policy.publicIp;
    kept++;
    return [parts.join(' ')];
  });
  return { sdp: lines.join('\r\n'), kept };
}

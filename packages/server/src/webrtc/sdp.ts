/**
 * Candidate policy for SDP answers. libwebrtc gathers host candidates on every interface and cannot be
 * told otherwise, so Liveface decides what to announce: only the configured addresses (or loopback
 * only, when the server itself listens on loopback), optionally rewritten to a public address for
 * deployments behind a 1:1 NAT (a cloud VM's private IP → its public IP).
 */

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

import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** How a host is named in known_hosts: `host`, or `[host]:port` off port 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function nameMatches(field: string, name: string): boolean {
  return field.split(',').some((pattern) => {
    const hashed = /^\|1\|([^|]+)\|(.+)$/.exec(pattern);
    if (!hashed) return pattern === name;
    return createHmac('sha1', Buffer.from(hashed[1]!, 'base64')).update(name).digest('base64') === hashed[2];
  });
}

/**
 * The host keys known_hosts holds for a name (plain or hashed entries; markers and comments skipped),
 * as the raw key blobs ssh2 hands a host verifier.
 */
export function knownKeys(text: string, name: string): Buffer[] {
  const keys: Buffer[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#') || fields[0].startsWith('@') || fields.length < 3) continue;
    if (nameMatches(fields[0], name)) keys.push(Buffer.from(fields[2]!, 'base64'));
  }
  return keys;
}

/** A verifier for ssh2: the key the host shows must be one known_hosts lists for it. */
export function hostVerifier(file: string, host: string, port: number): (key: Buffer) => boolean {
  const known = knownKeys(readFileSync(file, 'utf8'), knownHostsName(host, port));
  return (key) => known.some((k) => k.equals(key));
}

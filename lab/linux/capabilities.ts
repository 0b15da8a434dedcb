import { readFile } from 'node:fs/promises';

/** Capability names by number (linux/capability.h), as Docker's CapAdd spells them. */
const NAMES = [
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'KILL',
  'SETGID',
  'SETUID',
  'SETPCAP',
  'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_ADMIN',
  'NET_RAW',
  'IPC_LOCK',
  'IPC_OWNER',
  'SYS_MODULE',
  'SYS_RAWIO',
  'SYS_CHROOT',
  'SYS_PTRACE',
  'SYS_PACCT',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_NICE',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'MKNOD',
  'LEASE',
  'AUDIT_WRITE',
  'AUDIT_CONTROL',
  'SETFCAP',
  'MAC_OVERRIDE',
  'MAC_ADMIN',
  'SYSLOG',
  'WAKE_ALARM',
  'BLOCK_SUSPEND',
  'AUDIT_READ',
  'PERFMON',
  'BPF',
  'CHECKPOINT_RESTORE',
];

/** Docker's CapAdd knows the capabilities up to AUDIT_READ (37); PERFMON, BPF and CHECKPOINT_RESTORE it refuses. */
export const DOCKER_KNOWN_CAPABILITIES = NAMES.slice(0, 38);

/** The capabilities in this process's bounding set: the most a container started from here can hold. */
export async function boundingCapabilities(): Promise<{ held: string[]; missing: string[] }> {
  const status = await readFile('/proc/self/status', 'utf8');
  const mask = BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0'}`);
  const held: string[] = [];
  const missing: string[] = [];
  NAMES.forEach((name, bit) => ((mask >> BigInt(bit)) & 1n ? held : missing).push(name));
  return { held, missing };
}

import { execa } from 'execa';
import { netnsPath, type CommandResult } from './linux/command.ts';
import { parsePcap, type PcapRecord } from './pcap.ts';

export interface Capture {
  /** Stops the capture and returns what it saw, with the command as evidence. */
  stop(): Promise<{ records: PcapRecord[]; evidence: CommandResult }>;
}

/** tcpdump in a lab namespace, writing pcap to stdout; bounded by `maxMs` whatever happens. */
export async function startCapture(netns: string, iface: string, filter: string, maxMs = 15_000): Promise<Capture> {
  const args = [
    `--net=${netnsPath(netns)}`,
    'tcpdump',
    '--immediate-mode',
    '-i',
    iface,
    '-nn',
    '-U',
    '-s',
    '256',
    '-w',
    '-',
    filter,
  ];
  const child = execa('nsenter', args, { encoding: 'buffer', reject: false, timeout: maxMs, stdin: 'ignore' });
  // tcpdump says "listening on …" on stderr once the socket is open: only then is the capture real
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 3000);
    child.stderr.on('data', (d: Buffer) => {
      if (d.toString().includes('listening on')) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  return {
    async stop() {
      await new Promise((r) => setTimeout(r, 200));
      child.kill('SIGINT');
      const result = await child;
      const stdout = Buffer.from(result.stdout);
      const records = parsePcap(stdout);
      return {
        records,
        evidence: {
          command: `[netns ${netns}] tcpdump -i ${iface} -nn -w - ${filter}`,
          exitCode: result.exitCode ?? 0,
          output: `${Buffer.from(result.stderr)
            .toString()
            .trim()}\n(${records.length} packets, ${stdout.length} bytes of pcap)`,
          timedOut: result.timedOut,
        },
      };
    },
  };
}

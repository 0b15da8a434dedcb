import { execa } from 'execa';

/** What one command did: the raw material of a check's evidence. */
export interface CommandResult {
  command: string;
  exitCode: number;
  output: string;
  timedOut: boolean;
}

export interface RunOptions {
  /** Run inside this named network namespace (via nsenter, which keeps /sys intact). */
  netns?: string;
  timeoutMs?: number;
  input?: string;
  /** Stops the command (it is killed) and makes `run` throw the signal's reason: a cancelled check stops here. */
  signal?: AbortSignal;
}

export class CommandError extends Error {
  constructor(readonly result: CommandResult) {
    super(
      `command failed ` +
        `(exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}): ${result.command}\n${result.output.trim()}`,
    );
  }
}

export function netnsPath(name: string): string {
  return `/run/netns/${name}`;
}

function commandLine(argv: string[], netns?: string): string {
  const quoted = argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');
  return netns ? `[netns ${netns}] ${quoted}` : quoted;
}

/** Runs a command and reports what happened; never throws for a non-zero exit, only when cancelled. */
export async function run(argv: string[], options: RunOptions = {}): Promise<CommandResult> {
  options.signal?.throwIfAborted();
  const [file, ...args] = options.netns ? ['nsenter', `--net=${netnsPath(options.netns)}`, '--', ...argv] : argv;
  const result = await execa(file!, args, {
    reject: false,
    all: true,
    timeout: options.timeoutMs ?? 30_000,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : undefined,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  if (result.isCanceled) throw options.signal!.reason;
  return {
    command: commandLine(argv, options.netns),
    exitCode: result.exitCode ?? (result.timedOut ? 124 : 255),
    output: typeof result.all === 'string' ? result.all : '',
    timedOut: result.timedOut,
  };
}

/** Runs a command that must succeed; throws a CommandError with its output otherwise. */
export async function mustRun(argv: string[], options: RunOptions = {}): Promise<CommandResult> {
  const result = await run(argv, options);
  if (result.exitCode !== 0) throw new CommandError(result);
  return result;
}

/** Runs a command that prints JSON (`ip -j …`) and parses it. */
export async function runJson<T>(argv: string[], options: RunOptions = {}): Promise<T> {
  const result = await runDump(argv, options);
  if (result.exitCode !== 0) throw new CommandError(result);
  return JSON.parse(result.output || 'null') as T;
}

/**
 * Runs an iproute2 listing. A netlink dump that raced a change (links made and removed side by
 * side) says "Dump was interrupted" on stderr, before or after its output (the two streams are
 * merged): it is asked again, a few times.
 */
export async function runDump(argv: string[], options: RunOptions = {}): Promise<CommandResult> {
  let result = await run(argv, options);
  for (let i = 0; i < 5 && result.output.includes('Dump was interrupted'); i++) result = await run(argv, options);
  return result;
}

import type Dockerode from 'dockerode';
import { PassThrough } from 'node:stream';
import type { CommandResult } from './linux/command.ts';

/** `docker exec` through the API, bounded in time; the result reads like any other command's. */
export async function execInContainer(
  docker: Dockerode,
  containerId: string,
  argv: string[],
  options: { timeoutMs?: number; label?: string; signal?: AbortSignal } = {},
): Promise<CommandResult> {
  options.signal?.throwIfAborted();
  const command = `${options.label ? `[${options.label}] ` : ''}${argv.join(' ')}`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let output = '';
  try {
    const exec = await docker.getContainer(containerId).exec({ Cmd: argv, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const sink = new PassThrough();
    sink.on('data', (d: Buffer) => (output += d.toString()));
    docker.modem.demuxStream(stream, sink, sink);
    // false: cut off by the time bound or the signal (the stream is destroyed either way)
    const finished = await new Promise<boolean>((resolve) => {
      const settle = (done: boolean) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', stop);
        resolve(done);
      };
      const stop = () => settle(false);
      const timer = setTimeout(stop, timeoutMs);
      options.signal?.addEventListener('abort', stop, { once: true });
      for (const event of ['end', 'close', 'error']) stream.on(event, () => settle(true));
    });
    if (!finished) {
      stream.destroy();
      options.signal?.throwIfAborted();
      return { command, exitCode: 124, output, timedOut: true };
    }
    const info = await exec.inspect();
    return { command, exitCode: info.ExitCode ?? 255, output, timedOut: false };
  } catch (e) {
    if (options.signal?.aborted) throw options.signal.reason;
    return { command, exitCode: 255, output: `${output}${(e as Error).message}`, timedOut: false };
  }
}

import type Dockerode from 'dockerode';
import { PassThrough } from 'node:stream';
import type { CommandResult } from './linux/command.ts';

/** `docker exec` through the API, bounded in time; the result reads like any other command's. */
export async function execInContainer(
  docker: Dockerode,
  containerId: string,
  argv: string[],
  options: { timeoutMs?: number; label?: string } = {},
): Promise<CommandResult> {
  const command = `${options.label ? `[${options.label}] ` : ''}${argv.join(' ')}`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let output = '';
  try {
    const exec = await docker.getContainer(containerId).exec({ Cmd: argv, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const sink = new PassThrough();
    sink.on('data', (d: Buffer) => (output += d.toString()));
    docker.modem.demuxStream(stream, sink, sink);
    const finished = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', done);
    });
    if (!finished) {
      stream.destroy();
      return { command, exitCode: 124, output, timedOut: true };
    }
    const info = await exec.inspect();
    return { command, exitCode: info.ExitCode ?? 255, output, timedOut: false };
  } catch (e) {
    return { command, exitCode: 255, output: `${output}${(e as Error).message}`, timedOut: false };
  }
}

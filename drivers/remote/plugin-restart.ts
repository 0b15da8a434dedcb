import type { LabHost } from '../../lab/host.ts';
import type { CommandResult } from '../../lab/linux/command.ts';
import { startPluginProcess, type PluginLaunch } from './plugin-process.ts';
import type { PluginProcess } from './plugin-ready.ts';

/** What a plugin restart did, for a check's evidence and metrics. */
export interface PluginRestart {
  host: string;
  /** From the kill until the new process answered. */
  downMs: number;
  evidence: CommandResult;
}

/**
 * Plugin processes the harness launched on lab hosts, one per host, each with the command that
 * started it: a restart is a SIGKILL (a crash, not a shutdown: the plugin gets no chance to save
 * anything) and the same command again, as a supervisor would do.
 */
export class LaunchedPlugins implements AsyncDisposable {
  private constructor(private readonly running: { launch: PluginLaunch; process: PluginProcess }[]) {}

  /** Starts one plugin per launch, all at once; if any fails, the others are stopped and its error thrown. */
  static async start(launches: PluginLaunch[]): Promise<LaunchedPlugins> {
    const started = await Promise.allSettled(launches.map((l) => startPluginProcess(l)));
    const running = started.flatMap((s, i) =>
      s.status === 'fulfilled' ? [{ launch: launches[i]!, process: s.value }] : [],
    );
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await Promise.all(running.map((r) => r.process.stop()));
      throw failed.reason;
    }
    return new LaunchedPlugins(running);
  }

  get processes(): PluginProcess[] {
    return this.running.map((r) => r.process);
  }

  /** Kills the plugin serving `host` and starts it again with the same command; resolves when it answers. */
  async restart(host: LabHost): Promise<PluginRestart> {
    const entry = this.running.find((r) => r.launch.host.name === host.name);
    if (!entry) throw new Error(`no plugin was launched on ${host.name}`);
    const t0 = Date.now();
    if (!entry.process.kill) throw new Error(`the plugin on ${host.name} cannot be killed by the harness`);
    await entry.process.kill();
    entry.process = await startPluginProcess(entry.launch);
    const downMs = Date.now() - t0;
    return {
      host: host.name,
      downMs,
      evidence: {
        command: `[${host.name}] kill -KILL <plugin ${entry.launch.name}>; ${entry.launch.argv.join(' ')}`,
        exitCode: 0,
        output: `killed, started again and answering after ${downMs} ms (log: ${entry.launch.logFile})`,
        timedOut: false,
      },
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.running.map((r) => r.process.stop()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PluginService } from './server.ts';

/**
 * What a plugin must know again after a crash (its networks, its endpoints), in a JSON file: the
 * engine does not tell a restarted plugin what it created before, and answers "No such network"
 * ever after if the plugin forgot (the failure the resilience suite's plugin-restart looks for).
 * Written whole to a temporary file and renamed over the old one, so a kill mid-write loses nothing.
 */
export class PluginStateFile<T> {
  private dirMade = false;

  constructor(readonly path: string) {}

  /** The saved state, or undefined on a first start. A damaged file is an error: nothing is guessed. */
  load(): T | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new Error(`plugin state ${this.path} is not JSON (${(e as Error).message}): move it away to start afresh`, {
        cause: e,
      });
    }
  }

  save(state: T): void {
    // once: saves come after every call that changes state
    if (!this.dirMade) mkdirSync(dirname(this.path), { recursive: true });
    this.dirMade = true;
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(state));
    renameSync(temporary, this.path);
  }
}

/** The service with `save` called after every call that may change state, whether it succeeded or not. */
export function persisting(service: PluginService, save: () => void): PluginService {
  const handlers = Object.fromEntries(
    Object.entries(service.handlers).map(([call, handler]) => [
      call,
      /(Create|Delete|Join|Leave|ExternalConnectivity)/.test(call)
        ? async (request: Record<string, unknown>) => {
            try {
              return await handler(request);
            } finally {
              save();
            }
          }
        : handler,
    ]),
  );
  return { ...service, handlers };
}

import type { StartedNetwork } from '../contract.ts';

/** The pseudo network of a mode without one (none, host): sandboxes "on" it get no endpoint. */
export class ModeNetwork implements StartedNetwork {
  constructor(readonly name: 'none' | 'host') {}

  get id(): string {
    return this.name;
  }

  async remove(): Promise<void> {}

  async [Symbol.asyncDispose](): Promise<void> {}
}

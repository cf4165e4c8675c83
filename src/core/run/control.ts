/**
 * Cooperative pause / resume / stop for a training run. The run loop checks it between updates and
 * yields to the event loop there, so a Web Worker can receive the messages that flip it.
 */
export type RunState = 'running' | 'paused' | 'stopping';

export class RunControl {
  private state: RunState = 'running';
  private wake: (() => void) | null = null;

  get current(): RunState {
    return this.state;
  }

  get stopRequested(): boolean {
    return this.state === 'stopping';
  }

  pause(): void {
    if (this.state === 'running') this.state = 'paused';
  }

  resume(): void {
    if (this.state === 'paused') {
      this.state = 'running';
      this.wakeUp();
    }
  }

  /** Stop after the current update (also ends a pause). */
  stop(): void {
    this.state = 'stopping';
    this.wakeUp();
  }

  /** Resolves at once unless paused; when paused, when resumed or stopped. */
  async waitWhilePaused(): Promise<void> {
    while (this.state === 'paused') {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}

const g = globalThis as {
  setImmediate?: (cb: () => void) => unknown;
  MessageChannel?: typeof MessageChannel;
};

/**
 * Let queued messages and timers run. setImmediate in Node; a MessageChannel round trip in browsers
 * and workers (setTimeout(0) is clamped to ≥ 4 ms there once nested, which would cost throughput).
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate!(resolve));
  if (typeof g.MessageChannel === 'function') {
    return new Promise((resolve) => {
      const ch = new g.MessageChannel!();
      ch.port1.onmessage = () => {
        ch.port1.close();
        resolve();
      };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

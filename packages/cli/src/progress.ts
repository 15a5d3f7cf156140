import cliProgress from 'cli-progress';
import type { Output } from './output.js';

/** Progress of a long operation: a bar on a terminal, plain lines otherwise (logs, CI). */
export interface Progress {
  /** A new stage of `total` steps, e.g. one kind's records. */
  start(label: string, total: number): void;
  /** `count` more steps done. */
  advance(count?: number): void;
  /** The stage is done: the bar is completed, or a plain line says so. */
  finish(summary: string): void;
}

export function createProgress(output: Output): Progress {
  if (!output.terminal || output.json) {
    let label = '';
    return {
      start(next) {
        label = next;
      },
      advance() {},
      finish(summary) {
        output.err(`${label}: ${summary}`);
      },
    };
  }
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(label, total) {
      bar = new cliProgress.SingleBar(
        {
          format: `${label.padEnd(24)} [{bar}] {value}/{total}`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.legacy,
      );
      bar.start(total, 0);
    },
    advance(count = 1) {
      bar?.increment(count);
    },
    finish() {
      bar?.stop();
      bar = undefined;
    },
  };
}

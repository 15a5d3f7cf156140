import type { Output } from '../output.js';

/** Prints a command's result: `json` as one line under --json, else `text` for a person. */
export function report(output: Output, json: Record<string, unknown>, text: string): void {
  if (output.json) output.out(JSON.stringify(json));
  else output.out(text);
}

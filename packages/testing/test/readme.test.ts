import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const read = (name: string) => readFileSync(new URL(name, import.meta.url), 'utf8');

it('the README quick start is the code that readmeExample.int.test.ts runs', () => {
  const readme = read('../README.md');
  const snippet = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  const example = /\/\/ README-EXAMPLE-START\n([\s\S]*?)\/\/ README-EXAMPLE-END/.exec(
    read('./readmeExample.int.test.ts'),
  )?.[1];
  expect(snippet).toBeDefined();
  // Trimmed: the formatter puts a blank line between the marker comment and the imports.
  expect(snippet?.trim()).toBe(example?.trim());
});

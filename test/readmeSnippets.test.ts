import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

// Every ```ts block of the documentation is compiled against the packages' sources, so an
// example that drifts from the API fails the build. Blocks fenced as anything else (```sh,
// ```text, ```json) are prose.
const root = fileURLToPath(new URL('..', import.meta.url));
// Snippets are written next to their document, so that each resolves the dependencies of the
// package it documents (inversify for core, ioredis for redis), as a user's code would.
const snippetDirName = '.stowage-snippets';
const snippetDir = (document: string) => join(root, dirname(document), snippetDirName);
const documents = [
  'README.md',
  'ARCHITECTURE.md',
  ...['packages', 'examples'].flatMap((folder) =>
    readdirSync(join(root, folder)).map((name) => `${folder}/${name}/README.md`),
  ),
].filter((document) => existsSync(join(root, document)));

interface Snippet {
  readonly document: string;
  readonly line: number;
  readonly file: string;
}

function removeSnippets(): void {
  for (const document of documents) rmSync(snippetDir(document), { recursive: true, force: true });
}

function extractSnippets(): Snippet[] {
  removeSnippets();
  const snippets: Snippet[] = [];
  for (const document of documents) {
    const lines = readFileSync(join(root, document), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]?.trim() !== '```ts') continue;
      const start = i + 1;
      let end = start;
      while (end < lines.length && lines[end]?.trim() !== '```') end++;
      mkdirSync(snippetDir(document), { recursive: true });
      const file = join(snippetDir(document), `${document.replace(/[/.]/g, '_')}_${start + 1}.ts`);
      // `export {}` makes each block a module of its own, so top-level await and names are local.
      writeFileSync(file, `${lines.slice(start, end).join('\n')}\nexport {};\n`);
      snippets.push({ document, line: start + 1, file });
      i = end;
    }
  }
  return snippets;
}

describe('documentation snippets', () => {
  const snippets = extractSnippets();

  afterAll(removeSnippets);

  it('finds the documents and their snippets', () => {
    expect(documents).toContain('README.md');
    expect(snippets.length).toBeGreaterThan(0);
  });

  it('type-check against the current sources', () => {
    const configPath = join(root, 'tsconfig.check.json');
    const parsed = ts.getParsedCommandLineOfConfigFile(
      configPath,
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        },
      },
    );
    if (parsed === undefined || !existsSync(configPath))
      throw new Error('tsconfig.check.json not readable');
    const program = ts.createProgram(
      snippets.map((s) => s.file),
      { ...parsed.options, noEmit: true, noUnusedLocals: false },
    );
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName.includes(`/${snippetDirName}/`))
      .map((d) => {
        const snippet = snippets.find((s) => s.file === d.file?.fileName);
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        const where = snippet
          ? `${snippet.document}:${snippet.line + line}`
          : relative(root, d.file!.fileName);
        return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  }, 60_000);
});

import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import type { ReaderCommand, ReaderReport } from './feedProbe.js';

// The reader processes of the cross-process propagation run. Node 20 cannot run TypeScript, and
// the benchmark's own files reach Node only through vitest, so the reader script and the probe it
// imports are transpiled here into a temporary directory, with `@stowage/*` pointing at the built
// packages (what the benchmark itself measures).

const bench = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCES = ['feedReader.ts', 'feedProbe.ts'] as const;

/** Transpiles the reader script into a fresh directory; the path of its entry point. */
async function compileReader(dir: string): Promise<string> {
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  for (const source of SOURCES) {
    const { outputText } = ts.transpileModule(await readFile(join(bench, source), 'utf8'), {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    });
    const linked = outputText.replace(
      /(['"])@stowage\/(core|redis)\1/g,
      (_all, _quote, name: string) =>
        `'${pathToFileURL(join(root, 'packages', name, 'dist', 'index.js')).href}'`,
    );
    await writeFile(join(dir, source.replace(/\.ts$/, '.js')), linked);
  }
  return join(dir, 'feedReader.js');
}

/** A forked reader process, driven by messages. */
export interface ReaderProcess {
  readonly child: ChildProcess;
  /** Sends `command` and resolves with the next message of type `expect`. */
  request<T>(command: ReaderCommand, expect: string): Promise<T>;
}

function readerProcess(child: ChildProcess): ReaderProcess {
  return {
    child,
    request<T>(command: ReaderCommand, expect: string) {
      return new Promise<T>((resolve, reject) => {
        const onMessage = (message: { type: string; message?: string }) => {
          if (message.type !== expect && message.type !== 'error') return;
          off();
          if (message.type === 'error') reject(new Error(`reader process: ${message.message}`));
          else resolve(message as T);
        };
        const onExit = (code: number | null) => {
          off();
          reject(new Error(`reader process exited (${code}) before '${expect}'`));
        };
        const off = () => {
          child.off('message', onMessage);
          child.off('exit', onExit);
        };
        child.on('message', onMessage);
        child.on('exit', onExit);
        child.send(command);
      });
    },
  };
}

/**
 * Lets `pid` run on every CPU (undoing the pinning it inherited), so that forked readers stand for
 * instances on other machines rather than time-sliced on this process's CPU. False if it could not.
 */
function unpin(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    execFileSync('taskset', ['-a', '-pc', `0-${cpus().length - 1}`, String(pid)], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `body` with `count` reader processes forked, free to run on every CPU, then waits for them
 * to exit and removes the compiled script.
 */
export async function withReaderProcesses<T>(
  count: number,
  body: (readers: ReadonlyArray<ReaderProcess>) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'stowage-feed-reader-'));
  const children: ChildProcess[] = [];
  try {
    const entry = await compileReader(dir);
    for (let i = 0; i < count; i++) {
      const child = fork(entry, [], {
        execArgv: [],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      unpin(child.pid);
    }
    return await body(children.map(readerProcess));
  } finally {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  }
}

/** The reports of every reader process, in order: `finish` after `drainMs` at most. */
export const finishAll = (readers: ReadonlyArray<ReaderProcess>, drainMs: number) =>
  Promise.all(
    readers.map((reader) => reader.request<ReaderReport>({ type: 'finish', drainMs }, 'result')),
  );

// Checks that what each package's `exports` map promises is what ships: publint reads the
// package as npm would publish it, and are-the-types-wrong resolves its types the way
// TypeScript does under node16 ESM and bundler resolution. Run after `pnpm build`.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const packages = readdirSync(join(root, 'packages')).filter((name) => {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
  return manifest.private !== true;
});

let failed = false;
for (const name of packages) {
  const dir = join(root, 'packages', name);
  for (const [tool, args] of [
    ['publint', ['--strict', dir]],
    // ESM-only by design (Node 20.10+), so CommonJS resolution modes are not checked.
    ['attw', ['--pack', dir, '--profile', 'esm-only', '--format', 'ascii']],
  ]) {
    try {
      execFileSync(bin(tool), args, { stdio: 'pipe', cwd: dir });
      console.log(`ok   ${tool.padEnd(7)} @stowage/${name}`);
    } catch (error) {
      failed = true;
      console.error(
        `FAIL ${tool.padEnd(7)} @stowage/${name}\n${error.stdout ?? ''}${error.stderr ?? ''}`,
      );
    }
  }
}
// What a tarball holds besides the exports: no build caches (they name this machine's paths) and
// no tests. npm reads `files` the way the registry will.
const UNSHIPPABLE = [/\.tsbuildinfo$/, /(^|\/)test\//, /\.test\.[cm]?[jt]s$/];
for (const name of packages) {
  const dir = join(root, 'packages', name);
  const [listing] = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  const unwanted = listing.files
    .map((file) => file.path)
    .filter((path) => UNSHIPPABLE.some((pattern) => pattern.test(path)));
  if (unwanted.length > 0) {
    failed = true;
    console.error(`FAIL files   @stowage/${name} would ship ${unwanted.join(', ')}`);
  } else {
    console.log(`ok   files   @stowage/${name} (${listing.files.length} files)`);
  }
}
process.exit(failed ? 1 : 0);

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runDocker } from './docker.js';
import { findRedisBinaries } from './findRedisBinaries.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import { processWide } from './processWide.js';

/** The script that builds the image; shipped with the package, one level above src/ and dist/. */
const buildRedisImageScript = fileURLToPath(
  new URL('../scripts/build-redis-image.sh', import.meta.url),
);

/** The image build of each engine, started once per process. */
function state(): Map<string, Promise<string>> {
  return processWide('@stowage/testing/redisImage', () => new Map<string, Promise<string>>());
}

/** The tag of the image built from this machine's Redis: `stowage-redis:<version>`. */
async function localRedisImageTag(): Promise<string> {
  const { cli } = findRedisBinaries();
  const version = await new Promise<string>((resolve, reject) => {
    execFile(cli, ['--version'], (error, stdout) => {
      if (error) reject(error);
      else resolve(/^redis-cli ([\d.]+)/.exec(stdout)?.[1] ?? 'unknown');
    });
  });
  return `stowage-redis:${version}`;
}

/**
 * Makes sure the engine at `dockerHost` has the image built from this machine's Redis binaries
 * (by `scripts/build-redis-image.sh`; nothing is pulled) and resolves with its tag. Built once
 * per engine; later calls find the tag.
 */
export function ensureLocalRedisImage(dockerHost: string): Promise<string> {
  const images = state();
  let image = images.get(dockerHost);
  if (image === undefined) {
    image = buildIfMissing(dockerHost).catch((error: unknown) => {
      images.delete(dockerHost);
      throw error;
    });
    images.set(dockerHost, image);
  }
  return image;
}

async function buildIfMissing(dockerHost: string): Promise<string> {
  const tag = await localRedisImageTag();
  const present = await runDocker(dockerHost, [
    'image',
    'inspect',
    '--format',
    '{{.Id}}',
    tag,
  ]).then(
    () => true,
    () => false,
  );
  if (present) return tag;
  await new Promise<void>((resolve, reject) => {
    execFile(
      'sh',
      [buildRedisImageScript, tag],
      { env: { ...process.env, DOCKER_HOST: dockerHost }, timeout: 120_000 },
      (error, _stdout, stderr) => {
        if (error) {
          reject(
            new HarnessError(
              HarnessErrorCode.CommandFailed,
              `Building the Redis image ${tag} failed: ${stderr.trim() || error.message}`,
              { cause: error },
            ),
          );
        } else {
          resolve();
        }
      },
    );
  });
  return tag;
}

import { execFile } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { type ContainerEngine, startContainerEngine } from './containerEngine.js';
import { ContainerLabel, runDocker, runDockerSync } from './docker.js';
import { trackCleanup, untrackCleanup } from './exitCleanup.js';
import { findExecutable } from './findRedisBinaries.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import { isProcessAlive } from './processState.js';
import type { RedisContainer, RedisContainerState } from './RedisContainer.js';
import { clientTls, redisCliAs, redisOptionArgs } from './RedisServer.js';
import { sendForText } from './RespConnection.js';
import { ensureLocalRedisImage } from './redisImage.js';
import { prepareServerResources } from './serverResources.js';
import type { StartRedisServerOptions } from './startRedisServer.js';
import { waitFor } from './waitFor.js';

const run = promisify(execFile);

/** Options of {@link startRedisContainer}: those of `startRedisServer`, plus the container's own. */
export interface StartRedisContainerOptions extends Omit<StartRedisServerOptions, 'provider'> {
  /**
   * Image to run instead of the one built from this machine's Redis (`stowage-redis:<version>`),
   * e.g. the official `redis:7`; also read from `REDIS_TEST_IMAGE`. It must have `redis-server`
   * on its PATH (its command is `redis-server ARGS`). A named image is pulled if absent.
   */
  readonly image?: string;
  /**
   * cgroup memory limit of the container in MiB (swap included, so the kernel kills instead of
   * swapping): below what Redis needs, the kernel's OOM killer ends it.
   */
  readonly memoryLimitMb?: number;
}

/** Port Redis listens on inside every container; the host side is a leased loopback port. */
const CONTAINER_PORT = 6379;
const CERTS_IN_CONTAINER = '/tls';

/**
 * Starts one throwaway Redis in a container (testcontainers 11), published on a leased
 * `127.0.0.1` port, and resolves once it answers through that port. The engine is found or started
 * by {@link startContainerEngine}; the image is built from this machine's Redis binaries unless
 * `image` names another. `stop()` (or the exit of the test process) removes the container.
 */
export async function startRedisContainer(
  options: StartRedisContainerOptions = {},
): Promise<RedisContainer> {
  const engine = await startContainerEngine();
  await sweepDeadOwners(engine);
  const testcontainers = await loadTestcontainers();
  const image =
    options.image ??
    process.env.REDIS_TEST_IMAGE ??
    (await ensureLocalRedisImage(engine.dockerHost));
  const resources = await prepareServerResources('redis-container', options.tls);
  const { dir, port, certificates } = resources;
  const host = '127.0.0.1';
  const tlsFiles =
    certificates === undefined
      ? undefined
      : {
          ca: `${CERTS_IN_CONTAINER}/ca.crt`,
          cert: `${CERTS_IN_CONTAINER}/server.crt`,
          key: `${CERTS_IN_CONTAINER}/server.key`,
        };
  const command = [
    'redis-server',
    '--bind',
    '0.0.0.0',
    '--protected-mode',
    'no',
    '--dir',
    '/data',
    ...redisOptionArgs({
      port: CONTAINER_PORT,
      password: options.password,
      users: options.users,
      tlsFiles,
      tls: { authClients: options.tls?.authClients ?? false },
      args: options.args,
    }),
  ];
  const logFile = join(dir, 'redis.log');
  let logWritten: Promise<unknown> = Promise.resolve();
  const logTail = (lines = 25) => {
    try {
      const text = readFileSync(logFile, 'utf8').trimEnd();
      return `--- ${name} log (last lines) ---\n${text.split('\n').slice(-lines).join('\n')}`;
    } catch {
      return `(no log output from ${name})`;
    }
  };
  let id = '';
  // Synchronous, for the exit hook: the container goes even if the test never calls stop().
  const removeOnExit = () => {
    if (id !== '') runDockerSync(engine.dockerHost, ['rm', '-f', '-v', id]);
  };
  const onCreated = (createdId: string) => {
    id = createdId;
    trackCleanup(removeOnExit);
  };
  const container = loopbackContainer(testcontainers, image, options.memoryLimitMb, onCreated)
    .withCommand(command)
    .withExposedPorts({ container: CONTAINER_PORT, host: port })
    .withLabels({
      [ContainerLabel.kind]: 'redis',
      [ContainerLabel.ownerPid]: String(process.pid),
      [ContainerLabel.ownerHost]: hostname(),
    })
    .withLogConsumer((stream) => {
      logWritten = new Promise((resolve) => {
        stream
          .pipe(createWriteStream(logFile, { flags: 'a' }))
          .once('close', () => resolve(undefined));
      });
    })
    .withWaitStrategy(testcontainers.Wait.forLogMessage(/Ready to accept connections/))
    .withStartupTimeout(options.startTimeoutMs ?? 30_000);
  if (certificates !== undefined && tlsFiles !== undefined) {
    container.withCopyContentToContainer([
      { content: certificates.ca, target: tlsFiles.ca, mode: 0o644 },
      { content: certificates.cert, target: tlsFiles.cert, mode: 0o644 },
      { content: certificates.key, target: tlsFiles.key, mode: 0o644 },
    ]);
  }
  const target = { host, port, password: options.password, tls: clientTls(certificates) };
  const name = `redis container ${host}:${port}`;
  let started: Awaited<ReturnType<typeof container.start>>;
  try {
    started = await container.start();
  } catch (error) {
    // testcontainers has removed the container by now; its log was streamed into the folder.
    await Promise.race([logWritten, sleep(1_000)]);
    const log = logTail(25);
    untrackCleanup(removeOnExit);
    removeOnExit();
    await resources.release();
    throw new HarnessError(
      HarnessErrorCode.StartFailed,
      `${name} (${image}) did not start: ${error instanceof Error ? error.message : String(error)}` +
        `\n${log}`,
      { cause: error },
    );
  }

  let pid = 0;
  let running = true;
  let runId = '';
  let stopped = false;
  let partitioned = false;

  const followLogs = async (since?: number) => {
    const stream = await started.logs(since === undefined ? {} : { since });
    stream.pipe(createWriteStream(logFile, { flags: 'a' }));
  };
  const inspect = async () => {
    const [statePid, status, oom, exit] = (
      await runDocker(engine.dockerHost, [
        'inspect',
        '--format',
        '{{.State.Pid}} {{.State.Running}} {{.State.OOMKilled}} {{.State.ExitCode}}',
        id,
      ])
    ).split(' ');
    return {
      pid: Number(statePid),
      state: { running: status === 'true', oomKilled: oom === 'true', exitCode: Number(exit) },
    };
  };
  // Ready means: Redis answers INFO through the published port, and with a run_id other than the
  // previous run's, so a restart is not mistaken for the run that was killed.
  const waitReady = async (previousRunId: string) => {
    runId = await waitFor(
      `${name} to answer`,
      async () => {
        const info = await sendForText(target, ['INFO', 'server'], 1_000);
        const current = /^run_id:(\w+)/m.exec(info)?.[1];
        return current !== undefined && current !== previousRunId ? current : undefined;
      },
      { timeoutMs: options.startTimeoutMs ?? 30_000, details: () => logTail(25) },
    );
    const seen = await inspect();
    pid = isLocalPid(seen.pid) ? seen.pid : 0;
    running = true;
  };
  const kill = async () => {
    if (!running) return;
    if (pid !== 0) signal(pid, 'SIGCONT');
    await runDocker(engine.dockerHost, ['kill', id]).catch(async (error: unknown) => {
      // Already exited (an OOM kill, for example) is what kill() wants anyway.
      if ((await inspect()).state.running) throw error;
    });
    running = false;
    partitioned = false;
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await started.stop({ remove: true, removeVolumes: true, timeout: 0 });
    untrackCleanup(removeOnExit);
    running = false;
    await resources.release();
  };
  const setPartition = async (on: boolean) => {
    if (pid === 0) {
      throw new HarnessError(
        HarnessErrorCode.InvalidOptions,
        `${name} has no process on this machine to enter (engine elsewhere, or not running)`,
      );
    }
    const nsenter = findExecutable('nsenter');
    const iptables = findExecutable('iptables', [
      ...(process.env.PATH ?? '').split(':'),
      '/usr/sbin',
      '/sbin',
    ]);
    if (nsenter === undefined || iptables === undefined) {
      throw new HarnessError(
        HarnessErrorCode.BinaryMissing,
        `partition() needs nsenter and iptables (Debian: apt-get install util-linux iptables)`,
      );
    }
    try {
      await run(nsenter, [
        `--net=/proc/${pid}/ns/net`,
        iptables,
        on ? '-I' : '-D',
        'INPUT',
        '-j',
        'DROP',
      ]);
    } catch (error) {
      throw new HarnessError(
        HarnessErrorCode.CommandFailed,
        `${on ? 'partition' : 'heal'} of ${name} failed: ${(error as { stderr?: string }).stderr ?? String(error)}`,
        { cause: error },
      );
    }
    partitioned = on;
  };

  try {
    await waitReady('');
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  const cliAs = redisCliAs({
    host,
    port,
    password: options.password,
    users: options.users,
    tls: certificates,
  });
  return {
    host,
    port,
    url: `${certificates === undefined ? 'redis' : 'rediss'}://${host}:${port}`,
    password: options.password,
    tls: certificates,
    containerId: id,
    image,
    get pid() {
      return pid;
    },
    get running() {
      return running && !stopped;
    },
    dir,
    stop,
    kill,
    pause() {
      requireLocal(pid, name);
      signal(pid, 'SIGSTOP');
    },
    resume() {
      requireLocal(pid, name);
      signal(pid, 'SIGCONT');
    },
    async restart() {
      if (stopped) throw new HarnessError(HarnessErrorCode.InvalidOptions, `${name} was stopped`);
      await kill();
      const since = Math.floor(Date.now() / 1000);
      await runDocker(engine.dockerHost, ['start', id]);
      await followLogs(since);
      await waitReady(runId);
    },
    partition: () => setPartition(true),
    async heal() {
      if (partitioned) await setPartition(false);
    },
    async state(): Promise<RedisContainerState> {
      return (await inspect()).state;
    },
    redisCli: (...args) => cliAs(undefined, args),
    redisCliAs: (username, ...args) => cliAs(username, args),
    logTail,
  };
}

/** True when `pid` is a process this machine can signal (the engine runs here, not in a VM). */
function isLocalPid(pid: number): boolean {
  return pid > 0 && isProcessAlive(pid);
}

function requireLocal(pid: number, name: string): void {
  if (pid === 0) {
    throw new HarnessError(
      HarnessErrorCode.InvalidOptions,
      `${name} is not running, or runs where this machine cannot signal it`,
    );
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Exited meanwhile.
  }
}

const sweptKey = Symbol.for('@stowage/testing/containerSweep');

/**
 * Once per process and engine: removes the containers of this package whose owner (a test process
 * on this machine) has died without stopping them. Containers of live owners, other machines' and
 * everything not labelled by this package are left alone.
 */
export async function sweepDeadOwners(
  engine: ContainerEngine,
  options: { readonly force?: boolean } = {},
): Promise<void> {
  const holder = globalThis as { [sweptKey]?: Set<string> };
  holder[sweptKey] ??= new Set();
  if (holder[sweptKey].has(engine.dockerHost) && options.force !== true) return;
  holder[sweptKey].add(engine.dockerHost);
  const listing = await runDocker(engine.dockerHost, [
    'ps',
    '-a',
    '--filter',
    `label=${ContainerLabel.ownerPid}`,
    '--format',
    `{{.ID}} {{.Label "${ContainerLabel.ownerPid}"}} {{.Label "${ContainerLabel.ownerHost}"}}`,
  ]);
  const stale = listing
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([id, owner, host]) => id && host === hostname() && !isProcessAlive(Number(owner)))
    .map(([id]) => id!);
  if (stale.length > 0) await runDocker(engine.dockerHost, ['rm', '-f', '-v', ...stale]);
}

type Testcontainers = typeof import('testcontainers');

/** testcontainers is an optional peer: loaded only by the container provider. */
async function loadTestcontainers(): Promise<Testcontainers> {
  try {
    return await import('testcontainers');
  } catch (error) {
    throw new HarnessError(
      HarnessErrorCode.BinaryMissing,
      'The container provider needs the package testcontainers@11 (npm install -D testcontainers@11)',
      { cause: error },
    );
  }
}

/**
 * A GenericContainer whose published ports bind `127.0.0.1` whatever the engine's default (Docker
 * Desktop's is every interface), and whose memory limit leaves no swap to hide in.
 */
function loopbackContainer(
  testcontainers: Testcontainers,
  image: string,
  memoryLimitMb: number | undefined,
  onCreated: (id: string) => void,
): InstanceType<Testcontainers['GenericContainer']> {
  class LoopbackContainer extends testcontainers.GenericContainer {
    protected override async beforeContainerCreated(): Promise<void> {
      for (const bindings of Object.values(this.hostConfig.PortBindings ?? {})) {
        for (const binding of bindings as Array<{ HostIp?: string }>) binding.HostIp = '127.0.0.1';
      }
      if (memoryLimitMb !== undefined) {
        this.hostConfig.Memory = memoryLimitMb * 1024 * 1024;
        this.hostConfig.MemorySwap = this.hostConfig.Memory;
      }
    }

    protected override async containerCreated(id: string): Promise<void> {
      onCreated(id);
    }
  }
  return new LoopbackContainer(image);
}

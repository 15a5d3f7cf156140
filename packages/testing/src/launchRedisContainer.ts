import { execFile } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { ContainerEngine } from './containerEngine.js';
import type { TestCertificates } from './createTestCertificates.js';
import { ContainerLabel, runDocker, runDockerSync } from './docker.js';
import { trackCleanup, untrackCleanup } from './exitCleanup.js';
import { findExecutable } from './findRedisBinaries.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import { isPortFree } from './leasePortBlock.js';
import { isProcessAlive } from './processState.js';
import type { PartitionScope, RedisContainer, RedisContainerState } from './RedisContainer.js';
import { clientTls, type RedisUser, redisCliAs } from './RedisServer.js';
import { sendForText } from './RespConnection.js';
import { waitFor } from './waitFor.js';

const run = promisify(execFile);

/** Where a container sits on its engine's network. */
export interface ContainerNetwork {
  /** Its address on the network (not reachable for clients: they use the published port). */
  readonly ip: string;
  /** The network's gateway: the engine's host, where docker-proxy carries published ports from. */
  readonly gateway: string;
  readonly prefixLength: number;
}

/** A container handle as the topologies use it: also where it sits on the network. */
export interface LaunchedContainer extends RedisContainer {
  /** As of the last (re)start. */
  readonly network: ContainerNetwork;
}

/** Everything needed to run (and re-run) one Redis container; built by the start functions. */
export interface ContainerSpec {
  readonly engine: ContainerEngine;
  readonly image: string;
  /** For messages, e.g. "redis container 127.0.0.1:17003". */
  readonly name: string;
  /** The leased host port, published on 127.0.0.1. */
  readonly port: number;
  /** The port Redis listens on inside the container. */
  readonly containerPort: number;
  /** The container's command: `redis-server ARGS`. */
  readonly command: readonly string[];
  /** Files put into the container before it starts (certificates, a sentinel's config). */
  readonly files: readonly { content: string; target: string; mode: number }[];
  /** The host folder (log copy, certificates). */
  readonly dir: string;
  readonly password: string | undefined;
  readonly users: readonly RedisUser[] | undefined;
  readonly certificates: TestCertificates | undefined;
  readonly memoryLimitMb: number | undefined;
  readonly startTimeoutMs: number;
  /** Gives the folder and ports back; on stop, or when the start fails. */
  readonly release: () => Promise<void>;
  /** Runs after every start and restart, once Redis answers (a topology's network rules). */
  readonly afterStart?: () => Promise<void>;
  /** The log line that means started. Default: Redis's "Ready to accept connections". */
  readonly readyLog?: RegExp | undefined;
}

/**
 * Starts a container from `spec` (testcontainers 11), labelled with its owner, and resolves once
 * Redis answers through the published port; on failure nothing is left behind and the error
 * carries the container's log.
 */
export async function launchRedisContainer(spec: ContainerSpec): Promise<LaunchedContainer> {
  const { engine, image, name, port, dir, certificates } = spec;
  const host = '127.0.0.1';
  const testcontainers = await loadTestcontainers();
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
  const container = loopbackContainer(testcontainers, image, spec.memoryLimitMb, onCreated)
    .withCommand([...spec.command])
    .withExposedPorts({ container: spec.containerPort, host: port })
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
    .withWaitStrategy(
      testcontainers.Wait.forLogMessage(spec.readyLog ?? /Ready to accept connections/),
    )
    .withStartupTimeout(spec.startTimeoutMs);
  if (spec.files.length > 0) container.withCopyContentToContainer([...spec.files]);
  const target = { host, port, password: spec.password, tls: clientTls(certificates) };
  let started: Awaited<ReturnType<typeof container.start>>;
  try {
    started = await container.start();
  } catch (error) {
    // testcontainers has removed the container by now; its log was streamed into the folder.
    await Promise.race([logWritten, sleep(1_000)]);
    const log = logTail(25);
    untrackCleanup(removeOnExit);
    removeOnExit();
    await spec.release();
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

  const followLogs = async (since?: number) => {
    const stream = await started.logs(since === undefined ? {} : { since });
    stream.pipe(createWriteStream(logFile, { flags: 'a' }));
  };
  let network: ContainerNetwork = { ip: '', gateway: '', prefixLength: 0 };
  const inspect = async () => {
    const [statePid, status, oom, exit, ip, gateway, prefixLength] = (
      await runDocker(engine.dockerHost, [
        'inspect',
        '--format',
        '{{.State.Pid}} {{.State.Running}} {{.State.OOMKilled}} {{.State.ExitCode}} ' +
          '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}} {{.NetworkSettings.IPPrefixLen}}',
        id,
      ])
    ).split(' ');
    return {
      pid: Number(statePid),
      state: { running: status === 'true', oomKilled: oom === 'true', exitCode: Number(exit) },
      network: { ip: ip ?? '', gateway: gateway ?? '', prefixLength: Number(prefixLength) },
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
      { timeoutMs: spec.startTimeoutMs, details: () => logTail(25) },
    );
    const seen = await inspect();
    pid = isLocalPid(seen.pid) ? seen.pid : 0;
    network = seen.network;
    running = true;
    await spec.afterStart?.();
  };
  const kill = async () => {
    if (!running) return;
    if (pid !== 0) signal(pid, 'SIGCONT');
    await runDocker(engine.dockerHost, ['kill', id]).catch(async (error: unknown) => {
      // Already exited (an OOM kill, for example) is what kill() wants anyway.
      if ((await inspect()).state.running) throw error;
    });
    // `docker kill` returns once the signal is sent. Until the engine has seen the exit and
    // released the published port, its proxy still accepts connections and resets them, which a
    // client takes for something else than a dead server (a TLS mismatch, say). Like a process's
    // kill(), this resolves when the port is closed.
    await waitFor(
      `${name} to exit and release port ${port}`,
      async () => ((await inspect()).state.running || !(await isPortFree(port)) ? undefined : true),
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    running = false;
    partitionRules = [];
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await started.stop({ remove: true, removeVolumes: true, timeout: 0 });
    untrackCleanup(removeOnExit);
    running = false;
    await spec.release();
  };
  /** The iptables rules (arguments after -I/-D) of the partition in place, newest first. */
  let partitionRules: string[][] = [];
  const setPartition = async (scope: PartitionScope | undefined) => {
    if (pid === 0) {
      throw new HarnessError(
        HarnessErrorCode.InvalidOptions,
        `${name} has no process on this machine to enter (engine elsewhere, or not running)`,
      );
    }
    const rules =
      scope === undefined
        ? partitionRules
        : scope === 'all'
          ? [['INPUT', '-j', 'DROP']]
          : // Other containers come from the network's addresses; this machine (its clients, and
            // docker-proxy carrying the published port) from the gateway, which stays allowed.
            [
              ['INPUT', '-s', `${network.gateway}/32`, '-j', 'ACCEPT'],
              ['INPUT', '-s', `${network.ip}/${network.prefixLength}`, '-j', 'DROP'],
            ];
    try {
      for (const rule of scope === undefined ? rules : [...rules].reverse()) {
        await runInNetwork(pid, iptablesBinary(), [scope === undefined ? '-D' : '-I', ...rule]);
      }
    } catch (error) {
      throw new HarnessError(
        HarnessErrorCode.CommandFailed,
        `${scope === undefined ? 'heal' : 'partition'} of ${name} failed: ${(error as { stderr?: string }).stderr ?? String(error)}`,
        { cause: error },
      );
    }
    partitionRules = scope === undefined ? [] : rules;
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
    password: spec.password,
    users: spec.users,
    tls: certificates,
  });
  return {
    host,
    port,
    url: `${certificates === undefined ? 'redis' : 'rediss'}://${host}:${port}`,
    password: spec.password,
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
    partition: (scope = 'all') => setPartition(scope),
    async heal() {
      if (partitionRules.length > 0) await setPartition(undefined);
    },
    get network() {
      return network;
    },
    async state(): Promise<RedisContainerState> {
      return (await inspect()).state;
    },
    redisCli: (...args) => cliAs(undefined, args),
    redisCliAs: (username, ...args) => cliAs(username, args),
    logTail,
  };
}

/**
 * The command of a data node in a container: every interface of the container (it is reached
 * through the engine's published port, never directly), protected mode off (an explicit command
 * turns it back on), data in /data, then `args`.
 */
export function containerServerCommand(args: readonly string[]): string[] {
  return ['redis-server', '--bind', '0.0.0.0', '--protected-mode', 'no', '--dir', '/data', ...args];
}

/** Runs `command args` inside the network namespace of `pid` (root, nsenter), `input` on stdin. */
export async function runInNetwork(
  pid: number,
  command: string,
  args: readonly string[],
  input?: string,
): Promise<string> {
  const nsenter = findExecutable('nsenter');
  if (nsenter === undefined) {
    throw new HarnessError(
      HarnessErrorCode.BinaryMissing,
      'Network faults need nsenter (Debian: util-linux) and root',
    );
  }
  const child = run(nsenter, [`--net=/proc/${pid}/ns/net`, command, ...args]);
  // A command that reads nothing may exit before its stdin is closed: that EPIPE is no failure.
  child.child.stdin?.on('error', () => {});
  child.child.stdin?.end(input ?? '');
  return (await child).stdout;
}

/** The iptables binary, also where PATH lacks the sbin folders. */
export function iptablesBinary(): string {
  const iptables = findExecutable('iptables', [
    ...(process.env.PATH ?? '').split(':'),
    '/usr/sbin',
    '/sbin',
  ]);
  if (iptables === undefined) {
    throw new HarnessError(
      HarnessErrorCode.BinaryMissing,
      'Network faults need iptables (Debian: apt-get install iptables)',
    );
  }
  return iptables;
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

import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ContainerSpec } from './ContainerSpec.js';
import { containerLog } from './containerLog.js';
import { containerPartition } from './containerPartition.js';
import { ContainerLabel, runDocker, runDockerSync } from './docker.js';
import { trackCleanup, untrackCleanup } from './exitCleanup.js';
import { clientTls, sendForText } from './HarnessConnection.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import { type ContainerNetwork, inspectContainer } from './inspectContainer.js';
import { isPortFree } from './leasePortBlock.js';
import { loadTestcontainers, loopbackContainer } from './loopbackContainer.js';
import { isProcessAlive, signalProcess } from './processState.js';
import type { RedisContainer, RedisContainerState } from './RedisContainer.js';
import { redisCliAs } from './runRedisCli.js';
import { waitFor } from './waitFor.js';

/** A container handle as the topologies use it: also where it sits on the network. */
export interface LaunchedContainer extends RedisContainer {
  /** As of the last (re)start. */
  readonly network: ContainerNetwork;
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
  const log = containerLog(name, join(dir, 'redis.log'));
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
    .withLogConsumer((stream) => log.append(stream))
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
    await log.flushed(1_000);
    // Read before release(), which removes the folder the log was copied into.
    const lastLines = log.tail(25);
    untrackCleanup(removeOnExit);
    removeOnExit();
    await spec.release();
    throw new HarnessError(
      HarnessErrorCode.StartFailed,
      `${name} (${image}) did not start: ${error instanceof Error ? error.message : String(error)}` +
        `\n${lastLines}`,
      { cause: error },
    );
  }

  /** The container's Redis as this machine sees it; 0 when the engine runs elsewhere. */
  let pid = 0;
  let running = true;
  let runId = '';
  let stopped = false;
  let network: ContainerNetwork = { ip: '', gateway: '', prefixLength: 0 };
  const partition = containerPartition(name, () => ({ pid, network }));
  const inspect = () => inspectContainer(engine.dockerHost, id);

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
      { timeoutMs: spec.startTimeoutMs, details: () => log.tail(25) },
    );
    const seen = await inspect();
    pid = seen.pid > 0 && isProcessAlive(seen.pid) ? seen.pid : 0;
    network = seen.network;
    running = true;
    await spec.afterStart?.();
  };
  const kill = async () => {
    if (!running) return;
    if (pid !== 0) signalProcess(pid, 'SIGCONT');
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
    partition.forget();
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await started.stop({ remove: true, removeVolumes: true, timeout: 0 });
    untrackCleanup(removeOnExit);
    running = false;
    await spec.release();
  };
  const requireLocalProcess = () => {
    if (pid === 0) {
      throw new HarnessError(
        HarnessErrorCode.InvalidOptions,
        `${name} is not running, or runs where this machine cannot signal it`,
      );
    }
    return pid;
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
      signalProcess(requireLocalProcess(), 'SIGSTOP');
    },
    resume() {
      signalProcess(requireLocalProcess(), 'SIGCONT');
    },
    async restart() {
      if (stopped) throw new HarnessError(HarnessErrorCode.InvalidOptions, `${name} was stopped`);
      await kill();
      const since = Math.floor(Date.now() / 1000);
      await runDocker(engine.dockerHost, ['start', id]);
      log.append(await started.logs({ since }));
      await waitReady(runId);
    },
    partition: (scope = 'all') => partition.partition(scope),
    heal: () => partition.heal(),
    get network() {
      return network;
    },
    async state(): Promise<RedisContainerState> {
      return (await inspect()).state;
    },
    redisCli: (...args) => cliAs(undefined, args),
    redisCliAs: (username, ...args) => cliAs(username, args),
    logTail: (lines) => log.tail(lines),
  };
}

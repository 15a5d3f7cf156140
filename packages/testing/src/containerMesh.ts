import type { LaunchedContainer } from './launchRedisContainer.js';
import { iptablesBinary, runInNetwork } from './runInNetwork.js';

/**
 * Makes `127.0.0.1:PORT` inside every member reach the member published on that host port, so
 * that a topology can announce loopback addresses that mean the same thing to the test's clients
 * (through the published ports) and to the members themselves (Sentinel, replication). Inside each
 * member's network namespace: `route_localnet`, a DNAT rule per member (its address, same port)
 * and a masquerade for what leaves loopback. Rewritten whole each time (`iptables-restore` of the
 * nat table), so it is run again after a member restarts (a new namespace, maybe a new address).
 * Members that do not run or have no local pid are skipped.
 */
export async function linkLoopbackMesh(
  members: readonly LaunchedContainer[],
  /** Further ports a member listens on, by its published port (a cluster node's bus port). */
  extraPorts: ReadonlyMap<number, readonly number[]> = new Map(),
): Promise<void> {
  const reachable = members.filter((member) => member.running && member.network.ip !== '');
  const table = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ...reachable.flatMap((member) =>
      [member.port, ...(extraPorts.get(member.port) ?? [])].map(
        (port) =>
          `-A OUTPUT -d 127.0.0.1/32 -p tcp --dport ${port} -j DNAT --to-destination ${member.network.ip}:${port}`,
      ),
    ),
    '-A POSTROUTING -s 127.0.0.1/32 ! -d 127.0.0.1/32 -j MASQUERADE',
    'COMMIT',
    '',
  ].join('\n');
  const restore = iptablesBinary().replace(/iptables$/, 'iptables-restore');
  await Promise.all(
    reachable
      .filter((member) => member.pid !== 0)
      .map(async (member) => {
        // /proc/sys/net shows the namespace of whoever reads it: this writes the member's setting.
        await runInNetwork(member.pid, 'sh', [
          '-c',
          'echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet',
        ]);
        await runInNetwork(member.pid, restore, [], table);
      }),
  );
}

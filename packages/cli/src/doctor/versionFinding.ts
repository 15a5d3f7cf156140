import { type Finding, finding } from './Finding.js';
import { parseInfo } from './parseInfo.js';
import { primaryNodes, type RedisClient } from './primaryNodes.js';
import { isAclRefusal } from './replyCode.js';

/** Server version: INFO server, from the app's user, else from the admin connection. */
export async function versionFinding(
  app: RedisClient,
  admin: RedisClient | undefined,
): Promise<Finding> {
  for (const client of [app, admin]) {
    if (client === undefined) continue;
    try {
      const info = parseInfo(await primaryNodes(client)[0]!.info('server'));
      const version = info.get('redis_version') ?? 'unknown';
      const mode = info.get('redis_mode');
      return finding('version', 'ok', `Redis ${version}${mode === undefined ? '' : ` (${mode})`}`);
    } catch (error) {
      if (!isAclRefusal(error)) throw error;
    }
  }
  return finding(
    'version',
    'unknown',
    "the app's user may not run INFO",
    'give --admin-url to check it',
  );
}

import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { HarnessError, HarnessErrorCode } from '../HarnessError.js';

const run = promisify(execFile);

/** The unprivileged account PostgreSQL runs under when the tests run as root. */
export interface ServerAccount {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** The account Debian's `postgresql` package creates for the server. */
const accountName = 'postgres';

/**
 * Undefined when the test process is not root (PostgreSQL then runs as the current user);
 * otherwise Debian's `postgres` account, since initdb and postgres refuse to run as root.
 */
export function serverAccount(): ServerAccount | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => {
    try {
      return Number(
        execFileSync('id', [flag, accountName], { encoding: 'utf8', timeout: 5_000 }).trim(),
      );
    } catch (error) {
      throw new HarnessError(
        HarnessErrorCode.BinaryMissing,
        `PostgreSQL refuses to run as root and there is no "${accountName}" user to run it as. ` +
          'Install the Debian/Ubuntu package "postgresql" (it creates the user), or run the tests ' +
          'as an unprivileged user.',
        { cause: error },
      );
    }
  };
  return { name: accountName, uid: id('-u'), gid: id('-g') };
}

/** Hands `path` (recursively) to the server account, so that PostgreSQL can use it as root's tests' folder. */
export async function giveToAccount(
  path: string,
  account: ServerAccount | undefined,
): Promise<void> {
  if (account === undefined) return;
  await run('chown', ['-R', `${account.uid}:${account.gid}`, path], { timeout: 10_000 });
}

import { execFileSync } from 'node:child_process';
import { chown } from 'node:fs/promises';
import { HarnessError, HarnessErrorCode } from '../HarnessError.js';

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

/**
 * Hands `paths` (each alone, not recursively) to the server account, so that PostgreSQL can use
 * folders and files the root test process made.
 */
export async function giveToAccount(
  paths: readonly string[],
  account: ServerAccount | undefined,
): Promise<void> {
  if (account === undefined) return;
  await Promise.all(paths.map((path) => chown(path, account.uid, account.gid)));
}

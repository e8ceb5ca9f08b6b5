import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../platform/server/freePort.ts';

const run = promisify(execFile);

export interface LocalPostgres {
  url: string;
  version: string;
  stop(): Promise<void>;
}

/** The newest installed server's bin folder (Debian's layout, then PATH), or null when none is installed. */
async function serverBin(): Promise<string | null> {
  const root = '/usr/lib/postgresql';
  const versions = await readdir(root).catch(() => []);
  const newest = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))[0];
  if (newest) return path.join(root, newest, 'bin');
  const found = await run('sh', ['-c', 'command -v initdb']).catch(() => null);
  return found ? path.dirname(found.stdout.trim()) : null;
}

/**
 * A throwaway PostgreSQL server in a temporary folder on a free port, for a benchmark to compare against
 * PGlite when no DATABASE_URL is given. PostgreSQL refuses to run as root, so as root it runs as the
 * `postgres` user. Resolves to null when no server is installed or it cannot start.
 */
export async function startLocalPostgres(): Promise<LocalPostgres | null> {
  const bin = await serverBin();
  if (!bin) return null;
  const home = await mkdtemp(path.join(os.tmpdir(), 'bench-pg-'));
  const asRoot = process.getuid?.() === 0;
  const exec = async (command: string, args: string[]) => {
    const full = path.join(bin, command);
    return asRoot ? run('runuser', ['-u', 'postgres', '--', full, ...args]) : run(full, args);
  };
  try {
    if (asRoot) await chown(home, Number((await run('id', ['-u', 'postgres'])).stdout), 0);
    const data = path.join(home, 'data');
    const port = await freePort();
    await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres']);
    await exec('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(home, 'log'),
      '-w',
      '-o',
      `-p ${port} -k ${home} -c listen_addresses=127.0.0.1 -c max_connections=200`,
      'start',
    ]);
    const { stdout } = await exec('postgres', ['--version']);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      version: /\d+(\.\d+)?/.exec(stdout)?.[0] ?? '',
      async stop() {
        await exec('pg_ctl', ['-D', data, '-m', 'fast', 'stop']).catch(() => undefined);
        await rm(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    console.warn(`no local PostgreSQL server: ${(error as Error).message.split('\n')[0]}`);
    await rm(home, { recursive: true, force: true });
    return null;
  }
}

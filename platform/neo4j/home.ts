/**
 * The instance's home folder as the launcher prepares it before every start: neo4j.conf written afresh, the
 * password kept in a file beside the store, and the JVM's flags to match.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const ENTRY_POINT = 'org.neo4j.server.CommunityEntryPoint';

export interface Sizing {
  heapMb: number;
  pageCacheMb: number;
}

export function sizing(opts: { heapMb?: number | undefined; pageCacheMb?: number | undefined }): Sizing {
  return { heapMb: opts.heapMb ?? 512, pageCacheMb: opts.pageCacheMb ?? 256 };
}

export async function writeConfig(
  home: string,
  port: number,
  { heapMb, pageCacheMb }: Sizing,
): Promise<void> {
  const settings = [
    '# Written by platform/neo4j/home.ts on every launch; edits are overwritten.',
    'server.default_listen_address=127.0.0.1',
    `server.bolt.listen_address=127.0.0.1:${port}`,
    `server.bolt.advertised_address=127.0.0.1:${port}`,
    'server.http.enabled=false',
    'server.https.enabled=false',
    'dbms.security.auth_enabled=true',
    'dbms.usage_report.enabled=false',
    // Only read by Neo4j's own launcher scripts, kept equal to the JVM flags so the file tells the truth.
    `server.memory.heap.initial_size=${heapMb}m`,
    `server.memory.heap.max_size=${heapMb}m`,
    `server.memory.pagecache.size=${pageCacheMb}m`,
    // Each database preallocates a whole log file (256 MB by default); keep the disk footprint small.
    'db.tx_log.rotation.size=32M',
    'db.tx_log.rotation.retention_policy=2 files',
    // Bolt shutdown otherwise idles 5 s + 5 s (measured: "Stopping..." to "Stopped." took 10.2 s, now 0.3 s),
    // which every Ctrl-C and test teardown would pay. Internal settings, hence pinned to this version.
    'internal.dbms.bolt.netty_server_shutdown_quiet_period=0',
    'internal.dbms.bolt.netty_server_shutdown_timeout=2',
    'internal.server.bolt.connection_shutdown_wait_time=1s',
    'internal.server.bolt.thread_pool_shutdown_wait_time=1s',
    `server.directories.data=${path.join(home, 'data')}`,
    `server.directories.logs=${path.join(home, 'logs')}`,
  ];
  await writeFile(path.join(home, 'conf', 'neo4j.conf'), `${settings.join('\n')}\n`);
}

export function jvmArgs(libDir: string, home: string, { heapMb }: Sizing): string[] {
  return [
    `-Xms${heapMb}m`,
    `-Xmx${heapMb}m`,
    '-XX:+UseG1GC',
    '-XX:-OmitStackTraceInFastThrow',
    '-Dfile.encoding=UTF-8',
    // Startup works without these, but Neo4j then logs that the page cache runs in a slower "fallback mode"
    // (java.nio) and that tx-log preallocation / fadvise fail with "Incorrect file descriptor" (java.io, sun.nio.ch).
    '--add-opens=java.base/java.nio=ALL-UNNAMED',
    '--add-opens=java.base/java.io=ALL-UNNAMED',
    '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
    '-cp',
    path.join(libDir, '*'),
    ENTRY_POINT,
    `--home-dir=${home}`,
    `--config-dir=${path.join(home, 'conf')}`,
  ];
}

/** `fresh` means no store yet, so the built-in user still has the initial password that must be changed. */
export async function resolvePassword(home: string): Promise<{ password: string; fresh: boolean }> {
  const file = path.join(home, 'password');
  // Neo4j 5 keeps users in the system database (4.x used data/dbms, which 5.x never creates).
  const fresh = !existsSync(path.join(home, 'data', 'databases', 'system'));
  const stored = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (stored) return { password: stored, fresh };
  if (!fresh) {
    throw new Error(
      `The Neo4j store in ${home} exists but its password file ${file} is missing, so it cannot be opened. ` +
        `Delete ${home} to start over with an empty database (or restore the password file).`,
    );
  }
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return { password, fresh };
}

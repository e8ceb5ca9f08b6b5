import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import { afterAll, describe, expect, it } from 'vitest';
import {
  launchNeo4j,
  Neo4jHomeInUseError,
  stopAllNeo4j,
  type Neo4jConnection,
} from '../platform/neo4j/launcher.ts';

// Each launch is a real JVM start (~5-10 s), and a cold machine may first have to fetch the jars.
const TIMEOUT = 180_000;
const quiet = { log: () => {}, handleSignals: false, heapMb: 256, pageCacheMb: 64 };

async function query(
  connection: Neo4jConnection,
  cypher: string,
  params: Record<string, unknown> = {},
): Promise<Record<string, unknown>[]> {
  const driver = neo4j.driver(connection.uri, neo4j.auth.basic(connection.user, connection.password), {
    disableLosslessIntegers: true,
  });
  try {
    const { records } = await driver.executeQuery(cypher, params);
    return records.map((record) => record.toObject());
  } finally {
    await driver.close();
  }
}

const isGone = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

describe('launchNeo4j', () => {
  const dirs: string[] = [];
  const freshDataDir = async (): Promise<string> => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'neo4j-launcher-'));
    dirs.push(dir);
    return dir;
  };

  afterAll(async () => {
    await stopAllNeo4j();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it(
    'starts, answers, stops, and keeps data and password across restarts',
    async () => {
      const dataDir = await freshDataDir();
      const token = randomUUID();

      const first = await launchNeo4j({ dataDir, ...quiet });
      expect(first.uri).toMatch(/^bolt:\/\/127\.0\.0\.1:\d+$/);
      expect(first.user).toBe('neo4j');
      expect(first.password).not.toBe('neo4j');
      expect((await stat(path.join(dataDir, 'password'))).mode & 0o777).toBe(0o600);
      expect(await query(first, 'RETURN 1 AS one')).toEqual([{ one: 1 }]);
      await query(first, 'CREATE (:Probe {token: $token})', { token });
      await first.stop();
      expect(isGone(first.pid)).toBe(true);

      const second = await launchNeo4j({ dataDir, ...quiet });
      expect(second.password).toBe(first.password);
      expect(await query(second, 'MATCH (p:Probe) RETURN p.token AS token')).toEqual([{ token }]);
      await second.stop();
      expect(isGone(second.pid)).toBe(true);

      // Without the password file the store cannot be opened; the error must say what to do.
      await rename(path.join(dataDir, 'password'), path.join(dataDir, 'password.bak'));
      await expect(launchNeo4j({ dataDir, ...quiet })).rejects.toThrow(/Delete .* to start over/);
    },
    TIMEOUT,
  );

  it(
    'clears a JVM left running by a launch that was never stopped',
    async () => {
      const dataDir = await freshDataDir();
      const forgotten = await launchNeo4j({ dataDir, ...quiet });
      await query(forgotten, 'CREATE (:Probe {token: "kept"})');

      const next = await launchNeo4j({ dataDir, ...quiet });
      expect(isGone(forgotten.pid)).toBe(true);
      expect(next.pid).not.toBe(forgotten.pid);
      expect(next.password).toBe(forgotten.password);
      expect(await query(next, 'MATCH (p:Probe) RETURN p.token AS token')).toEqual([{ token: 'kept' }]);
      await next.stop();
      expect(isGone(next.pid)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'refuses a home whose Neo4j belongs to another live process, and clears it once that process is gone',
    async () => {
      const dataDir = await freshDataDir();
      const theirs = await launchNeo4j({ dataDir, ...quiet });
      // Make the instance look launched by another, still running, process.
      const owner = spawn('sleep', ['60'], { stdio: 'ignore' });
      await writeFile(path.join(dataDir, 'neo4j.pid'), `${theirs.pid} ${owner.pid}\n`);

      await expect(launchNeo4j({ dataDir, ...quiet })).rejects.toBeInstanceOf(Neo4jHomeInUseError);
      expect(isGone(theirs.pid)).toBe(false);

      owner.kill('SIGKILL');
      await new Promise((resolve) => owner.once('exit', resolve));
      const next = await launchNeo4j({ dataDir, ...quiet });
      expect(isGone(theirs.pid)).toBe(true);
      await next.stop();
    },
    TIMEOUT,
  );
});

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';
import { PROJECT_ROOT } from '../../platform/config.ts';

/** `npm start` as its own operating-system process, so a test can kill it as a crash would. */
export interface StackProcess {
  gatewayUrl: string;
  /** SIGKILL: no handler runs, nothing is flushed or committed that was not already. */
  kill(): Promise<void>;
  /** SIGTERM and wait: the orderly stop a process manager asks for. Resolves with how it exited. */
  stop(): Promise<Exit>;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `npm start` on a data folder and database of the test's, the test run's Neo4j, and the demo data. */
export function stackEnvironment(options: {
  dataDir: string;
  databaseUrl: string | undefined;
  jwtSecret: string;
  internalSecret: string;
}): Record<string, string> {
  const neo4j = inject('neo4j');
  return {
    DATA_DIR: options.dataDir,
    DATABASE_URL: options.databaseUrl ?? '',
    NEO4J_URI: neo4j.uri,
    NEO4J_USER: neo4j.user,
    NEO4J_PASSWORD: neo4j.password,
    JWT_SECRET: options.jwtSecret,
    INTERNAL_SECRET: options.internalSecret,
    SEED_DEMO: 'true',
  };
}

function exited(child: ChildProcess): Promise<Exit> {
  const exit = () => ({ code: child.exitCode, signal: child.signalCode });
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(exit());
  return new Promise((resolve) => child.once('exit', () => resolve(exit())));
}

/**
 * Starts the stack as `npm start` does (scripts/start.mjs, in one Node process: no parent process that a
 * kill would leave orphaned) with `env` over this process's environment, and resolves once it prints the
 * gateway.
 */
export async function startStackProcess(env: Record<string, string>): Promise<StackProcess> {
  const child = spawn(process.execPath, [path.join('scripts', 'start.mjs')], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const gatewayUrl = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /gateway\s+(http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', (code, signal) =>
      reject(new Error(`the stack exited (${code ?? signal}) before it was ready:\n${output}`)),
    );
  });
  child.removeAllListeners('exit');
  return {
    gatewayUrl,
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async stop() {
      child.kill('SIGTERM');
      return exited(child);
    },
  };
}

/**
 * Runs Neo4j Community as a child JVM when no external Neo4j is configured.
 *
 * The JVM must never outlive the Node process that started it, whatever way that process ends:
 * - stop() and stopAllNeo4j() for orderly shutdown,
 * - an 'exit' hook and optional SIGINT/SIGTERM handlers for ordinary process ends,
 * - a detached watchdog for a parent killed with SIGKILL (no JS runs then),
 * - a pid file so the next launch can clear an instance that escaped all of the above.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import neo4j, { type Driver } from 'neo4j-driver';
import { ENTRY_POINT, jvmArgs, resolvePassword, sizing, writeConfig, type Sizing } from './home.ts';
import { provisionNeo4jJars, type ProvisionOptions } from './jars.ts';
import { commandLineOf, isAlive, sendSignal, waitUntilDead } from './processes.ts';
import { defaultLog, NEO4J_VERSION, requireJava, seconds, sleep } from './toolchain.ts';
import { freePort } from '../server/freePort.ts';

// The jars are provisioned in jars.ts; callers keep importing everything Neo4j from here.
export { provisionNeo4jJars, type ProvisionOptions } from './jars.ts';
export { NEO4J_VERSION } from './toolchain.ts';

export interface Neo4jConnection {
  uri: string;
  user: string;
  password: string;
}

export interface RunningNeo4j extends Neo4jConnection {
  stop(): Promise<void>;
  pid: number;
}

export interface LaunchOptions extends ProvisionOptions {
  /** Home of the instance: conf, data, logs, password file and pid file live here. */
  dataDir: string;
  heapMb?: number;
  pageCacheMb?: number;
  /** Stop Neo4j and exit on SIGINT/SIGTERM unless the application handles those signals itself. Default true. */
  handleSignals?: boolean;
}

const USER = 'neo4j';
const INITIAL_PASSWORD = 'neo4j';
const STARTUP_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 15_000;

// ---------------------------------------------------------------------------------------------------------
// Running instances and process hooks

interface Instance {
  pid: number;
  home: string;
  child: ChildProcess;
  watchdog: ChildProcess | undefined;
  exited: Promise<void>;
  exitStatus: string | undefined;
  stopping: Promise<void> | undefined;
}

const running = new Set<Instance>();
let exitHookInstalled = false;
let signalHandlersInstalled = false;
let signalReceived = false;

/** Stops every Neo4j started by this process; for applications that handle signals themselves. */
export async function stopAllNeo4j(): Promise<void> {
  await Promise.all([...running].map((instance) => stopInstance(instance)));
}

async function stopInstance(instance: Instance): Promise<void> {
  instance.stopping ??= (async () => {
    if (instance.exitStatus !== undefined) return;
    instance.child.kill('SIGTERM');
    if (await settlesWithin(instance.exited, STOP_GRACE_MS)) return;
    instance.child.kill('SIGKILL');
    await instance.exited;
  })();
  await instance.stopping;
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Listeners cannot await here; SIGTERM lets Neo4j shut down cleanly and the watchdog escalates if it hangs. */
function terminateAllNow(): void {
  for (const instance of running) instance.child.kill('SIGTERM');
}

function onParentSignal(signal: NodeJS.Signals): void {
  // With other listeners present the application owns shutdown (and may still need Neo4j while draining);
  // the exit hook and the watchdog still guarantee the JVM goes when the process does.
  if (process.listenerCount(signal) > 1) return;
  // Repeats are ignored rather than escalated: Ctrl-C reaches every process in the group and wrappers relay it
  // again, and a SIGKILL mid-checkpoint was observed that way. stop() has its own SIGKILL deadline.
  if (signalReceived) return;
  signalReceived = true;
  void stopAllNeo4j().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
}

function installProcessHooks(handleSignals: boolean): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', terminateAllNow);
  }
  if (handleSignals && !signalHandlersInstalled) {
    signalHandlersInstalled = true;
    process.on('SIGINT', onParentSignal);
    process.on('SIGTERM', onParentSignal);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Stale instances

function pidFileOf(home: string): string {
  return path.join(home, 'neo4j.pid');
}

/** Another live process runs Neo4j in this home: taking it over would pull the database from under it. */
export class Neo4jHomeInUseError extends Error {
  constructor(
    readonly home: string,
    readonly ownerPid: number,
  ) {
    super(`${home} is in use by Neo4j of process ${ownerPid}; stop that process or use another data folder`);
  }
}

/**
 * The pid file names the JVM and the Node process that launched it. A JVM whose launcher is gone is a
 * leftover of a killed run and is stopped; one whose launcher still lives belongs to another run.
 */
async function clearStaleInstance(home: string, log: (line: string) => void): Promise<void> {
  const pidFile = pidFileOf(home);
  const [pid = 0, ownerPid = 0] = (await readFile(pidFile, 'utf8').catch(() => ''))
    .trim()
    .split(/\s+/)
    .map((part) => Number.parseInt(part, 10) || 0);
  if (pid > 0 && isAlive(pid)) {
    const commandLine = commandLineOf(pid);
    if (commandLine.includes(ENTRY_POINT) && commandLine.includes(`--home-dir=${home}`)) {
      if (ownerPid > 0 && ownerPid !== process.pid && isAlive(ownerPid))
        throw new Neo4jHomeInUseError(home, ownerPid);
      log(`neo4j: stopping leftover Neo4j (pid ${pid}) that still holds ${home}`);
      await terminate(pid);
    }
  }
  await rm(pidFile, { force: true });
}

/** The store lock is a file lock released at process death, so a dead JVM is all a new start needs. */
async function terminate(pid: number): Promise<void> {
  sendSignal(pid, 'SIGTERM');
  if (!(await waitUntilDead(pid, STOP_GRACE_MS))) {
    sendSignal(pid, 'SIGKILL');
    if (!(await waitUntilDead(pid, 5_000))) throw new Error(`Could not kill the leftover Neo4j (pid ${pid})`);
  }
  // If it was started by this very process, wait for Node to reap it so its bookkeeping has run.
  const own = [...running].find((instance) => instance.pid === pid);
  if (own) await own.exited;
}

// ---------------------------------------------------------------------------------------------------------
// JVM and watchdog

/**
 * Polls once a second; when the parent is gone it asks the JVM to stop and kills it 10 s later.
 * Zombies count as dead because an orphan in a container may never be reaped.
 */
const WATCHDOG_SCRIPT = `
parent=$1 jvm=$2
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local stat
  { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 0
  stat=\${stat##*) }
  [ "\${stat:0:1}" != Z ]
}
while alive "$jvm"; do
  if ! alive "$parent"; then
    kill -TERM "$jvm" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do sleep 1; alive "$jvm" || exit 0; done
    kill -KILL "$jvm" 2>/dev/null
    exit 0
  fi
  sleep 1
done
`;

function startWatchdog(jvmPid: number, log: (line: string) => void): ChildProcess {
  // Detached so that a Ctrl-C aimed at the parent's process group cannot take the watchdog down with it.
  const watchdog = spawn(
    'bash',
    ['-c', WATCHDOG_SCRIPT, 'neo4j-watchdog', String(process.pid), String(jvmPid)],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  watchdog.once('error', (error) =>
    log(`neo4j: watchdog unavailable (${error.message}); a SIGKILLed parent would leave the JVM running`),
  );
  watchdog.unref();
  return watchdog;
}

function startJvm(
  java: string,
  libDir: string,
  home: string,
  size: Sizing,
  log: (line: string) => void,
): Instance {
  const consoleFd = openSync(path.join(home, 'logs', 'console.log'), 'w');
  let child: ChildProcess;
  try {
    // Detached: terminal signals go to the parent, which decides when Neo4j stops (it may still need it).
    child = spawn(java, jvmArgs(libDir, home, size), {
      cwd: home,
      detached: true,
      stdio: ['ignore', consoleFd, consoleFd],
    });
  } finally {
    closeSync(consoleFd);
  }
  // Without a listener a failed spawn would surface later as an uncaught 'error' event.
  child.once('error', (error) => log(`neo4j: ${error.message}`));
  if (child.pid === undefined) throw new Error(`Could not start ${java}`);
  // The JVM's lifetime follows this process, not the other way round: a finished script should just end.
  child.unref();
  const instance: Instance = {
    pid: child.pid,
    home,
    child,
    watchdog: undefined,
    exited: new Promise((resolve) => child.once('exit', () => resolve())),
    exitStatus: undefined,
    stopping: undefined,
  };
  child.once('exit', (code, signal) =>
    onJvmExit(instance, signal ? `killed by ${signal}` : `exit code ${code}`),
  );
  writeFileSync(pidFileOf(home), `${instance.pid} ${process.pid}\n`);
  instance.watchdog = startWatchdog(instance.pid, log);
  running.add(instance);
  return instance;
}

function onJvmExit(instance: Instance, status: string): void {
  instance.exitStatus = status;
  running.delete(instance);
  const watchdog = instance.watchdog;
  if (watchdog && watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGTERM');
  // A newer launch may already have written its own pid here.
  const pidFile = pidFileOf(instance.home);
  if (readOrEmpty(pidFile).trim().split(/\s+/)[0] === String(instance.pid)) rmSync(pidFile, { force: true });
}

// ---------------------------------------------------------------------------------------------------------
// Waiting for Bolt and setting the password

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function tail(file: string, lines = 30): string {
  return readOrEmpty(file).trimEnd().split('\n').slice(-lines).join('\n') || '(empty or not written)';
}

function startupError(home: string, reason: string): Error {
  const logs = path.join(home, 'logs');
  return new Error(
    `${reason}\n--- ${path.join(logs, 'neo4j.log')} (last 30 lines) ---\n${tail(path.join(logs, 'neo4j.log'))}` +
      `\n--- ${path.join(logs, 'console.log')} (last 30 lines) ---\n${tail(path.join(logs, 'console.log'))}`,
  );
}

function errorCode(error: unknown): string {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : '';
}

/** Retrying these cannot help, and repeated bad logins lock the user out for a while. */
const isAuthFailure = (error: unknown): boolean => errorCode(error).startsWith('Neo.ClientError.Security.');

async function waitForBolt(
  uri: string,
  password: string,
  instance: Instance,
  deadline: number,
): Promise<Driver> {
  for (;;) {
    if (instance.exitStatus !== undefined) {
      throw startupError(instance.home, `Neo4j exited during startup (${instance.exitStatus})`);
    }
    const driver = neo4j.driver(uri, neo4j.auth.basic(USER, password), {
      connectionTimeout: 2_000,
      maxConnectionPoolSize: 2,
    });
    try {
      await driver.verifyConnectivity();
      return driver;
    } catch (error) {
      await driver.close();
      if (isAuthFailure(error)) throw error;
      if (Date.now() > deadline) {
        throw startupError(
          instance.home,
          `Neo4j did not answer on ${uri} within ${STARTUP_TIMEOUT_MS / 1000} s`,
        );
      }
    }
    await sleep(250);
  }
}

async function changeInitialPassword(driver: Driver, password: string): Promise<void> {
  const session = driver.session({ database: 'system' });
  try {
    await session.run('ALTER CURRENT USER SET PASSWORD FROM $old TO $new', {
      old: INITIAL_PASSWORD,
      new: password,
    });
  } finally {
    await session.close();
  }
}

async function authenticate(
  uri: string,
  password: string,
  fresh: boolean,
  instance: Instance,
): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  if (!fresh) {
    try {
      await (await waitForBolt(uri, password, instance, deadline)).close();
      return;
    } catch (error) {
      // A first launch that died between creating the store and changing the password leaves neo4j/neo4j.
      if (errorCode(error) !== 'Neo.ClientError.Security.Unauthorized') throw error;
    }
  }
  const initial = await waitForBolt(uri, INITIAL_PASSWORD, instance, deadline).catch((error: unknown) => {
    if (!isAuthFailure(error)) throw error;
    const file = path.join(instance.home, 'password');
    throw new Error(
      `Neo4j in ${instance.home} rejects the password in ${file}; delete ${instance.home} to start over`,
      {
        cause: error,
      },
    );
  });
  try {
    await changeInitialPassword(initial, password);
  } finally {
    await initial.close();
  }
  await (await waitForBolt(uri, password, instance, deadline)).close();
}

// ---------------------------------------------------------------------------------------------------------
// Launch

/** Starts Neo4j on a free loopback port and resolves once Bolt accepts the stored password. */
export async function launchNeo4j(opts: LaunchOptions): Promise<RunningNeo4j> {
  const log = opts.log ?? defaultLog;
  const home = path.resolve(opts.dataDir);
  const size = sizing(opts);
  const libDir = await provisionNeo4jJars(opts);
  const java = requireJava();
  await mkdir(path.join(home, 'conf'), { recursive: true });
  await mkdir(path.join(home, 'logs'), { recursive: true });
  await clearStaleInstance(home, log);
  const { password, fresh } = await resolvePassword(home);
  const port = await freePort();
  await writeConfig(home, port, size);

  const started = Date.now();
  const uri = `bolt://127.0.0.1:${port}`;
  installProcessHooks(opts.handleSignals !== false);
  const instance = startJvm(java, libDir, home, size, log);
  log(
    `neo4j: starting Neo4j ${NEO4J_VERSION} (pid ${instance.pid}) on ${uri}, logs in ${path.join(home, 'logs')}`,
  );
  try {
    await authenticate(uri, password, fresh, instance);
  } catch (error) {
    await stopInstance(instance);
    throw error;
  }
  log(`neo4j: ready on ${uri} after ${seconds(started)}${fresh ? ' (new store, password set)' : ''}`);
  return { uri, user: USER, password, pid: instance.pid, stop: () => stopInstance(instance) };
}

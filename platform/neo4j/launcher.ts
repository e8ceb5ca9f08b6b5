/**
 * Runs Neo4j Community as a child JVM when no external Neo4j is configured.
 *
 * The JVM must never outlive the Node process that started it, whatever way that process ends:
 * - stop() and stopAllNeo4j() for orderly shutdown,
 * - an 'exit' hook and optional SIGINT/SIGTERM handlers for ordinary process ends,
 * - a detached watchdog for a parent killed with SIGKILL (no JS runs then),
 * - a pid file so the next launch can clear an instance that escaped all of the above.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import neo4j, { type Driver } from 'neo4j-driver';

export const NEO4J_VERSION = '5.26.19';

export interface Neo4jConnection {
  uri: string;
  user: string;
  password: string;
}

export interface RunningNeo4j extends Neo4jConnection {
  stop(): Promise<void>;
  pid: number;
}

export interface ProvisionOptions {
  /** Default <project root>/.cache; jars go to <cacheDir>/neo4j-<version>/lib. */
  cacheDir?: string;
  /** Progress lines; default console.error so stdout stays free for program output. */
  log?: (line: string) => void;
}

export interface LaunchOptions extends ProvisionOptions {
  /** Home of the instance: conf, data, logs, password file and pid file live here. */
  dataDir: string;
  heapMb?: number;
  pageCacheMb?: number;
  /** Stop Neo4j and exit on SIGINT/SIGTERM unless the application handles those signals itself. Default true. */
  handleSignals?: boolean;
}

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const POM = fileURLToPath(new URL('../../neo4j/pom.xml', import.meta.url));
const ENTRY_POINT = 'org.neo4j.server.CommunityEntryPoint';
const USER = 'neo4j';
const INITIAL_PASSWORD = 'neo4j';
const STARTUP_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 15_000;
const ALTERNATIVE = 'or set NEO4J_URI to point at an existing Neo4j 5 server instead';

const defaultLog = (line: string): void => console.error(line);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const megabytes = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;
// eslint-disable-next-line no-control-regex -- Maven colours some lines with ANSI escapes even in batch mode
const stripAnsi = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

// ---------------------------------------------------------------------------------------------------------
// Toolchain checks

function javaCommand(): string {
  const home = process.env.JAVA_HOME;
  return home ? path.join(home, 'bin', 'java') : 'java';
}

/** Handles both "1.8.0_392" (Java 8 and older) and "17.0.15" / "21" version strings. */
function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

let checkedJava: string | undefined;

function requireJava(): string {
  if (checkedJava) return checkedJava;
  const command = javaCommand();
  const probe = spawnSync(command, ['-version'], { encoding: 'utf8' });
  const major = probe.error ? undefined : parseJavaMajor(`${probe.stderr}${probe.stdout}`);
  if (major === undefined) {
    throw new Error(
      `Neo4j ${NEO4J_VERSION} needs a Java runtime, but \`${command} -version\` did not run. ` +
        `Install a JDK 17 or newer (e.g. apt-get install openjdk-17-jdk-headless, brew install openjdk@17) ` +
        `and put it on PATH or in JAVA_HOME, ${ALTERNATIVE}.`,
    );
  }
  if (major < 17) {
    throw new Error(
      `Neo4j ${NEO4J_VERSION} needs Java 17 or newer, but \`${command}\` is Java ${major}. ` +
        `Install a JDK 17+ and point JAVA_HOME at it, ${ALTERNATIVE}.`,
    );
  }
  checkedJava = command;
  return command;
}

function requireMaven(log: (line: string) => void): void {
  const probe = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  const match = probe.error ? null : /Apache Maven (\d+)\.(\d+)/.exec(stripAnsi(`${probe.stdout}`));
  if (!match) {
    throw new Error(
      `The Neo4j ${NEO4J_VERSION} jars are not downloaded yet and Maven is needed to fetch them, ` +
        `but \`mvn -v\` did not run. Install Maven 3.8+ (e.g. apt-get install maven, brew install maven), ${ALTERNATIVE}.`,
    );
  }
  const [major, minor] = [Number(match[1]), Number(match[2])];
  // Older Mavens probably work too; say so rather than refusing.
  if (major < 3 || (major === 3 && minor < 8))
    log(`neo4j: Maven ${major}.${minor} is older than 3.8; trying anyway`);
}

// ---------------------------------------------------------------------------------------------------------
// Provisioning

function libDirFor(cacheDir: string | undefined): string {
  return path.join(
    path.resolve(cacheDir ?? path.join(PROJECT_ROOT, '.cache')),
    `neo4j-${NEO4J_VERSION}`,
    'lib',
  );
}

async function hasJars(libDir: string): Promise<boolean> {
  const names = await readdir(libDir).catch(() => [] as string[]);
  return names.includes(`neo4j-${NEO4J_VERSION}.jar`) && names.includes(`neo4j-server-${NEO4J_VERSION}.jar`);
}

/** Returns the lib dir, downloading the jars with Maven first when they are missing. */
export async function provisionNeo4jJars(opts: ProvisionOptions = {}): Promise<string> {
  const libDir = libDirFor(opts.cacheDir);
  if (await hasJars(libDir)) return libDir;
  const log = opts.log ?? defaultLog;
  requireJava();
  requireMaven(log);

  const versionDir = path.dirname(libDir);
  await mkdir(versionDir, { recursive: true });
  await removeAbandonedPartials(versionDir);
  // Maven writes into a private folder that is renamed into place only on success,
  // so an interrupted download never leaves a lib dir that looks complete.
  const partial = path.join(versionDir, `lib.partial-${process.pid}`);
  await rm(partial, { recursive: true, force: true });
  const started = Date.now();
  log(`neo4j: fetching Neo4j ${NEO4J_VERSION} jars with Maven (one-off, about 120 MB)`);
  try {
    await runMaven(partial, log);
    await moveIntoPlace(partial, libDir);
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  const { count, bytes } = await folderStats(libDir);
  log(`neo4j: ${count} jars (${megabytes(bytes)}) ready in ${libDir} after ${seconds(started)}`);
  return libDir;
}

async function removeAbandonedPartials(versionDir: string): Promise<void> {
  for (const name of await readdir(versionDir)) {
    const pid = Number(/^lib\.partial-(\d+)$/.exec(name)?.[1]);
    if (pid && !isAlive(pid)) await rm(path.join(versionDir, name), { recursive: true, force: true });
  }
}

async function moveIntoPlace(partial: string, libDir: string): Promise<void> {
  try {
    await rename(partial, libDir);
  } catch (error) {
    // A concurrent provisioner (another test worker, say) finished first: its copy is as good as ours.
    if (await hasJars(libDir)) return;
    throw new Error(`Could not move the Neo4j jars into ${libDir}; delete that folder and retry`, {
      cause: error,
    });
  }
}

async function folderStats(dir: string): Promise<{ count: number; bytes: number }> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.jar'));
  const sizes = await Promise.all(names.map(async (name) => (await stat(path.join(dir, name))).size));
  return { count: names.length, bytes: sizes.reduce((sum, size) => sum + size, 0) };
}

function runMaven(outputDir: string, log: (line: string) => void): Promise<void> {
  const args = [
    '-B',
    '-Dstyle.color=never',
    '-f',
    POM,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${outputDir}`,
    '-DincludeScope=runtime',
  ];
  const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const progress = mavenProgress(log);
  const recent: string[] = [];
  const onLine = (raw: string): void => {
    const line = stripAnsi(raw);
    recent.push(line);
    if (recent.length > 40) recent.shift();
    progress.line(line);
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      progress.flush();
      if (code === 0) return resolve();
      const how = signal ? `was killed by ${signal}` : `exited with ${code}`;
      reject(
        new Error(
          `Maven ${how} while fetching the Neo4j jars (mvn ${args.join(' ')}):\n${recent.join('\n')}`,
        ),
      );
    });
  });
}

const UNIT_BYTES: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 };

/** Condenses Maven's per-file chatter into a line at most once a second. */
function mavenProgress(log: (line: string) => void): { line(text: string): void; flush(): void } {
  let jars = 0;
  let metadata = 0;
  let bytes = 0;
  let copied = 0;
  let lastPrinted = 0;
  let pending = false;
  const print = (): void => {
    const parts: string[] = [];
    if (jars > 0) parts.push(`fetched ${jars} jars (${megabytes(bytes)})`);
    else if (metadata > 0) parts.push(`resolving dependencies (${metadata} poms, ${megabytes(bytes)})`);
    if (copied > 0) parts.push(`copied ${copied} jars`);
    log(`neo4j: ${parts.join(', ')}`);
    lastPrinted = Date.now();
    pending = false;
  };
  return {
    line(text) {
      const downloaded = /Downloaded from [^:]+: (\S+) \(([\d.]+) (B|kB|KB|MB|GB)/.exec(text);
      if (downloaded) {
        if (downloaded[1]?.endsWith('.jar')) jars += 1;
        else metadata += 1;
        bytes += Number(downloaded[2]) * (UNIT_BYTES[downloaded[3] ?? 'B'] ?? 1);
      } else if (/\bCopying \S+\.jar to /.test(text)) {
        copied += 1;
      } else {
        return;
      }
      pending = true;
      if (Date.now() - lastPrinted >= 1000) print();
    },
    flush() {
      if (pending) print();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Process liveness

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may itself contain spaces or ')', so read the state after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** A zombie counts as dead: it holds no locks or ports, and in containers nobody may ever reap it. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

function commandLineOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    // No /proc (macOS): ps gives a space-joined line, good enough for a containment check.
    const ps = spawnSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
    return ps.status === 0 ? ps.stdout.trim().split(' ') : [];
  }
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

async function waitUntilDead(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

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
// Configuration and password

interface Sizing {
  heapMb: number;
  pageCacheMb: number;
}

function sizing(opts: LaunchOptions): Sizing {
  return { heapMb: opts.heapMb ?? 512, pageCacheMb: opts.pageCacheMb ?? 256 };
}

async function writeConfig(home: string, port: number, { heapMb, pageCacheMb }: Sizing): Promise<void> {
  const settings = [
    '# Written by platform/neo4j/launcher.ts on every launch; edits are overwritten.',
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

function jvmArgs(libDir: string, home: string, { heapMb }: Sizing): string[] {
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
async function resolvePassword(home: string): Promise<{ password: string; fresh: boolean }> {
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('Could not find a free TCP port'))));
    });
  });
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

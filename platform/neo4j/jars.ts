/**
 * Provisions the Neo4j jars: resolved by Maven from Maven Central into <project root>/.cache once, then
 * found there by every launch. Nothing here starts Neo4j; `launcher.ts` does.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isAlive } from './processes.ts';
import { ALTERNATIVE, defaultLog, NEO4J_VERSION, requireJava, seconds } from './toolchain.ts';

export interface ProvisionOptions {
  /** Default <project root>/.cache; jars go to <cacheDir>/neo4j-<version>/lib. */
  cacheDir?: string;
  /** Progress lines; default console.error so stdout stays free for program output. */
  log?: (line: string) => void;
}

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const POM = fileURLToPath(new URL('../../neo4j/pom.xml', import.meta.url));

const megabytes = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;
// eslint-disable-next-line no-control-regex -- Maven colours some lines with ANSI escapes even in batch mode
const stripAnsi = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

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

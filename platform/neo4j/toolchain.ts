/**
 * What both halves of the embedded Neo4j share: the version the project pins, the Java runtime it needs,
 * and the wording of their progress lines.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const NEO4J_VERSION = '5.26.19';

/** Ends every "cannot" message: the embedded Neo4j is a convenience, never a requirement. */
export const ALTERNATIVE = 'or set NEO4J_URI to point at an existing Neo4j 5 server instead';

export const defaultLog = (line: string): void => console.error(line);
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
export const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

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

export function requireJava(): string {
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

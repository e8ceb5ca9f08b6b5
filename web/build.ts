import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(WEB, '..');
const DIST_INDEX = path.join(WEB, 'dist', 'index.html');
/** What the build reads: a change to any of them makes the build stale. */
const INPUTS = ['src', 'index.html', 'vite.config.ts', '../package-lock.json'];

async function newestChange(entry: string): Promise<number> {
  const info = await stat(entry).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const children = await readdir(entry);
  const times = await Promise.all(children.map((child) => newestChange(path.join(entry, child))));
  return Math.max(info.mtimeMs, ...times);
}

/** Why the build must be made again, or undefined when the one in web/dist is current. */
export async function webBuildStale(): Promise<string | undefined> {
  const built = await stat(DIST_INDEX).catch(() => undefined);
  if (!built) return 'no build yet';
  const times = await Promise.all(INPUTS.map((input) => newestChange(path.resolve(WEB, input))));
  return Math.max(...times) > built.mtimeMs ? 'sources changed since the last build' : undefined;
}

/** Builds the web app for production into web/dist; resolves with the seconds it took. */
export async function buildWeb(): Promise<number> {
  const startedAt = Date.now();
  const { build } = await import('vite');
  // Vite takes NODE_ENV from the environment over its mode: under vitest (NODE_ENV=test) it would build
  // React's development bundle, half as large again, which the gateway would then serve and bench:web
  // measure. The build in web/dist is always the production one.
  const environment = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: path.join(WEB, 'vite.config.ts'),
      root: WEB,
      logLevel: 'warn',
      mode: 'production',
    });
  } finally {
    if (environment === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = environment;
  }
  return (Date.now() - startedAt) / 1000;
}

/** Builds when the build is missing or stale, telling why and how long it took. */
export async function ensureWebBuild(log: (line: string) => void = console.log): Promise<void> {
  const reason = await webBuildStale();
  if (!reason) return;
  log(`web app: building (${reason})…`);
  const seconds = await buildWeb();
  log(`web app: built in ${seconds.toFixed(1)}s`);
}

// `npm run build:web`
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const seconds = await buildWeb();
  console.log(
    `web app built into ${path.relative(ROOT, path.dirname(DIST_INDEX))} in ${seconds.toFixed(1)}s`,
  );
}

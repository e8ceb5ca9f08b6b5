// @ts-check
/**
 * `npm start`: runs the server from a bundle of its TypeScript, rebuilt here whenever a source file is
 * newer than it. Loading a few bundled files natively instead of some hundreds through tsx's loader (a
 * loader thread per JavaScript thread, a cache lookup per import) saves seconds of CPU at start; on two
 * cores those seconds are taken from Neo4j's JVM, which starts at the same time. Plain JavaScript, so
 * nothing has to be compiled before Neo4j can be launched.
 */
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';
import v8 from 'node:v8';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILDS = path.join(ROOT, '.cache', 'server');
/** Names the build to run; replaced in one rename, so a start never sees a half-written build. */
const CURRENT = path.join(BUILDS, 'current');
/** Each is its own file in the build: the process's entry and the modules that worker threads run. */
const ENTRIES = ['app/start.ts', 'app/gatewayThread.ts', 'platform/db/pgliteThread.ts'];
const HOUR_MS = 3_600_000;
/**
 * Loaded as they are, not bundled. graphql-js: one copy for the bundled code and for the CommonJS
 * `require('graphql')` that executes subscriptions (platform/server/http.ts), or it refuses the schema as
 * "from another realm". The others find files beside their own code (WebAssembly, a compiled stylesheet
 * processor), load optional native modules, or build the web app.
 */
const EXTERNAL_PACKAGES = [
  'graphql',
  '@electric-sql/pglite',
  'libxml2-wasm',
  'saxon-js',
  'esbuild',
  'vite',
  '@vitejs/plugin-react',
  'pg-native',
  'tsx',
];
const THREAD_ENTRY_NAMES = new Set(ENTRIES.map((entry) => path.basename(entry, '.ts')));

/**
 * Modules find their resources (migrations, schemas, the web build) relative to `import.meta.url`. In the
 * bundle that URL is the chunk's, so each module's own is restored, relative to the build's folder:
 * the project can move and the build still finds them. `new URL('./pgliteThread.ts', import.meta.url)`,
 * a worker thread's entry, becomes the bundled entry beside the chunk instead.
 */
const SOURCE_URLS = /new URL\('\.\/(\w+)\.ts', import\.meta\.url\)|import\.meta\.url/g;

/** @param {string} outdir @returns {import('esbuild').Plugin} */
function sourceRelativeUrls(outdir) {
  return {
    name: 'source-relative-urls',
    setup(builder) {
      builder.onLoad({ filter: /\.ts$/ }, async ({ path: file }) => {
        const source = await readFile(file, 'utf8');
        const fromBuild = path.relative(outdir, file).split(path.sep).join('/');
        const sourceUrl = `new URL(${JSON.stringify(fromBuild)}, import.meta.url).href`;
        const contents = source.replace(SOURCE_URLS, (match, /** @type {string | undefined} */ entryName) =>
          entryName && THREAD_ENTRY_NAMES.has(entryName)
            ? `new URL('./${entryName}.js', import.meta.url)`
            : match.replace('import.meta.url', sourceUrl),
        );
        return { contents, loader: 'ts' };
      });
    },
  };
}

/** @param {string} text @returns {string[] | undefined} */
function parseInputs(text) {
  /** @type {unknown} */
  const inputs = JSON.parse(text);
  return Array.isArray(inputs) && inputs.every((input) => typeof input === 'string') ? inputs : undefined;
}

/** The build in use, if none of its inputs (nor this script) changed since it was made. */
async function currentBuild() {
  const name = (await readFile(CURRENT, 'utf8').catch(() => '')).trim();
  if (!name) return undefined;
  const dir = path.join(BUILDS, name);
  const inputs = await readFile(path.join(dir, 'inputs.json'), 'utf8')
    .then(parseInputs)
    .catch(() => undefined);
  if (!inputs) return undefined;
  const built = (await stat(path.join(dir, 'inputs.json'))).mtimeMs;
  inputs.push(path.relative(ROOT, fileURLToPath(import.meta.url)));
  const times = await Promise.all(
    inputs.map((input) =>
      stat(path.join(ROOT, input)).then(
        (file) => file.mtimeMs,
        () => Infinity,
      ),
    ),
  );
  return times.every((time) => time < built) ? dir : undefined;
}

async function buildServer() {
  // Loaded only to build: most starts find the build current.
  const { build } = await import('esbuild');
  const name = `${Date.now()}-${process.pid}`;
  const outdir = path.join(BUILDS, name);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES,
    outdir,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Packages are bundled too: resolving and loading some thousand files of node_modules through Node's
    // ESM loader costs most of a core-second at start, taken from Neo4j's JVM.
    external: EXTERNAL_PACKAGES,
    // Bundled CommonJS calls require() for Node's built-ins and the external packages.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    sourcemap: 'linked',
    keepNames: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [sourceRelativeUrls(outdir)],
  });
  // The source files it was made of, relative to the project: a newer one means a new build.
  await writeFile(path.join(outdir, 'inputs.json'), JSON.stringify(Object.keys(result.metafile.inputs)));
  await writeFile(`${CURRENT}.${name}`, name);
  await rename(`${CURRENT}.${name}`, CURRENT);
  // Builds over an hour old go. A newer one may belong to a process still loading its threads from it
  // (tests start several at once).
  const builds = (await readdir(BUILDS, { withFileTypes: true })).filter((entry) => entry.isDirectory());
  const stale = builds
    .map((entry) => entry.name)
    .filter((old) => Date.now() - Number.parseInt(old, 10) > HOUR_MS);
  await Promise.all(stale.map((old) => rm(path.join(BUILDS, old), { recursive: true, force: true })));
  return outdir;
}

// PGlite's PostgreSQL is WebAssembly. V8 recompiles a function with its optimizing compiler once it has
// run a while; at the default budget, PostgreSQL's start and recovery made that about a core-second of
// compiling, taken from Neo4j's JVM, for code that mostly never runs again. At ten times the budget only
// what keeps running is optimized: writes are as fast once warm (`npm run bench:writes` with and without
// the flag), and Neo4j answers half a second to a second sooner (`npm run bench:start`).
v8.setFlagsFromString('--wasm-tiering-budget=18000000');

await mkdir(BUILDS, { recursive: true });
const dir = (await currentBuild()) ?? (await buildServer());
await import(pathToFileURL(path.join(dir, 'start.js')).href);

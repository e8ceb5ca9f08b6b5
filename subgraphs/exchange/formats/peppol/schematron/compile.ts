/**
 * Compiles a Schematron file to a SaxonJS stylesheet export (SEF) once: SchXslt turns the .sch into XSLT,
 * xslt3 compiles that XSLT to SEF. Both steps take minutes for the EN 16931 rules, which is why they run
 * at provision time (`npm run exchange:provision`) and the result is kept in .cache/schematron/, keyed by
 * the hash of the source and of the compilers, so a changed rule file is recompiled and nothing else.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const cacheDir = path.join(projectRoot, '.cache', 'schematron');
const schxsltPipeline = path.join(projectRoot, 'scripts', 'schxslt', 'pipeline-for-svrl.xsl');
const require = createRequire(import.meta.url);

function compilerVersions(): string {
  const xslt3 = require('xslt3/package.json') as { version: string };
  const schxslt = fs.readFileSync(path.join(projectRoot, 'scripts', 'schxslt', 'version.xsl'), 'utf8');
  return `xslt3 ${xslt3.version}\n${schxslt}`;
}

/** Where the SEF of this Schematron file lives, whether or not it has been compiled yet. */
export function sefPath(schematronFile: string): string {
  const hash = createHash('sha256')
    .update(fs.readFileSync(schematronFile))
    .update(compilerVersions())
    .digest('hex')
    .slice(0, 16);
  return path.join(cacheDir, `${path.basename(schematronFile, '.sch')}-${hash}.sef.json`);
}

function xslt3(args: string[]): void {
  const cli = require.resolve('xslt3/xslt3.js');
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) {
    throw new Error(`xslt3 ${args.join(' ')} failed:\n${run.stderr || run.stdout}`);
  }
}

/** Compiles the file unless its SEF is already cached; returns the SEF path. */
export function compileSchematron(schematronFile: string, log: (line: string) => void = () => {}): string {
  const target = sefPath(schematronFile);
  if (fs.existsSync(target)) return target;
  fs.mkdirSync(cacheDir, { recursive: true });
  const started = Date.now();
  log(`schematron: compiling ${path.basename(schematronFile)} to ${path.relative(projectRoot, target)}`);
  const work = fs.mkdtempSync(path.join(cacheDir, 'work-'));
  try {
    const xsl = path.join(work, 'rules.xsl');
    const sef = path.join(work, 'rules.sef.json');
    xslt3([`-xsl:${schxsltPipeline}`, `-s:${schematronFile}`, `-o:${xsl}`]);
    xslt3([`-xsl:${xsl}`, `-export:${sef}`, '-nogo', '-relocate:on']);
    // Renamed into place so a concurrent reader never sees half a file.
    fs.renameSync(sef, target);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  log(
    `schematron: ${path.basename(schematronFile)} compiled in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  return target;
}

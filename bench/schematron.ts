import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readPeppol } from '../subgraphs/exchange/formats/peppol/read.ts';
import { runSchematron } from '../subgraphs/exchange/formats/peppol/schematron/run.ts';
import { percentile } from './percentile.ts';

/**
 * `npm run bench:schematron`: the Peppol billing rules (EN 16931 + Peppol, compiled SEF run by SaxonJS)
 * on the Peppol base example invoice, N runs after a warm-up, median and p99 per invoice. Baseline in the
 * same run: reading the same invoice without the rules (UTF-8, DOCTYPE check, libxml2 well-formedness and
 * UBL XSD validation, mapping to the business document).
 */
const { values } = parseArgs({ options: { runs: { type: 'string', default: '300' } } });
const RUNS = Number.parseInt(values.runs, 10);
const invoice = readFileSync(new URL('../test/fixtures/peppol/invoice-base-example.xml', import.meta.url));
const xml = invoice.toString('utf8');

function time(label: string, run: () => void): { label: string; p50: number; p99: number } {
  for (let i = 0; i < 5; i++) run();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => percentile(samples, q) ?? NaN;
  return { label, p50: at(0.5), p99: at(0.99) };
}

const results = [
  time('baseline: read without Schematron (XSD + mapping)', () => readPeppol(invoice, { schematron: false })),
  time('Schematron only (CEN-EN16931-UBL + PEPPOL-EN16931-UBL)', () => runSchematron(xml, 'invoice')),
  time('full read (XSD + Schematron + mapping)', () => readPeppol(invoice)),
];
console.log(`Peppol invoice ${invoice.length} bytes, ${RUNS} runs each`);
for (const { label, p50, p99 } of results) {
  console.log(
    `${label.padEnd(58)} p50 ${p50.toFixed(1).padStart(8)} ms   p99 ${p99.toFixed(1).padStart(8)} ms`,
  );
}

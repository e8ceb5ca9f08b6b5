/**
 * Provisions the Peppol Schematron rules: compiles every rule file the peppol format uses to SEF in
 * .cache/schematron/ (skipping those already compiled from the same source).
 *   npm run exchange:provision
 */
import { compileSchematron } from '../subgraphs/exchange/formats/peppol/schematron/compile.ts';
import {
  allSchematronSources,
  schematronSource,
} from '../subgraphs/exchange/formats/peppol/schematron/ruleSets.ts';

try {
  for (const file of allSchematronSources()) {
    console.log(compileSchematron(schematronSource(file), (line) => console.log(line)));
  }
} catch (error: unknown) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

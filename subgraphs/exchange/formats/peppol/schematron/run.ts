import fs from 'node:fs';
import { createRequire } from 'node:module';
import type SaxonJSModule from 'saxon-js';
import type { Finding } from '../../types.ts';
import { all, parseTree, type XmlElement } from '../tree.ts';
import { compileSchematron } from './compile.ts';
import { RULE_SETS, schematronSource, type RuleSetId } from './ruleSets.ts';

/**
 * Runs the Peppol Schematron rules (compiled SEF) on a document and turns each failed assertion into a
 * finding: the rule id as code, the XPath of the offending element, the rule's own message; `fatal` rejects,
 * `warning` only informs.
 */
const stylesheets = new Map<string, object>();

/**
 * SaxonJS is loaded on the first Peppol document, not with the exchange subgraph: it is most of a second
 * of every start, and many deployments never receive a Peppol document.
 */
let saxon: typeof SaxonJSModule | undefined;
function saxonJs(): typeof SaxonJSModule {
  saxon ??= createRequire(import.meta.url)('saxon-js') as typeof SaxonJSModule;
  return saxon;
}

function stylesheet(file: string): object {
  let sef = stylesheets.get(file);
  if (!sef) {
    // Normally provisioned ahead (npm run exchange:provision); compiling here takes minutes, so say so.
    const sefFile = compileSchematron(schematronSource(file), (line) => console.warn(line));
    sef = JSON.parse(fs.readFileSync(sefFile, 'utf8')) as object;
    stylesheets.set(file, sef);
  }
  return sef;
}

const NAMESPACE_PREFIXES: Record<string, string> = {
  'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2': 'cac:',
  'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2': 'cbc:',
  'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2': 'ext:',
};

/** SchXslt prints `Q{uri}local[1]` steps; partners read `cac:local[1]`. */
export function readablePath(location: string): string {
  return location.replace(/Q\{([^}]*)\}/g, (_, uri: string) => NAMESPACE_PREFIXES[uri] ?? '');
}

function assertionFinding(assertion: XmlElement): Finding {
  const text = all(assertion, 'text')
    .map((el) => el.text)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  const id = assertion.attrs.id ?? /^\[([^\]]+)\]/.exec(text)?.[1] ?? 'SCHEMATRON';
  const flag = assertion.attrs.flag ?? assertion.attrs.role ?? 'fatal';
  return {
    severity: flag === 'warning' || flag === 'information' ? 'WARNING' : 'ERROR',
    code: id,
    message: text,
    ...(assertion.attrs.location ? { at: { path: readablePath(assertion.attrs.location) } } : {}),
  };
}

export function runSchematron(xml: string, ruleSet: RuleSetId): Finding[] {
  const findings: Finding[] = [];
  for (const file of RULE_SETS[ruleSet]) {
    const result = saxonJs().transform(
      { stylesheetInternal: stylesheet(file), sourceText: xml, destination: 'serialized' },
      'sync',
    );
    const svrl = parseTree(result.principalResult);
    for (const element of svrl.children) {
      if (element.name === 'failed-assert' || element.name === 'successful-report') {
        findings.push(assertionFinding(element));
      }
    }
  }
  return findings;
}

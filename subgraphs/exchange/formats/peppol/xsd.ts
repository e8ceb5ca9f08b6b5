import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ParseOption,
  XmlDocument,
  XmlParseError,
  XmlValidateError,
  XsdValidator,
  xmlRegisterInputProvider,
  type ErrorDetail,
  type XmlInputProvider,
} from 'libxml2-wasm';
import { fsInputProviders } from 'libxml2-wasm/lib/nodejs.mjs';
import type { Finding } from '../types.ts';

/**
 * UBL 2.1 XSD validation with libxml2. The schemas are the OASIS files kept in resources/xsd; libxml2 may
 * read those and nothing else (no network, no other file), whatever a document or schema points at.
 */
const xsdDir = fileURLToPath(new URL('./resources/xsd/', import.meta.url));

function insideXsdDir(filename: string): string | null {
  let file = filename;
  try {
    const url = new URL(filename);
    if (url.protocol !== 'file:') return null;
    file = url.pathname;
  } catch {
    // A plain path, as libxml2 passes for relative imports.
  }
  const resolved = path.resolve(file);
  return resolved.startsWith(xsdDir) ? resolved : null;
}

const schemaFilesOnly: XmlInputProvider = {
  match: (filename) => insideXsdDir(filename) !== null && fsInputProviders.match(filename),
  open: (filename) => {
    const file = insideXsdDir(filename);
    return file === null ? undefined : fsInputProviders.open(file);
  },
  read: (fd, buf) => fsInputProviders.read(fd, buf),
  close: (fd) => fsInputProviders.close(fd),
};

let registered = false;
const validators = new Map<string, XsdValidator>();

/** Safe parsing: no entity substitution, no DTD loading, no network. */
const SAFE = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE;

function validatorFor(mainDoc: string): XsdValidator {
  let validator = validators.get(mainDoc);
  if (!validator) {
    if (!registered) registered = xmlRegisterInputProvider(schemaFilesOnly);
    const file = path.join(xsdDir, 'maindoc', `UBL-${mainDoc}-2.1.xsd`);
    using schema = XmlDocument.fromBuffer(fsRead(file), { url: file, option: SAFE });
    validator = XsdValidator.fromDoc(schema);
    validators.set(mainDoc, validator);
  }
  return validator;
}

function fsRead(file: string): Uint8Array {
  const fd = fsInputProviders.open(file);
  if (fd === undefined) throw new Error(`UBL schema ${file} is missing`);
  const chunks: Uint8Array[] = [];
  for (;;) {
    const buf = new Uint8Array(65536);
    const n = fsInputProviders.read(fd, buf);
    if (n <= 0) break;
    chunks.push(buf.subarray(0, n));
  }
  fsInputProviders.close(fd);
  return Buffer.concat(chunks);
}

const detailFinding =
  (code: string) =>
  (detail: ErrorDetail): Finding => ({
    severity: 'ERROR',
    code,
    message: `line ${detail.line}: ${detail.message.trim()}`,
    ...(detail.xpath ? { at: { path: detail.xpath } } : {}),
  });

/** Well-formedness findings; none when libxml2 reads the document. */
export function wellFormedness(content: Buffer): Finding[] {
  try {
    XmlDocument.fromBuffer(content, { option: SAFE }).dispose();
    return [];
  } catch (error) {
    if (error instanceof XmlParseError) return error.details.map(detailFinding('XML_NOT_WELL_FORMED'));
    throw error;
  }
}

/** Schema findings for a document whose root is `mainDoc` (Invoice, Order, ApplicationResponse ...). */
export function validateXsd(content: Buffer, mainDoc: string): Finding[] {
  const validator = validatorFor(mainDoc);
  using doc = XmlDocument.fromBuffer(content, { option: SAFE });
  try {
    validator.validate(doc);
    return [];
  } catch (error) {
    if (error instanceof XmlValidateError) return error.details.map(detailFinding('UBL_XSD'));
    throw error;
  }
}

import type { BusinessDocument } from '../business.ts';
import type { Finding, Interchange, Message, MessageBody, WireParty } from '../types.ts';
import { documentTypeOf, INVOICE_RESPONSE, SUPPORTED, type PeppolDocumentType } from './documents.ts';
import { readApplicationResponse } from './read/acknowledgement.ts';
import { readDespatchAdvice } from './read/despatchAdvice.ts';
import { FieldReader } from './read/fields.ts';
import { readInvoice } from './read/invoice.ts';
import { readOrder } from './read/order.ts';
import { readOrderResponse } from './read/orderResponse.ts';
import { runSchematron } from './schematron/run.ts';
import { refuseDoctype } from './security.ts';
import { first, parseTree, text, type XmlElement } from './tree.ts';
import { validateXsd, wellFormedness } from './xsd.ts';

export const FORMAT_ID = 'peppol-bis3';

export interface ReadOptions {
  /** The Peppol Schematron rules after the XSD; on by default, as every Peppol access point does. */
  schematron?: boolean;
}

const unreadable = (findings: Finding[], controlNumber: string | null = null): Interchange => ({
  formatId: FORMAT_ID,
  sender: null,
  receiver: null,
  controlNumber,
  test: false,
  findings,
  messages: [],
});

/**
 * One Peppol document is one interchange of one message. Checks run from the outside in, and each stops
 * the next only where it must: a DOCTYPE or ill-formed XML rejects the document unseen; an unknown document
 * type is named; then the UBL XSD, the Peppol Schematron rules and the mapping each add their findings.
 */
export function readPeppol(content: Buffer, options: ReadOptions = {}): Interchange {
  let xml: string;
  try {
    xml = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return unreadable([
      {
        severity: 'ERROR',
        code: 'XML_ENCODING',
        message: 'The document is not UTF-8 (Peppol requires UTF-8)',
      },
    ]);
  }
  const doctype = refuseDoctype(xml);
  if (doctype) return unreadable([doctype]);
  const syntax = wellFormedness(content);
  if (syntax.length > 0) return unreadable(syntax);
  const root = parseTree(xml);
  const controlNumber = text(root, 'ID') ?? null;
  const type = documentTypeOf(root.name, namespaceOf(root), text(root, 'CustomizationID'));
  if (!type) {
    const message: Message = {
      documentType: root.name,
      controlNumber,
      body: null,
      findings: [
        {
          severity: 'ERROR',
          code: 'UNSUPPORTED_DOCUMENT',
          message: `${root.qname} (${namespaceOf(root) ?? 'no namespace'}) is not a document we take; supported: ${SUPPORTED}`,
          at: { segment: root.name, path: root.path },
          value: root.name,
        },
      ],
    };
    return { ...unreadable([], controlNumber), messages: [message] };
  }
  const findings = validateXsd(content, type.root);
  if (options.schematron !== false) findings.push(...runSchematron(xml, type.ruleSet));
  const fields = new FieldReader(root);
  const body = bodyOf(type, root, fields);
  findings.push(...fields.findings);
  const mappingFailed = fields.findings.some((finding) => finding.severity === 'ERROR');
  return {
    formatId: FORMAT_ID,
    sender: wirePartyOf(first(root, type.sender)),
    receiver: wirePartyOf(first(root, type.receiver)),
    controlNumber,
    test: false,
    findings: [],
    messages: [{ documentType: type.name, controlNumber, body: mappingFailed ? null : body, findings }],
  };
}

function bodyOf(type: PeppolDocumentType, root: XmlElement, fields: FieldReader): MessageBody {
  if (type.root === 'ApplicationResponse') {
    return {
      kind: 'acknowledgement',
      verdicts: [readApplicationResponse(root, fields, type === INVOICE_RESPONSE)],
    };
  }
  return { kind: 'business', document: businessDocumentOf(type, root, fields) };
}

function businessDocumentOf(
  type: PeppolDocumentType,
  root: XmlElement,
  fields: FieldReader,
): BusinessDocument {
  switch (type.root) {
    case 'Order':
      return readOrder(root, fields);
    case 'OrderResponse':
      return readOrderResponse(root, fields);
    case 'DespatchAdvice':
      return readDespatchAdvice(root, fields);
    default:
      return readInvoice(root, fields);
  }
}

function namespaceOf(root: XmlElement): string | undefined {
  const colon = root.qname.indexOf(':');
  return colon < 0 ? root.attrs.xmlns : root.attrs[`xmlns:${root.qname.slice(0, colon)}`];
}

function wirePartyOf(party: XmlElement | undefined): WireParty | null {
  const endpoint = first(party, 'EndpointID');
  const id = endpoint?.text.trim();
  if (!endpoint || !id) return null;
  return endpoint.attrs.schemeID ? { qualifier: endpoint.attrs.schemeID, id } : { id };
}

import type { Finding, Interchange, MessageOutcome, OutboundEnvelope } from '../types.ts';
import { cac, cbc, endpoint, serialize, ublDocument, type Node } from './write/xml.ts';

/** Codes of findings the XML parser or the XSD raised: an MLR calls those syntax violations. */
const SYNTAX = /^(XML_|UBL_XSD)/;

const statusReason = (finding: Finding) =>
  finding.severity === 'WARNING' ? 'BW' : SYNTAX.test(finding.code) ? 'SV' : 'BV';

const date = (at: Date) => at.toISOString().slice(0, 10);
const time = (at: Date) => at.toISOString().slice(11, 19);

/** T111 names both parties (PartyLegalEntity); the MLR only by endpoint. */
interface Names {
  sender: string;
  receiver: string;
}

function header(kind: 'mlr' | 'invoice_response', envelope: OutboundEnvelope, names?: Names): Node {
  const root = ublDocument('ApplicationResponse');
  cbc(root, 'CustomizationID', `urn:fdc:peppol.eu:poacc:trns:${kind}:3`);
  cbc(root, 'ProfileID', `urn:fdc:peppol.eu:poacc:bis:${kind}:3`);
  cbc(root, 'ID', envelope.interchangeControlNumber);
  cbc(root, 'IssueDate', date(envelope.createdAt));
  cbc(root, 'IssueTime', time(envelope.createdAt));
  const sender = cac(root, 'SenderParty');
  endpoint(sender, envelope.sender);
  if (names) cbc(cac(sender, 'PartyLegalEntity'), 'RegistrationName', names.sender);
  const receiver = cac(root, 'ReceiverParty');
  endpoint(receiver, envelope.receiver);
  if (names) cbc(cac(receiver, 'PartyLegalEntity'), 'RegistrationName', names.receiver);
  return root;
}

/**
 * Message Level Response (T71): AP for a document applied, RE for one rejected, with a LineResponse per
 * finding that points somewhere (the XPath as LineID, the rule id in the description as Peppol validators
 * print it, `[BR-05]-...`) and SV/BV/BW saying whether the XML, a business rule or a warning is at fault.
 */
export function messageLevelResponse(
  received: Interchange,
  outcomes: MessageOutcome[],
  envelope: OutboundEnvelope,
): Buffer {
  const root = header('mlr', envelope);
  const message = received.messages[0];
  const outcome = outcomes[0];
  const accepted =
    received.findings.every((f) => f.severity !== 'ERROR') &&
    message !== undefined &&
    (outcome?.accepted ?? false);
  const response = cac(root, 'DocumentResponse');
  const summary = cac(response, 'Response');
  cbc(summary, 'ResponseCode', accepted ? 'AP' : 'RE');
  const findings = [...received.findings, ...(outcome?.findings ?? message?.findings ?? [])];
  const errors = findings.filter((f) => f.severity === 'ERROR');
  cbc(summary, 'Description', accepted ? 'Accepted' : `Rejected: ${errors.length} error(s)`);
  const reference = cac(response, 'DocumentReference');
  cbc(reference, 'ID', message?.controlNumber ?? received.controlNumber ?? 'NA');
  for (const finding of accepted ? [] : findings) {
    if (!finding.at) continue;
    const line = cac(response, 'LineResponse');
    cbc(cac(line, 'LineReference'), 'LineID', finding.at.path ?? finding.at.segment ?? 'NA');
    const detail = cac(line, 'Response');
    cbc(detail, 'ResponseCode', 'RE');
    cbc(
      detail,
      'Description',
      `[${finding.code}]-${finding.message}${finding.value === undefined ? '' : ` (found: ${finding.value})`}`,
    );
    cbc(cac(detail, 'Status'), 'StatusReasonCode', statusReason(finding));
  }
  return serialize(root);
}

/**
 * Invoice Response (T111), the buyer's answer to an invoice that passed validation: AP when it was taken
 * (matched and booked), RE with each reason when our business rules refused it (status reason OTH with
 * the finding's code and message, as the BIS has no code for a failed three-way match).
 */
export function invoiceResponse(
  received: Interchange,
  outcome: MessageOutcome,
  envelope: OutboundEnvelope,
): Buffer {
  const message = received.messages[0];
  // We answer as the invoice's buyer to its seller, named as the invoice names them.
  const invoice = message?.body?.kind === 'business' ? message.body.document : undefined;
  const names = {
    sender: (invoice?.kind === 'Invoice' ? invoice.buyer.name : undefined) ?? envelope.sender.id,
    receiver: (invoice?.kind === 'Invoice' ? invoice.seller.name : undefined) ?? envelope.receiver.id,
  };
  const root = header('invoice_response', envelope, names);
  const response = cac(root, 'DocumentResponse');
  const summary = cac(response, 'Response');
  cbc(summary, 'ResponseCode', outcome.accepted ? 'AP' : 'RE');
  if (!outcome.accepted) {
    for (const finding of outcome.findings.filter((f) => f.severity === 'ERROR')) {
      const status = cac(summary, 'Status');
      cbc(status, 'StatusReasonCode', 'OTH', { listID: 'OPStatusReason' });
      cbc(status, 'StatusReason', `[${finding.code}]-${finding.message}`);
    }
  }
  const reference = cac(response, 'DocumentReference');
  cbc(reference, 'ID', message?.controlNumber ?? 'NA');
  cbc(reference, 'DocumentTypeCode', message?.documentType === 'CreditNote' ? '381' : '380');
  return serialize(root);
}

/**
 * The acknowledgement of one received document: an Invoice Response when an invoice or credit note got
 * as far as our business rules, otherwise (any other document, or an invoice the XML, XSD or Schematron
 * refused) a Message Level Response.
 */
export function acknowledgePeppol(
  received: Interchange,
  outcomes: MessageOutcome[],
  envelope: OutboundEnvelope,
): Buffer {
  const message = received.messages[0];
  const outcome = outcomes[0];
  const validated =
    message !== undefined &&
    received.findings.length === 0 &&
    message.body !== null &&
    message.findings.every((f) => f.severity !== 'ERROR');
  if (validated && outcome && (message.documentType === 'Invoice' || message.documentType === 'CreditNote')) {
    return invoiceResponse(received, outcome, envelope);
  }
  return messageLevelResponse(received, outcomes, envelope);
}

import type { Finding, ReceivedVerdict } from '../../types.ts';
import { all, first, text, type XmlElement } from '../tree.ts';
import { FieldReader } from './fields.ts';

/** ResponseCode of a Message Level Response (UNCL 4343 subset): AB and AP accept, RE rejects. */
const MLR_ACCEPTS: Record<string, boolean> = { AB: true, AP: true, RE: false };
/** ResponseCode of an Invoice Response: only RE (rejected) refuses the invoice; the rest are its progress. */
const INVOICE_RESPONSE_ACCEPTS: Record<string, boolean> = {
  AB: true,
  IP: true,
  UQ: true,
  CA: true,
  AP: true,
  PD: true,
  RE: false,
};

/** Status reasons that name a warning rather than an error (MLR BW; Invoice Response clarifications). */
const WARNING_REASONS = new Set(['BW']);

/**
 * A Message Level Response (T71) or Invoice Response (T111) on a document of ours → one verdict. Each
 * LineResponse becomes a finding: the rule id from its description (`[BR-05]-...`) or its status reason,
 * the XPath of the element it names.
 */
export function readApplicationResponse(
  root: XmlElement,
  fields: FieldReader,
  invoiceResponse: boolean,
): ReceivedVerdict {
  const documentResponse = first(root, 'DocumentResponse');
  const codes = invoiceResponse ? INVOICE_RESPONSE_ACCEPTS : MLR_ACCEPTS;
  const accepted = fields.code(documentResponse, 'Response/ResponseCode', codes, 'ResponseCode') ?? false;
  const findings: Finding[] = [];
  const description = text(documentResponse, 'Response/Description');
  for (const lineResponse of all(documentResponse, 'LineResponse')) {
    for (const response of all(lineResponse, 'Response')) {
      const message = text(response, 'Description') ?? '';
      const reason = text(response, 'Status/StatusReasonCode');
      const rule = /\[([^\]]+)\]/.exec(message)?.[1];
      const path = text(lineResponse, 'LineReference/LineID');
      findings.push({
        severity: reason !== undefined && WARNING_REASONS.has(reason) ? 'WARNING' : 'ERROR',
        code: rule ?? reason ?? text(response, 'ResponseCode') ?? 'RE',
        message,
        ...(path === undefined || path === 'NA' ? {} : { at: { path } }),
      });
    }
  }
  for (const status of all(documentResponse, 'Response/Status')) {
    const reason = text(status, 'StatusReasonCode');
    const message = text(status, 'StatusReason') ?? description ?? '';
    if (reason !== undefined)
      findings.push({ severity: accepted ? 'WARNING' : 'ERROR', code: reason, message });
  }
  if (!accepted && findings.length === 0 && description !== undefined) {
    findings.push({ severity: 'ERROR', code: 'RE', message: description });
  }
  return {
    interchangeControlNumber: fields.required(documentResponse, 'DocumentReference/ID'),
    accepted,
    findings,
  };
}

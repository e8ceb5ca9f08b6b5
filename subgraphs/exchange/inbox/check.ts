import { badInput } from '../../../platform/errors.ts';
import { requireFormat } from '../formats/registry.ts';

/**
 * Parses and validates a document as the inbox would and writes the acknowledgement it would get for its
 * shape. Nothing is stored and no command runs, so what the owning subgraph would still refuse (an unknown
 * SKU, an order already confirmed) shows only when the document is really sent.
 */
export function checkDocument(formatId: string, content: Buffer) {
  const format = requireFormat(formatId);
  if (content.length === 0) throw badInput('the document is empty', { field: 'content' });
  const parsed = format.parse(content);
  const documentType = parsed.ok ? parsed.document.documentType : parsed.documentType;
  const controlNumber = parsed.ok ? parsed.document.controlNumber : parsed.controlNumber;
  const errors = parsed.ok ? [] : parsed.errors;
  return {
    valid: parsed.ok,
    documentType,
    controlNumber,
    errors,
    acknowledgement: format
      .acknowledgement(
        { documentId: 'unchecked', documentType, controlNumber },
        { accepted: parsed.ok, reasons: errors, effects: [] },
      )
      .toString('utf8'),
  };
}

import type { BusinessDocument } from '../business.ts';
import type { DocumentFormat, Interchange, Message, MessageBody } from '../types.ts';
import { writeControl } from './acknowledge.ts';
import { Code, error } from './codes.ts';
import { readControl } from './contrl.ts';
import { readDespatchAdvice, writeDespatchAdvice } from './desadv.ts';
import { type EnvelopedMessage, type MessageIdentifier, readEnvelope } from './envelope.ts';
import { Fields } from './fields.ts';
import { readInvoice, writeInvoice } from './invoic.ts';
import { readOrders, writeOrders } from './orders.ts';
import { readOrderResponse, writeOrderResponse } from './ordrsp.ts';
import { type Directory, type OutSegment, writeInterchange } from './serializer.ts';
import { sniffDirectory } from './sniff.ts';
import { lex } from './syntax.ts';

const READERS: Record<string, (fields: Fields) => BusinessDocument | null> = {
  ORDERS: readOrders,
  ORDRSP: readOrderResponse,
  DESADV: readDespatchAdvice,
  INVOIC: readInvoice,
};
const SUPPORTED = [...Object.keys(READERS), 'CONTRL'].join(', ');

const WRITERS: {
  [K in BusinessDocument['kind']]: {
    type: string;
    write: (document: Extract<BusinessDocument, { kind: K }>, directory: Directory) => OutSegment[];
  };
} = {
  PurchaseOrder: { type: 'ORDERS', write: writeOrders },
  OrderResponse: { type: 'ORDRSP', write: writeOrderResponse },
  DespatchAdvice: { type: 'DESADV', write: writeDespatchAdvice },
  Invoice: { type: 'INVOIC', write: writeInvoice },
};

/** UNH S009 of each message read, so that CONTRL repeats them exactly as the partner sent them. */
const identifiers = new WeakMap<Interchange, (MessageIdentifier | null)[]>();

function checkDirectory(
  fields: Fields,
  message: EnvelopedMessage,
  identifier: MessageIdentifier,
  directory: Directory,
) {
  const unh = message.segments[0]!;
  const expected: [number, string, string][] = [
    [2, identifier.version, 'D'],
    [3, identifier.release, directory],
    [4, identifier.agency, 'UN'],
  ];
  for (const [component, found, wanted] of expected)
    if (found !== wanted) {
      fields.findings.push(
        error(
          Code.NO_AGREEMENT,
          `${identifier.type} is read here as directory D:${directory}:UN; this message is ${identifier.version}:${identifier.release}:${identifier.agency}`,
          fields.at(unh, 2, component),
          found,
        ),
      );
      return;
    }
}

function readMessage(message: EnvelopedMessage, directory: Directory): Message {
  const fields = new Fields(message);
  const identifier = message.identifier;
  let body: MessageBody | null = null;
  if (identifier?.type === 'CONTRL') {
    const verdicts = readControl(fields);
    if (verdicts) body = { kind: 'acknowledgement', verdicts };
  } else if (identifier) {
    const reader = READERS[identifier.type];
    if (reader) {
      checkDirectory(fields, message, identifier, directory);
      const document = reader(fields);
      if (document) body = { kind: 'business', document };
    } else
      fields.findings.push(
        error(
          Code.NO_AGREEMENT,
          `${identifier.type} is not a message exchanged here; supported: ${SUPPORTED}`,
          fields.at(message.segments[0]!, 2, 1),
          identifier.type,
        ),
      );
  }
  const read: Message = {
    documentType: identifier?.type ?? null,
    controlNumber: message.controlNumber,
    body,
    findings: [...message.findings, ...fields.findings],
  };
  if (message.group) read.group = message.group;
  return read;
}

/** What a read that failed outright (it should not) still tells the partner. */
function unreadable(formatId: string, cause: unknown): Interchange {
  return {
    formatId,
    sender: null,
    receiver: null,
    controlNumber: null,
    test: false,
    findings: [error(Code.UNSPECIFIED, `the interchange could not be read: ${String(cause)}`)],
    messages: [],
  };
}

/** UN/EDIFACT in directory D96A or D01B: ORDERS, ORDRSP, DESADV and INVOIC both ways, CONTRL both ways. */
export function edifactFormat(directory: 'D96A' | 'D01B'): DocumentFormat {
  const release: Directory = directory === 'D96A' ? '96A' : '01B';
  const id = `edifact-${directory.toLowerCase()}`;
  return {
    id,
    family: 'edifact',
    mediaTypes: ['application/edifact', 'application/edi-edifact'],
    sniff: (content) => sniffDirectory(content, release),
    read(content) {
      try {
        const envelope = readEnvelope(lex(content));
        const interchange: Interchange = {
          formatId: id,
          sender: envelope.sender,
          receiver: envelope.receiver,
          controlNumber: envelope.controlNumber,
          test: envelope.test,
          findings: envelope.findings,
          messages: envelope.messages.map((message) => readMessage(message, release)),
        };
        identifiers.set(
          interchange,
          envelope.messages.map((message) => message.identifier),
        );
        return interchange;
      } catch (cause) {
        return unreadable(id, cause);
      }
    },
    acknowledge(received, outcomes, envelope) {
      const known = identifiers.get(received);
      const messages = received.messages.map((message, i) => {
        const identifier = known?.[i] ?? {
          type: message.documentType ?? 'UNKNOWN',
          version: 'D',
          release,
          agency: 'UN',
        };
        const outcome = outcomes[i];
        return outcome
          ? { controlNumber: message.controlNumber, identifier, findings: message.findings, outcome }
          : { controlNumber: message.controlNumber, identifier, findings: message.findings };
      });
      return writeControl(received, messages, envelope);
    },
    write(document, envelope) {
      const body = writeBody(document, release);
      return writeInterchange(envelope, [{ type: WRITERS[document.kind].type, version: 'D', release, body }]);
    },
  };
}

function writeBody(document: BusinessDocument, directory: Directory): OutSegment[] {
  switch (document.kind) {
    case 'PurchaseOrder':
      return WRITERS.PurchaseOrder.write(document, directory);
    case 'OrderResponse':
      return WRITERS.OrderResponse.write(document, directory);
    case 'DespatchAdvice':
      return WRITERS.DespatchAdvice.write(document, directory);
    case 'Invoice':
      return WRITERS.Invoice.write(document, directory);
  }
}

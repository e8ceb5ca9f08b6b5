import type { OrderEventType } from './generated/resolvers.ts';
import type { OrderEventName, OrderHistoryRow } from './store.ts';

export const EVENT_TYPES: Record<OrderEventName, OrderEventType> = {
  OrderCreated: 'CREATED',
  OrderSubmitted: 'SUBMITTED',
  OrderConfirmed: 'CONFIRMED',
  OrderRejected: 'REJECTED',
  OrderCancelled: 'CANCELLED',
  OrderShipped: 'SHIPPED',
  ShipmentReceived: 'RECEIVED',
  OrderClosed: 'CLOSED',
};

interface LineFacts {
  lineNo: number;
  sku: string;
  unit: string;
  quantity: string;
  confirmedQuantity?: string;
  confirmedDate?: string | null;
  requestedDate?: string | null;
  rejectedQuantity?: string;
  shortQuantity?: string;
}

const describeLines = (lines: LineFacts[], describe: (line: LineFacts) => string | null) =>
  lines
    .map(describe)
    .filter((text): text is string => text !== null)
    .join('; ');

/** One sentence a person reads in the order's history; the structured facts stay on the event. */
export function summarise(event: OrderHistoryRow): string {
  const facts = event.payload as OrderHistoryRow['payload'] & {
    lines?: LineFacts[];
    reason?: string;
    shipmentNumber?: string;
    final?: boolean;
  };
  const lines = facts.lines ?? [];
  switch (event.type) {
    case 'OrderCreated':
      return `${facts.status === 'DRAFT' ? 'Drafted' : 'Placed'} with ${lines.length} line${lines.length === 1 ? '' : 's'}`;
    case 'OrderSubmitted':
      return 'Submitted to the seller';
    case 'OrderConfirmed': {
      const changes = describeLines(lines, (line) =>
        line.confirmedQuantity !== line.quantity || line.confirmedDate !== line.requestedDate
          ? `line ${line.lineNo}: ${line.confirmedQuantity} of ${line.quantity} ${line.unit}${line.confirmedDate ? ` by ${line.confirmedDate}` : ''}`
          : null,
      );
      return changes ? `Confirmed partially (${changes})` : 'Confirmed as ordered';
    }
    case 'OrderRejected':
      return `Rejected: ${facts.reason ?? ''}`;
    case 'OrderCancelled':
      return `Cancelled: ${facts.reason ?? ''}`;
    case 'OrderShipped':
      return `Shipped ${facts.shipmentNumber ?? ''}${facts.final ? ' (final)' : ''}: ${describeLines(lines, (line) => `line ${line.lineNo} ${line.quantity} ${line.unit}`)}`;
    case 'ShipmentReceived': {
      const problems = describeLines(lines, (line) => {
        const notes = [
          line.shortQuantity && line.shortQuantity !== '0' ? `${line.shortQuantity} short` : null,
          line.rejectedQuantity && line.rejectedQuantity !== '0' ? `${line.rejectedQuantity} rejected` : null,
        ].filter(Boolean);
        return notes.length > 0 ? `line ${line.lineNo}: ${notes.join(', ')}` : null;
      });
      return `Received ${facts.shipmentNumber ?? ''}${problems ? ` (${problems})` : ' in full'}`;
    }
    case 'OrderClosed':
      return 'Closed';
  }
}

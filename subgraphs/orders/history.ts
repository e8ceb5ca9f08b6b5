import type { OrderEventType as EventName, OrderLineFacts } from '../../platform/events/contract.ts';
import type { OrderEventType } from './generated/resolvers.ts';
import type { OrderHistoryRow } from './store.ts';

export const EVENT_TYPES: Record<EventName, OrderEventType> = {
  OrderCreated: 'CREATED',
  OrderSubmitted: 'SUBMITTED',
  OrderConfirmed: 'CONFIRMED',
  OrderRejected: 'REJECTED',
  OrderCancelled: 'CANCELLED',
  OrderShipped: 'SHIPPED',
  ShipmentReceived: 'RECEIVED',
  OrderClosed: 'CLOSED',
};

const describeLines = <Line extends OrderLineFacts>(
  lines: readonly Line[],
  describe: (line: Line) => string | null,
) =>
  lines
    .map(describe)
    .filter((text): text is string => text !== null)
    .join('; ');

/** One sentence a person reads in the order's history; the structured facts stay on the event. */
export function summarise(event: OrderHistoryRow): string {
  switch (event.type) {
    case 'OrderCreated': {
      const { lines } = event.payload;
      return `${event.payload.status === 'DRAFT' ? 'Drafted' : 'Placed'} with ${lines.length} line${lines.length === 1 ? '' : 's'}`;
    }
    case 'OrderSubmitted':
      return 'Submitted to the seller';
    case 'OrderConfirmed': {
      const changes = describeLines(event.payload.lines, (line) =>
        line.confirmedQuantity !== line.quantity || line.confirmedDate !== line.requestedDate
          ? `line ${line.lineNo}: ${line.confirmedQuantity} of ${line.quantity} ${line.unit}${line.confirmedDate ? ` by ${line.confirmedDate}` : ''}`
          : null,
      );
      return changes ? `Confirmed partially (${changes})` : 'Confirmed as ordered';
    }
    case 'OrderRejected':
      return `Rejected: ${event.payload.reason}`;
    case 'OrderCancelled':
      return `Cancelled: ${event.payload.reason}`;
    case 'OrderShipped': {
      const { shipmentNumber, final, lines } = event.payload;
      return `Shipped ${shipmentNumber}${final ? ' (final)' : ''}: ${describeLines(lines, (line) => `line ${line.lineNo} ${line.quantity} ${line.unit}`)}`;
    }
    case 'ShipmentReceived': {
      const problems = describeLines(event.payload.lines, (line) => {
        const notes = [
          line.shortQuantity && line.shortQuantity !== '0' ? `${line.shortQuantity} short` : null,
          line.rejectedQuantity && line.rejectedQuantity !== '0' ? `${line.rejectedQuantity} rejected` : null,
        ].filter(Boolean);
        return notes.length > 0 ? `line ${line.lineNo}: ${notes.join(', ')}` : null;
      });
      return `Received ${event.payload.shipmentNumber}${problems ? ` (${problems})` : ' in full'}`;
    }
    case 'OrderClosed':
      return 'Closed';
  }
}

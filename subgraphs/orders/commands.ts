/**
 * The order mutations. Each runs inside the caller's transaction: it validates everything, locks the
 * order, checks who acts and whether the lifecycle allows the step, writes, and appends the event. Any
 * error rolls all of it back.
 */

export { createPurchaseOrder, placeSalesOrder, type OrderSettings } from './commands/create.ts';
export { confirmOrder, rejectOrder } from './commands/confirm.ts';
export { receiveShipment, shipOrder } from './commands/fulfil.ts';
export { cancelOrder, closeOrder, submitOrder } from './commands/steps.ts';

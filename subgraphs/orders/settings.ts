import { parseAmount } from '../../platform/input.ts';
import type { OrderSettings } from './commands.ts';

/** ORDER_OVERDELIVERY_TOLERANCE: percent by which new orders may be over-shipped and over-received. */
export function orderSettingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): OrderSettings {
  const value = env.ORDER_OVERDELIVERY_TOLERANCE ?? '0';
  return { defaultOverdeliveryTolerance: parseAmount(value, 'ORDER_OVERDELIVERY_TOLERANCE').toString() };
}

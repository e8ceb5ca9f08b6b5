import DataLoader from 'dataloader';
import type { Driver } from 'neo4j-driver';
import type { Principal } from '../../platform/auth/principal.ts';
import { tiers } from './store.ts';

export interface Context {
  principal: Principal;
  driver: Driver;
  tiers: DataLoader<string, number | null>;
}

export function createContext(driver: Driver, principal: Principal): Context {
  return { principal, driver, tiers: new DataLoader((ids) => tiers(driver, ids)) };
}

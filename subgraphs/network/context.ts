import DataLoader from 'dataloader';
import type { Driver } from 'neo4j-driver';
import type { Principal } from '../../platform/auth/principal.ts';
import type { Database } from '../../platform/db/database.ts';
import { badInput } from '../../platform/errors.ts';
import type { EventSource } from '../../platform/events/subscription.ts';
import { audienceOf } from './access.ts';
import type { Audience } from './cypher.ts';
import type { DeclarationDeps } from './declarations.ts';
import type { SupplyLinkRow } from './model.ts';
import { linksFrom, tiers, type Direction } from './queries.ts';
import { assessRisk, type RiskAssessmentRow } from './risk.ts';

/** `Partner.suppliers` and `customers` return at most this many links; `upstream`/`downstream` page. */
export const LINK_LIST_LIMIT = 1_000;

export interface NetworkServices extends DeclarationDeps {
  driver: Driver;
  db: Database;
  events: EventSource;
}

export interface Context extends NetworkServices {
  principal: Principal;
  /** The view this principal reads the network with; throws FORBIDDEN for roles without one. */
  audience(): Audience;
  tiers: DataLoader<string, number | null>;
  risk: DataLoader<string, RiskAssessmentRow>;
  /** `Partner.suppliers`/`customers` of every partner in a request, one query per direction and depth. */
  linkList(direction: Direction, depth: number): DataLoader<string, SupplyLinkRow[]>;
}

export function createContext(services: NetworkServices, principal: Principal): Context {
  const audience = () => audienceOf(principal);
  const linkLists = new Map<string, DataLoader<string, SupplyLinkRow[]>>();
  return {
    ...services,
    principal,
    audience,
    tiers: new DataLoader((ids) => tiers(services.driver, audience(), ids)),
    risk: new DataLoader((ids) => assessRisk(services.driver, ids)),
    linkList(direction, depth) {
      const key = `${direction}:${depth}`;
      let loader = linkLists.get(key);
      if (!loader) {
        loader = new DataLoader<string, SupplyLinkRow[]>(async (ids) => {
          const roots = await linksFrom(
            services.driver,
            audience(),
            direction,
            ids,
            depth,
            LINK_LIST_LIMIT + 1,
          );
          const byId = new Map(roots.map((root) => [root.id, root.links]));
          return ids.map((id) => {
            const links = byId.get(id) ?? [];
            if (links.length > LINK_LIST_LIMIT) {
              return badInput(
                `more than ${LINK_LIST_LIMIT} links within depth ${depth}: page through them with ${direction}`,
                { field: 'depth' },
              );
            }
            return links;
          });
        });
        linkLists.set(key, loader);
      }
      return loader;
    },
  };
}

/**
 * Payloads of the events one subgraph consumes from another: the contract between a producer and its
 * consumers on the event log. A producer may add fields; it must not rename or drop these.
 */

/** `PartnerRegistered`, `PartnerUpdated` (partners). */
export interface PartnerFacts {
  id: string;
  name: string;
  country: string;
  roles: string[];
  status: string;
  isSelf: boolean;
}

/** `ItemUpserted` (inventory). */
export interface ItemFacts {
  sku: string;
  name: string;
  unit: string;
  gtin: string | null;
  listPrice: { amount: string; currency: string } | null;
}

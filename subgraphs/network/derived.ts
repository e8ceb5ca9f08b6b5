import type { Driver } from 'neo4j-driver';

/**
 * What `impact` needs of a company's outgoing links, kept on the company node so that listing the items
 * on the way reads one property per company reached instead of every link out of it (on a large network
 * the links outnumber the companies four to one, and most of them lead to the same few items):
 *   - `outItems`: the SKUs on any of its outgoing links (the company's view);
 *   - `sharedOutItems`: the SKUs on those every partner sees, NETWORK links that are not DISCLOSED (a
 *     partner's view, for companies whose other links it cannot see; `impact` reads the links of the
 *     few others);
 *   - the label `:Supplying` while it has any outgoing link, so `impact` passes over a company without
 *     one, which has no items in any view, unread: most companies reached downstream are at the end of
 *     the chain, and a label comes with the node where a list property is a read of its own (on the
 *     benchmark's tier-4 impact, 28,000 of the 31,000 companies reached supply nobody, and reading their
 *     empty lists was about a third of the query).
 * All are rewritten from the links, in the transaction that changes a link, for the link's supplier.
 */

/**
 * The `(:DerivedData {name, version})` node a rebuild leaves: the version is bumped when what is derived
 * changes, so every start after an upgrade rebuilds it once.
 */
export const DERIVED_DATA = { name: 'companyItems', version: 2 };

/** The label of companies with an outgoing link (see above); never set but by `refreshDerived`. */
export const SUPPLYING = 'Supplying';

/** Sets the derived properties of company `s` (bound in the query) from its outgoing links as they are now. */
export function refreshDerived(s: string): string {
  const skus = (where: string) => `COLLECT {
      MATCH (${s})-[dr:SUPPLIES]->() ${where}
      UNWIND coalesce(dr.items, []) AS sku
      RETURN DISTINCT sku
    }`;
  const supplying = `EXISTS { (${s})-[:SUPPLIES]->() }`;
  return `SET ${s}.outItems = ${skus('')},
      ${s}.sharedOutItems = ${skus(`WHERE dr.disclosed IS NULL AND dr.visibility = 'NETWORK'`)}
    FOREACH (_ IN CASE WHEN ${supplying} THEN [1] ELSE [] END | SET ${s}:${SUPPLYING})
    FOREACH (_ IN CASE WHEN ${supplying} THEN [] ELSE [1] END | REMOVE ${s}:${SUPPLYING})`;
}

/**
 * Rebuilds the derived properties of every company (a graph written before they existed, or bulk-loaded
 * without them) and records their version; batched, so it needs an auto-commit transaction. Runs before
 * the projection starts (store.ts `prepareNetworkGraph`), so no link changes under it.
 */
export async function deriveAll(driver: Driver): Promise<void> {
  const session = driver.session();
  try {
    await session.run(`MATCH (s:Company) CALL (s) { ${refreshDerived('s')} } IN TRANSACTIONS OF 5000 ROWS`);
  } finally {
    await session.close();
  }
  await driver.executeQuery('MERGE (m:DerivedData {name: $name}) SET m.version = $version', DERIVED_DATA);
}

import type { Caller } from './orders.ts';

export const ITEM_FIELDS = `sku name unit gtin listPrice { amount currency } available reorderPoint availabilityCheck
  stock { location onHand reserved available }`;
export const UPSERT_ITEM = `mutation ($input: UpsertItemInput!) { upsertItem(input: $input) { ${ITEM_FIELDS} } }`;
export const SET_PRICE = `mutation ($input: SetPriceInput!) { setPrice(input: $input) { sku } }`;
export const SET_PROMOTION = `mutation ($input: SetPromotionInput!) { setPromotion(input: $input) { sku } }`;
export const ADJUST = `mutation ($input: AdjustStockInput!) {
  adjustStock(input: $input) { id kind onHandChange reservedChange onHandAfter reservedAfter reason } }`;
export const UPSERT_LOCATION = `mutation ($input: UpsertLocationInput!) { upsertLocation(input: $input) { code name isDefault } }`;
export const ITEM = `query ($sku: String!) { item(sku: $sku) { ${ITEM_FIELDS} } }`;
export const MOVEMENTS = `query ($sku: String!, $first: Int, $after: String) { item(sku: $sku) {
  onHand: stock { onHand reserved }
  movements(first: $first, after: $after) { nodes { kind location onHandChange reservedChange onHandAfter
    reservedAfter reason orderId lineNo } pageInfo { endCursor hasNextPage } } } }`;
export const CATALOG = `query ($first: Int, $after: String, $since: String, $customerId: ID) {
  catalog(first: $first, after: $after, changedSince: $since, customerId: $customerId) {
    nodes { sku name available listPrice { amount currency } price { amount currency }
            customerPrice { id customerId price { amount } validFrom validTo }
            promotion { name kind value } item { sku name } }
    pageInfo { endCursor hasNextPage } syncToken } }`;

export interface CatalogEntryView {
  sku: string;
  name: string;
  available: string;
  listPrice: { amount: string; currency: string } | null;
  price: { amount: string; currency: string } | null;
  customerPrice: {
    id: string;
    customerId: string;
    price: { amount: string };
    validFrom: string;
    validTo: string | null;
  } | null;
  promotion: { name: string; kind: string; value: string } | null;
  item: { sku: string; name: string };
}

export interface CatalogView {
  nodes: CatalogEntryView[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
  syncToken: string;
}

/** Every page of one sync, and the token to pass next time. */
export async function syncCatalog(
  who: Caller,
  options: { since?: string; first?: number; customerId?: string } = {},
): Promise<{ entries: CatalogEntryView[]; token: string }> {
  const entries: CatalogEntryView[] = [];
  let after: string | null = null;
  let token = '';
  for (;;) {
    const { catalog }: { catalog: CatalogView } = await who.ok<{ catalog: CatalogView }>(CATALOG, {
      first: options.first ?? 500,
      after,
      since: options.since ?? null,
      customerId: options.customerId ?? null,
    });
    entries.push(...catalog.nodes);
    token = catalog.syncToken;
    if (!catalog.pageInfo.hasNextPage) return { entries, token };
    after = catalog.pageInfo.endCursor;
  }
}

/** A new item with a list price, stocked with `onHand` at the default location when given. */
export async function newItem(
  admin: Caller,
  sku: string,
  options: {
    price?: string;
    onHand?: string;
    check?: 'BACKORDER' | 'CONFIRM_AVAILABLE';
    location?: string;
  } = {},
): Promise<void> {
  await admin.ok(UPSERT_ITEM, {
    input: {
      sku,
      name: `Test item ${sku}`,
      unit: 'EA',
      listPrice: { amount: options.price ?? '100.00', currency: 'EUR' },
      availabilityCheck: options.check ?? 'BACKORDER',
    },
  });
  if (options.onHand) {
    await admin.ok(ADJUST, {
      input: {
        sku,
        location: options.location ?? 'MAD-1',
        countedOnHand: options.onHand,
        reason: 'initial count',
      },
    });
  }
}

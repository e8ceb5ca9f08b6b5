import DataLoader from 'dataloader';

/** DataLoader batch results: one entry per requested key, in the order the keys were asked. */
export function indexBy<Row>(
  keys: readonly string[],
  rows: Row[],
  keyOf: (row: Row) => string,
): (Row | undefined)[] {
  const byKey = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => byKey.get(key));
}

export function groupBy<Row>(keys: readonly string[], rows: Row[], keyOf: (row: Row) => string): Row[][] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return keys.map((key) => groups.get(key) ?? []);
}

/**
 * A batch function for the loaders of many contexts: what they dispatch in one tick is one call of
 * `batch`, and nothing is cached. Each subscription event gets loaders of its own (what one event read is
 * never served for a later one), so the events of one step of the log, each for a subscriber of another
 * partner, each read their order alone: a statement per event. Merged, they cost one statement per step,
 * and every read still starts after the event that asked for it.
 */
export function coalescing<Key, Value>(
  batch: DataLoader.BatchLoadFn<Key, Value>,
): DataLoader.BatchLoadFn<Key, Value> {
  const shared = new DataLoader(batch, { cache: false });
  return (keys) => shared.loadMany(keys);
}

/** The value at quantile `q` (0.5, 0.99) of ascending `sorted`, by the nearest rank; undefined when empty. */
export function percentile(sorted: readonly number[], q: number): number | undefined {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

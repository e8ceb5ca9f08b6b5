/** Calendar dates are UTC days as YYYY-MM-DD: what the API takes and returns for due dates and validity. */
export const isoDate = (at: Date): string => at.toISOString().slice(0, 10);

export const todayUtc = (): string => isoDate(new Date());

/** Reading settings from the environment: an unset or empty variable takes the fallback. */

/** `0`, `false`, `no` and `off` (any case) are false; anything else set is true. */
export function envFlag(name: string, fallback: boolean): boolean {
  const raw = process.env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  return !['0', 'false', 'no', 'off'].includes(raw);
}

/** A number of at least `min`; anything else stops the process with the variable named. */
export function envNumber(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new Error(`${name} must be a number ≥ ${min}, got ${raw}`);
  return value;
}

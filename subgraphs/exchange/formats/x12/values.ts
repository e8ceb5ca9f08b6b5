/**
 * X12 data element types as the business documents need them: dates (DT, CCYYMMDD) to ISO and back, decimal
 * numbers (R) kept as the strings written, and the N2 amounts with two implied decimals that TDS carries.
 * Amounts never pass through a float.
 */

const DECIMAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;

export function isDecimal(value: string): boolean {
  return DECIMAL.test(value);
}

/** CCYYMMDD (or the YYMMDD of the ISA) to YYYY-MM-DD, or null when it is not a calendar date. */
export function isoDate(value: string): string | null {
  let text = value;
  if (/^\d{6}$/.test(text)) text = `${Number(text.slice(0, 2)) < 50 ? '20' : '19'}${text}`;
  if (!/^\d{8}$/.test(text)) return null;
  const iso = `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
  const parsed = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== iso ? null : iso;
}

export function x12Date(iso: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) throw new Error(`not an ISO date: ${iso}`);
  return iso.replaceAll('-', '');
}

function scaled(value: string): { units: bigint; scale: number } {
  const negative = value.startsWith('-');
  const [whole = '', fraction = ''] = (negative ? value.slice(1) : value).split('.');
  const units = BigInt(`${whole || '0'}${fraction}`);
  return { units: negative ? -units : units, scale: fraction.length };
}

function render(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** The exact sum of decimal strings, written with the largest scale among them. */
export function addDecimals(values: readonly string[]): string {
  const parts = values.map(scaled);
  const scale = Math.max(0, ...parts.map((part) => part.scale));
  const sum = parts.reduce((total, part) => total + part.units * 10n ** BigInt(scale - part.scale), 0n);
  return render(sum, scale);
}

/** Whether two decimal strings name the same number (10 and 10.00 do). */
export function sameDecimal(left: string, right: string): boolean {
  return (
    addDecimals([left, right.startsWith('-') ? right.slice(1) : `-${right}`]).replace(/[-.0]/g, '') === ''
  );
}

/** N2: an amount with two implied decimals, "255438" is 2554.38. */
export function fromImplied2(value: string): string | null {
  if (!/^-?\d+$/.test(value)) return null;
  return render(BigInt(value), 2);
}

export function toImplied2(amount: string): string {
  if (!isDecimal(amount)) throw new Error(`not a decimal amount: ${amount}`);
  const { units, scale } = scaled(amount);
  if (scale > 2) throw new Error(`an X12 N2 amount has at most 2 decimals: ${amount}`);
  return (units * 10n ** BigInt(2 - scale)).toString();
}

/**
 * Country risk points (0–30) for the COUNTRY factor of `Partner.risk`. An illustrative starting table in
 * four bands, for the company to replace with its own assessment (or a licensed country-risk index):
 * it weighs political stability, export controls and logistics exposure as a buyer of industrial goods
 * would. Countries not listed score the middle band. docs/network.md prints the same table.
 */
export const COUNTRY_RISK_BANDS = {
  low: 5,
  moderate: 12,
  elevated: 20,
  high: 30,
} as const;

export const UNLISTED_COUNTRY_POINTS = COUNTRY_RISK_BANDS.moderate;

const BAND_COUNTRIES: Record<keyof typeof COUNTRY_RISK_BANDS, string[]> = {
  low: [
    'AT',
    'AU',
    'BE',
    'CA',
    'CH',
    'DE',
    'DK',
    'ES',
    'FI',
    'FR',
    'GB',
    'IE',
    'IT',
    'JP',
    'NL',
    'NO',
    'NZ',
    'PT',
    'SE',
    'US',
  ],
  moderate: ['CZ', 'KR', 'PL', 'SG', 'TW', 'SK', 'HU', 'CL', 'MY'],
  elevated: ['BR', 'CN', 'IN', 'ID', 'MX', 'TH', 'TR', 'VN', 'ZA', 'PH', 'EG', 'MA'],
  high: ['GN', 'CD', 'RU', 'BY', 'IR', 'KP', 'MM', 'SD', 'SY', 'VE', 'YE', 'AF', 'ML', 'UA'],
};

const POINTS = new Map<string, number>(
  Object.entries(BAND_COUNTRIES).flatMap(([band, countries]) =>
    countries.map((country) => [country, COUNTRY_RISK_BANDS[band as keyof typeof COUNTRY_RISK_BANDS]]),
  ),
);

export function countryRiskPoints(country: string | null): { points: number; band: string } {
  const points = country ? POINTS.get(country) : undefined;
  if (points === undefined) return { points: UNLISTED_COUNTRY_POINTS, band: 'unlisted' };
  const band = Object.entries(COUNTRY_RISK_BANDS).find(([, value]) => value === points)![0];
  return { points, band };
}

import type { Driver } from 'neo4j-driver';
import { countryRiskPoints } from './countryRisk.ts';
import { read } from './cypher.ts';
import type { RiskFactorRow, Severity } from './model.ts';
import { todayUtc as today } from '../../platform/dates.ts';

/**
 * `Partner.risk`: a score from 0 to 100, the sum (capped at 100) of named factors. The formula, as
 * docs/network.md states it:
 *
 *   own(c)  = country(c) + certificates(c) + disruption(c) + singleSource(c)
 *   risk(c) = min(100, own(c) + DECAY · max over items i of E_i(c))
 *   E_i(c)  = Σ_s w(s→c) · risk(s) / max(1, Σ_s w(s→c))   over the suppliers s of item i to c,
 *             w = the link's declared share, 1 when unknown
 *
 * so a supplier's risk reaches its customer weighted by share and halved per tier, and the worst item
 * decides (a company stops when any one input stops). Propagation looks RISK_DEPTH tiers upstream: a
 * risk five tiers away would add at most 100 · 0.5⁵ ≈ 3 points.
 */
export const DECAY = 0.5;
export const RISK_DEPTH = 4;
export const POINTS_PER_EXPIRED_CERTIFICATION = 10;
export const MAX_CERTIFICATION_POINTS = 20;
export const SINGLE_SOURCE_POINTS = 15;
export const DISRUPTION_POINTS: Record<Severity, number> = { LOW: 10, MEDIUM: 20, HIGH: 35, CRITICAL: 50 };

export interface RiskAssessmentRow {
  score: number;
  level: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
  factors: RiskFactorRow[];
}

interface CompanyRiskInputs {
  id: string;
  country: string | null;
  expiredCertifications: string[];
  disruptions: Severity[];
  inLinks: { supplierId: string; items: string[]; share: number | null }[];
}

/**
 * Everything the formula reads about the companies within RISK_DEPTH tiers upstream of the batch, in one
 * query. The walk goes frontier by frontier for the whole batch at once: each tier is the distinct
 * suppliers of the tier before, so the work is bounded by the links within RISK_DEPTH tiers of the batch,
 * however many partners the batch holds (a walk per partner would repeat the shared upstream for each).
 * Revisiting a company already met at a nearer tier only repeats a set, never a path, so no tier can grow
 * beyond the network.
 */
async function riskInputs(driver: Driver, ids: readonly string[]): Promise<CompanyRiskInputs[]> {
  const tiers = Array.from({ length: RISK_DEPTH }, (_, index) => index + 1);
  const frontiers = tiers
    .map(
      (tier) => `CALL (t${tier - 1}) {
         UNWIND t${tier - 1} AS c MATCH (c)<-[:SUPPLIES]-(s) RETURN collect(DISTINCT s) AS t${tier}
       }`,
    )
    .join('\n');
  return read<CompanyRiskInputs>(
    driver,
    `MATCH (x:Company) WHERE x.id IN $ids
     WITH collect(x) AS t0
     ${frontiers}
     UNWIND ${['t0', ...tiers.map((tier) => `t${tier}`)].join(' + ')} AS c
     WITH DISTINCT c
     RETURN c.id AS id, c.country AS country,
       COLLECT { MATCH (c)-[:HOLDS]->(cert:Certification) WHERE cert.validUntil < $today
                 RETURN cert.kind ORDER BY cert.kind } AS expiredCertifications,
       COLLECT { MATCH (d:Disruption {partnerId: c.id})
                 WHERE d.expectedRecovery IS NULL OR d.expectedRecovery >= $today RETURN d.severity }
       + COLLECT { MATCH (d:Disruption {country: c.country})
                   WHERE d.expectedRecovery IS NULL OR d.expectedRecovery >= $today RETURN d.severity }
         AS disruptions,
       COLLECT { MATCH (c)<-[r:SUPPLIES]-(s)
                 RETURN {supplierId: s.id, items: coalesce(r.items, []), share: r.share} } AS inLinks`,
    { ids: [...ids], today: today() },
  );
}

function ownFactors(company: CompanyRiskInputs): RiskFactorRow[] {
  const factors: RiskFactorRow[] = [];
  const country = countryRiskPoints(company.country);
  factors.push({
    kind: 'COUNTRY',
    points: country.points,
    description: `${company.country ?? 'unknown country'}: ${country.band} country risk`,
    viaId: null,
  });
  if (company.expiredCertifications.length > 0) {
    factors.push({
      kind: 'EXPIRED_CERTIFICATION',
      points: Math.min(
        MAX_CERTIFICATION_POINTS,
        POINTS_PER_EXPIRED_CERTIFICATION * company.expiredCertifications.length,
      ),
      description: `expired: ${company.expiredCertifications.join(', ')}`,
      viaId: null,
    });
  }
  const worst = Math.max(0, ...company.disruptions.map((severity) => DISRUPTION_POINTS[severity]));
  if (worst > 0) {
    factors.push({
      kind: 'ACTIVE_DISRUPTION',
      points: worst,
      description: `${company.disruptions.length} active disruption(s), worst ${company.disruptions.find((s) => DISRUPTION_POINTS[s] === worst)}`,
      viaId: null,
    });
  }
  const singles = singleSourcedItems(company);
  if (singles.length > 0) {
    factors.push({
      kind: 'SINGLE_SOURCE',
      points: SINGLE_SOURCE_POINTS,
      description: `single source for ${singles.join(', ')}`,
      viaId: null,
    });
  }
  return factors;
}

function singleSourcedItems(company: CompanyRiskInputs): string[] {
  const suppliers = new Map<string, number>();
  for (const link of company.inLinks) {
    for (const sku of link.items) suppliers.set(sku, (suppliers.get(sku) ?? 0) + 1);
  }
  return [...suppliers]
    .filter(([, count]) => count === 1)
    .map(([sku]) => sku)
    .sort();
}

const sum = (factors: RiskFactorRow[]) => factors.reduce((total, factor) => total + factor.points, 0);

/** The worst item's share-weighted supplier risk, with the supplier that weighs most in it. */
function upstreamExposure(
  company: CompanyRiskInputs,
  risk: ReadonlyMap<string, number>,
): { exposure: number; sku: string; viaId: string } | null {
  const byItem = new Map<string, { weighted: number; weight: number; top: string; topValue: number }>();
  for (const link of company.inLinks) {
    const supplierRisk = risk.get(link.supplierId);
    if (supplierRisk === undefined) continue; // beyond RISK_DEPTH
    const weight = link.share ?? 1;
    for (const sku of link.items) {
      const entry = byItem.get(sku) ?? { weighted: 0, weight: 0, top: link.supplierId, topValue: -1 };
      entry.weighted += weight * supplierRisk;
      entry.weight += weight;
      if (weight * supplierRisk > entry.topValue) {
        entry.top = link.supplierId;
        entry.topValue = weight * supplierRisk;
      }
      byItem.set(sku, entry);
    }
  }
  let worst: { exposure: number; sku: string; viaId: string } | null = null;
  for (const [sku, entry] of byItem) {
    const exposure = entry.weighted / Math.max(1, entry.weight);
    if (!worst || exposure > worst.exposure) worst = { exposure, sku, viaId: entry.top };
  }
  return worst;
}

const round = (value: number) => Math.round(value * 10) / 10;

function levelOf(score: number): RiskAssessmentRow['level'] {
  if (score < 25) return 'LOW';
  if (score < 50) return 'MEDIUM';
  if (score < 75) return 'HIGH';
  return 'CRITICAL';
}

/**
 * Scores with factors for a batch of partners (every `Partner.risk` of one request, through its DataLoader):
 * one Cypher query for the whole batch, then the formula in memory.
 */
export async function assessRisk(driver: Driver, ids: readonly string[]): Promise<RiskAssessmentRow[]> {
  const companies = await riskInputs(driver, ids);
  const own = new Map(companies.map((company) => [company.id, ownFactors(company)]));
  // risk_k(c) is c's risk seen k tiers deep: risk_0 its own points, risk_k adds its suppliers' risk_(k-1).
  // A partner's score is risk_RISK_DEPTH, the last step taken below with its factors, so the rounds stop
  // at risk_(RISK_DEPTH-1) of its suppliers. Every value a score uses comes from a company whose
  // suppliers were all fetched (it sits at most RISK_DEPTH-1 tiers up), so a score is the same whichever
  // other partners share its batch; in a cycle the halving keeps every value bounded.
  let risk = new Map(companies.map((company) => [company.id, Math.min(100, sum(own.get(company.id)!))]));
  for (let step = 1; step < RISK_DEPTH; step += 1) {
    const next = new Map<string, number>();
    for (const company of companies) {
      const exposure = upstreamExposure(company, risk)?.exposure ?? 0;
      next.set(company.id, Math.min(100, sum(own.get(company.id)!) + DECAY * exposure));
    }
    risk = next;
  }
  const byId = new Map(companies.map((company) => [company.id, company]));
  return ids.map((id) => {
    const company = byId.get(id) ?? {
      id,
      country: null,
      expiredCertifications: [],
      disruptions: [],
      inLinks: [],
    };
    const factors = [...ownFactors(company)];
    const upstream = upstreamExposure(company, risk);
    if (upstream && upstream.exposure > 0) {
      factors.push({
        kind: 'UPSTREAM',
        points: round(DECAY * upstream.exposure),
        description: `${upstream.sku}: suppliers' risk ${round(upstream.exposure)} weighted by share, × ${DECAY} per tier`,
        viaId: upstream.viaId,
      });
    }
    factors.sort((a, b) => b.points - a.points);
    const score = round(Math.min(100, sum(factors)));
    return { score, level: levelOf(score), factors };
  });
}

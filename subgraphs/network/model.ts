/**
 * The rows the network's Cypher returns and its resolvers receive (codegen maps the GraphQL types onto
 * them). Partners and items are references: their fields come from the partners and inventory subgraphs.
 */

/** Queries never walk further than this many links; deeper requests are refused. */
export const MAX_DEPTH = 10;

export type LinkSource = 'OBSERVED' | 'DECLARED';
export type Visibility = 'PRIVATE' | 'PARTNERS' | 'NETWORK';
export type LinkStatus = 'CONFIRMED' | 'DISCLOSED' | 'PENDING' | 'REJECTED';
export type Severity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export interface PartnerRef {
  id: string;
}

export interface SupplyLinkRow {
  /** The declaration's id: set on requests (PENDING, REJECTED) and DISCLOSED links. */
  id: string | null;
  status: LinkStatus;
  rejectionReason: string | null;
  supplierId: string;
  customerId: string;
  tier: number;
  items: string[];
  share: number | null;
  sources: LinkSource[];
  declaredBy: string | null;
  since: string | null;
  visibility: Visibility;
}

export interface SupplyPathRow {
  companyIds: string[];
  links: SupplyLinkRow[];
}

export interface AffectedRow {
  companyId: string;
  distance: number;
  /** Company ids from the disrupted one to this one. */
  path: string[];
  items: string[];
}

export interface ImpactRow {
  sourceId: string;
  depth: number;
  affectedCount: number;
  items: string[];
  companies: AffectedRow[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

export interface SingleSourceRow {
  customerId: string;
  supplierId: string;
  sku: string;
  tier: number;
  share: number | null;
}

export interface ConcentrationEntryRow {
  key: string;
  /** Set for SUPPLIER entries. */
  partnerId: string | null;
  companies: number;
  share: number;
  dependentSuppliers: number;
  dependentShare: number;
}

export type RiskFactorKind =
  'COUNTRY' | 'EXPIRED_CERTIFICATION' | 'ACTIVE_DISRUPTION' | 'SINGLE_SOURCE' | 'UPSTREAM';

export interface RiskFactorRow {
  kind: RiskFactorKind;
  points: number;
  description: string;
  viaId: string | null;
}

export interface DisruptionRow {
  id: string;
  partnerId: string | null;
  country: string | null;
  severity: Severity;
  description: string;
  expectedRecovery: string | null;
  reportedAt: string;
  alertCount: number;
}

export interface AlertRow {
  cursor: string;
  at: string;
  disruption: DisruptionRow;
  companyId: string;
  distance: number;
  path: string[];
  items: string[];
}

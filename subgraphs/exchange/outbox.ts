import type { Principal } from '../../platform/auth/principal.ts';
import type { Queryable } from '../../platform/db/database.ts';
import { notFound } from '../../platform/errors.ts';
import { assertMayManage, canSee, type ExchangeScope } from './access.ts';
import { acknowledgementsOf, lockDocument, setDocumentStatus, type DocumentRow } from './store/documents.ts';

/**
 * The partner has an outbound document (it fetched it, or its webhook took it). Acknowledging an inbound
 * document acknowledges the acknowledgement we sent for it. An acknowledged inbound document that was
 * processed becomes ACKNOWLEDGED; a rejected one stays REJECTED, its reasons being the point.
 */
export async function acknowledgeDocument(
  tx: Queryable,
  principal: Principal,
  scope: ExchangeScope,
  id: string,
): Promise<DocumentRow> {
  const document = await lockDocument(tx, id);
  if (!document || !canSee(scope, document.partner_id)) throw notFound('document', id);
  assertMayManage(principal, document.partner_id, 'acknowledge documents');
  if (document.direction === 'INBOUND') {
    const [acknowledgement] = await acknowledgementsOf(tx, [id]);
    if (acknowledgement) await acknowledgeOutbound(tx, acknowledgement.id);
    else await setDocumentStatus(tx, id, document.status, true);
    return (await lockDocument(tx, id))!;
  }
  return acknowledgeOutbound(tx, id);
}

async function acknowledgeOutbound(tx: Queryable, id: string): Promise<DocumentRow> {
  const outbound = await setDocumentStatus(tx, id, 'ACKNOWLEDGED', true);
  if (outbound.answers) {
    const answered = (await lockDocument(tx, outbound.answers))!;
    await setDocumentStatus(
      tx,
      answered.id,
      answered.status === 'PROCESSED' ? 'ACKNOWLEDGED' : answered.status,
      true,
    );
  }
  return outbound;
}

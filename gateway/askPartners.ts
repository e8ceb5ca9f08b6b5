import { GATEWAY_PRINCIPAL, PRINCIPAL_HEADER, signPrincipal } from '../platform/auth/principal.ts';

/**
 * One question the gateway itself asks partners (an API key's principal, credentials still valid): the
 * gateway's own signed principal, one operation; the answer's data, or an error naming what it asked.
 */
export async function askPartners<Data>(
  partnersUrl: string,
  internalSecret: string,
  what: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Data> {
  const response = await fetch(partnersUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [PRINCIPAL_HEADER]: await signPrincipal(GATEWAY_PRINCIPAL, internalSecret),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Data | null; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) {
    throw new Error(`partners could not ${what}: ${body.errors?.[0]?.message ?? response.status}`);
  }
  return body.data;
}

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

/**
 * `npm run -s import:links -- --file links.csv [--url http://localhost:4000/graphql]
 *   (--token JWT | --api-key KEY) [--all-or-nothing]`
 *
 * Bulk disclosure from a CSV file through the GraphQL API (`importSupplyLinks`), so the same rules apply
 * as to any caller: who may declare what, per-row checks, both ends registered partners. Columns, with a
 * header row: supplierId, customerId, items (SKUs separated by `;`), share, since, visibility; the last
 * three may be empty. Rows go in batches of 1,000; with --all-or-nothing the file must fit in one
 * request (5,000 rows), since only one request is one transaction.
 */

export const CSV_COLUMNS = ['supplierId', 'customerId', 'items', 'share', 'since', 'visibility'] as const;
const BATCH = 1_000;
const MAX_ATOMIC = 5_000;

/** RFC 4180: fields separated by commas, optionally quoted with `"`, a quote inside doubled. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      if (row.some((value) => value !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  row.push(field);
  if (row.some((value) => value !== '')) rows.push(row);
  return rows;
}

export interface LinkRow {
  supplierId: string;
  customerId: string;
  items: string[];
  share?: number;
  since?: string;
  visibility?: string;
}

/** Rows of the file as `DeclareSupplyLinkInput`s; a malformed file throws with the line number. */
export function linksFromCsv(text: string): LinkRow[] {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  const columns = (header ?? []).map((name) => name.trim());
  const index = (name: string) => columns.indexOf(name);
  for (const required of ['supplierId', 'customerId', 'items']) {
    if (index(required) < 0) throw new Error(`the header must name the column ${required}`);
  }
  return rows.map((row, n) => {
    const value = (name: string) => (index(name) >= 0 ? (row[index(name)] ?? '').trim() : '');
    const share = value('share');
    if (share !== '' && Number.isNaN(Number(share)))
      throw new Error(`line ${n + 2}: share "${share}" is not a number`);
    return {
      supplierId: value('supplierId'),
      customerId: value('customerId'),
      items: value('items')
        .split(';')
        .map((sku) => sku.trim())
        .filter((sku) => sku !== ''),
      ...(share !== '' ? { share: Number(share) } : {}),
      ...(value('since') !== '' ? { since: value('since') } : {}),
      ...(value('visibility') !== '' ? { visibility: value('visibility').toUpperCase() } : {}),
    };
  });
}

const IMPORT = `mutation ($input: ImportSupplyLinksInput!) { importSupplyLinks(input: $input) {
  imported failed rows { index error { code message field } } } }`;

export interface ImportReport {
  imported: number;
  failed: { line: number; code: string; message: string; field: string | null }[];
}

interface ImportResponse {
  data?: {
    importSupplyLinks: {
      imported: number;
      rows: { index: number; error: { code: string; message: string; field: string | null } | null }[];
    };
  };
  errors?: { message: string }[];
}

/** Sends the rows to the API in batches; failed rows are reported with their line in the file. */
export async function importLinks(
  url: string,
  headers: Record<string, string>,
  links: LinkRow[],
  allOrNothing: boolean,
): Promise<ImportReport> {
  if (allOrNothing && links.length > MAX_ATOMIC) {
    throw new Error(
      `--all-or-nothing takes at most ${MAX_ATOMIC} rows (one request); this file has ${links.length}`,
    );
  }
  const size = allOrNothing ? MAX_ATOMIC : BATCH;
  const report: ImportReport = { imported: 0, failed: [] };
  for (let from = 0; from < links.length; from += size) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({
        query: IMPORT,
        variables: { input: { links: links.slice(from, from + size), allOrNothing } },
      }),
    });
    const body = (await response.json()) as ImportResponse;
    if (!body.data)
      throw new Error(`the API refused the import: ${body.errors?.map((e) => e.message).join('; ')}`);
    report.imported += body.data.importSupplyLinks.imported;
    for (const row of body.data.importSupplyLinks.rows) {
      if (row.error) report.failed.push({ line: from + row.index + 2, ...row.error });
    }
  }
  return report;
}

async function main() {
  const { values } = parseArgs({
    options: {
      file: { type: 'string' },
      url: { type: 'string', default: `http://localhost:${process.env.PORT ?? '4000'}/graphql` },
      token: { type: 'string' },
      'api-key': { type: 'string' },
      'all-or-nothing': { type: 'boolean', default: false },
    },
  });
  if (!values.file || (!values.token && !values['api-key'])) {
    console.error(
      'usage: import:links --file links.csv (--token JWT | --api-key KEY) [--url URL] [--all-or-nothing]',
    );
    process.exit(2);
  }
  const headers: Record<string, string> = values.token
    ? { authorization: `Bearer ${values.token}` }
    : { 'x-api-key': values['api-key']! };
  const links = linksFromCsv(await readFile(values.file, 'utf8'));
  const report = await importLinks(values.url, headers, links, values['all-or-nothing']);
  console.log(`${report.imported} of ${links.length} links imported`);
  for (const failure of report.failed) {
    console.log(
      `line ${failure.line}: ${failure.code}${failure.field ? ` (${failure.field})` : ''}: ${failure.message}`,
    );
  }
  process.exit(report.failed.length > 0 ? 1 : 0);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

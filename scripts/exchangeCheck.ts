import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { checkDocument } from '../subgraphs/exchange/inbox/check.ts';
import { sniffFormat, FORMAT_IDS } from '../subgraphs/exchange/formats/registry.ts';

/**
 * `npm run -s exchange:check -- FILE [--format x12]`: what the inbox would make of a document, offline —
 * the format and version detected, each message's business document as JSON, every finding, and the
 * acknowledgement it would get. Nothing is stored or sent; what needs the partner's orders and item codes
 * is checked by `checkDocument` through the API with the partner's key.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { format: { type: 'string' } },
});
const file = positionals[0];
if (!file) {
  console.error(`usage: npm run -s exchange:check -- FILE [--format ${FORMAT_IDS.join('|')}]`);
  process.exit(2);
}
const content = await readFile(file);
const format = values.format ?? sniffFormat(content)?.id;
if (!format) {
  console.error(`cannot tell the format of ${file}; name it with --format (${FORMAT_IDS.join(', ')})`);
  process.exit(2);
}
const report = await checkDocument(format, content);
console.log(
  JSON.stringify(
    {
      ...report,
      messages: report.messages.map((message) => ({
        ...message,
        document: message.document === null ? null : (JSON.parse(message.document) as unknown),
      })),
    },
    null,
    2,
  ),
);
process.exit(report.valid ? 0 : 1);

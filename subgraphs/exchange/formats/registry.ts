import { badInput } from '../../../platform/errors.ts';
import { edifactFormat } from './edifact/format.ts';
import { jsonFormat } from './json/format.ts';
import { peppolFormat } from './peppol/format.ts';
import type { DocumentFormat } from './types.ts';
import { x12Format } from './x12/format.ts';

/**
 * The document formats the inbox reads and the outbox writes, one folder per family under `formats/`.
 * A family turns bytes into business documents and outcomes into acknowledgements; what a document means
 * to the company is resolved in one place (`inbox/resolve.ts`) and applied by the GraphQL mutations every
 * other client calls, so no format carries business rules of its own.
 */
const FORMATS: readonly DocumentFormat[] = [
  jsonFormat,
  x12Format('004010'),
  x12Format('005010'),
  edifactFormat('D96A'),
  edifactFormat('D01B'),
  peppolFormat(),
];

const BY_ID = new Map(FORMATS.map((format) => [format.id, format]));

export const FORMAT_IDS: readonly string[] = FORMATS.map((format) => format.id);

/** The names a partner may post to without a version, such as `x12`: the version is read from the content. */
const FAMILIES = new Map<string, DocumentFormat[]>();
for (const format of FORMATS) FAMILIES.set(format.family, [...(FAMILIES.get(format.family) ?? []), format]);
FAMILIES.set('ubl', FAMILIES.get('peppol') ?? []);

export function isFormat(id: string): boolean {
  return BY_ID.has(id);
}

export function formatById(id: string): DocumentFormat | undefined {
  return BY_ID.get(id);
}

const unknownFormat = (name: string) =>
  badInput(`unknown document format "${name}"; known: ${FORMAT_IDS.join(', ')}`, { field: 'format' });

/** The format a partner names; BAD_USER_INPUT, listing the known ones, for any other name. */
export function requireFormat(id: string): DocumentFormat {
  const format = BY_ID.get(id);
  if (!format) throw unknownFormat(id);
  return format;
}

/**
 * The format of a received document: the one named, or, when a family is named (`x12`, `edifact`,
 * `peppol`), the version its content declares. Content no version recognises is read by the family's first
 * version, whose findings then say what is wrong with it.
 */
export function formatOf(name: string, content: Buffer): DocumentFormat {
  const exact = BY_ID.get(name);
  if (exact) return exact;
  const family = FAMILIES.get(name.toLowerCase());
  if (!family?.length) throw unknownFormat(name);
  return family.find((format) => format.sniff(content)) ?? family[0]!;
}

/** The format these bytes look like, when nobody named one (the command-line check). */
export function sniffFormat(content: Buffer): DocumentFormat | undefined {
  return (
    FORMATS.find((format) => format.family !== 'json' && format.sniff(content)) ??
    FORMATS.find((format) => format.sniff(content))
  );
}

/** The format family a media type names (`Content-Type` of an inbound POST), if any. */
export function formatNameByMediaType(mediaType: string): string | undefined {
  const bare = mediaType.split(';')[0]!.trim().toLowerCase();
  return FORMATS.find((format) => format.mediaTypes.includes(bare))?.family;
}

/** Formats that can write business documents: what a profile's `outboundFormat` may name. */
export function isWritingFormat(id: string): boolean {
  return BY_ID.get(id)?.write !== undefined;
}

import { badInput } from '../../../platform/errors.ts';
import { jsonFormat } from './json/format.ts';
import type { DocumentFormat } from './types.ts';

/**
 * The document formats the inbox reads and the outbox writes, one folder per family under `formats/`.
 * A family turns bytes into commands and outcomes into acknowledgements; the commands are the GraphQL
 * mutations every other client calls, so no format carries business rules of its own.
 */
const FORMATS: readonly DocumentFormat[] = [jsonFormat];

const BY_ID = new Map(FORMATS.map((format) => [format.id, format]));

export const FORMAT_IDS: readonly string[] = FORMATS.map((format) => format.id);

export function isFormat(id: string): boolean {
  return BY_ID.has(id);
}

export function formatById(id: string): DocumentFormat | undefined {
  return BY_ID.get(id);
}

/** The format a partner names; BAD_USER_INPUT, listing the known ones, for any other name. */
export function requireFormat(id: string): DocumentFormat {
  const format = BY_ID.get(id);
  if (!format)
    throw badInput(`unknown document format "${id}"; known: ${FORMAT_IDS.join(', ')}`, { field: 'format' });
  return format;
}

/** The format a media type names (`Content-Type` of an inbound POST), if any. */
export function formatByMediaType(mediaType: string): DocumentFormat | undefined {
  const bare = mediaType.split(';')[0]!.trim().toLowerCase();
  return FORMATS.find((format) => format.mediaTypes.includes(bare));
}

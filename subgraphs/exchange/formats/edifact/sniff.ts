import type { Directory } from './serializer.ts';

const HEAD = 64 * 1024;

function escapeRegExp(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether the bytes start an EDIFACT interchange (UNA or UNB) whose messages are of `directory`: the first
 * UNH other than CONTRL decides. An interchange of CONTRL only belongs to every directory.
 */
export function sniffDirectory(content: Buffer, directory: Directory): boolean {
  const bom = content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf ? 3 : 0;
  const text = content.subarray(bom, HEAD).toString('latin1').trimStart();
  if (!text.startsWith('UNA') && !text.startsWith('UNB')) return false;
  const una = text.startsWith('UNA') && text.length >= 9;
  const component = escapeRegExp(una ? text[3]! : ':');
  const element = escapeRegExp(una ? text[4]! : '+');
  const unh = new RegExp(
    `UNH${element}[^${element}]*${element}([A-Z0-9]{1,6})${component}([^${component}]*)${component}([^${component}${element}]*)`,
    'g',
  );
  for (const match of text.matchAll(unh)) {
    if (match[1] === 'CONTRL') continue;
    return match[2] === 'D' && match[3] === directory;
  }
  return true;
}

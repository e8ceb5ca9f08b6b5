import { XMLParser } from 'fast-xml-parser';

/**
 * A read-only view of a UBL document: elements by local name (UBL's cac and cbc names never collide, and
 * the XSD has already checked the namespaces), each with the XPath a partner's validator would print.
 */
export interface XmlElement {
  /** Local name, such as OrderLine. */
  name: string;
  /** Name as written, such as cac:OrderLine. */
  qname: string;
  path: string;
  text: string;
  attrs: Record<string, string>;
  children: XmlElement[];
}

type Ordered = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Quantities and amounts stay the strings they were on the wire; no number parsing, no entities.
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: '#comment',
});

const localName = (qname: string) => qname.slice(qname.indexOf(':') + 1);

function build(node: Ordered, qname: string, path: string): XmlElement {
  const attrs: Record<string, string> = {};
  const raw = node[':@'];
  if (raw && typeof raw === 'object') {
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) attrs[key] = String(value);
  }
  const element: XmlElement = { name: localName(qname), qname, path, text: '', attrs, children: [] };
  const counts = new Map<string, number>();
  const content = node[qname];
  for (const child of Array.isArray(content) ? (content as Ordered[]) : []) {
    const childName = Object.keys(child).find((key) => key !== ':@');
    if (childName === undefined || childName === '#comment') continue;
    if (childName === '#text') {
      element.text += String(child['#text']);
      continue;
    }
    const index = (counts.get(childName) ?? 0) + 1;
    counts.set(childName, index);
    element.children.push(build(child, childName, `${path}/${childName}[${index}]`));
  }
  return element;
}

/** The root element; throws on text that is not XML (the caller has already had libxml2 judge it). */
export function parseTree(text: string): XmlElement {
  const nodes = parser.parse(text) as Ordered[];
  for (const node of nodes) {
    const qname = Object.keys(node).find(
      (key) => key !== ':@' && !key.startsWith('#') && !key.startsWith('?'),
    );
    if (qname !== undefined) return build(node, qname, `/${qname}[1]`);
  }
  throw new Error('no root element');
}

/** Children by a path of local names, such as `Party/EndpointID`. */
export function all(element: XmlElement | undefined, path: string): XmlElement[] {
  if (!element) return [];
  let current = [element];
  for (const step of path.split('/')) {
    current = current.flatMap((el) => el.children.filter((child) => child.name === step));
  }
  return current;
}

export function first(element: XmlElement | undefined, path: string): XmlElement | undefined {
  return all(element, path)[0];
}

/** Trimmed text of the first element on the path, undefined when absent or empty. */
export function text(element: XmlElement | undefined, path: string): string | undefined {
  const value = first(element, path)?.text.trim();
  return value === undefined || value === '' ? undefined : value;
}

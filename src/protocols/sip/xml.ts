import { XMLParser } from 'fast-xml-parser';

/** An XML element as the XCCOS engine reads it. */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text, entities decoded. */
  readonly text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  // Numeric character references (`&#13;`, `&#233;`): Lync clients write line breaks that way.
  htmlEntities: true,
  // No DOCTYPE entities: a client must not be able to make us expand anything.
  allowBooleanAttributes: false,
});

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

function convert(node: Ordered): XmlElement | string | null {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (name === undefined) return null;
  if (name === '#text') return String(node[name] ?? '');
  if (name.startsWith('?') || name.startsWith('!')) return null;
  const raw = (node[name] as Ordered[] | undefined) ?? [];
  const children: XmlElement[] = [];
  let text = '';
  for (const child of raw) {
    const converted = convert(child);
    if (typeof converted === 'string') text += converted;
    else if (converted) children.push(converted);
  }
  return { name, attrs: { ...(node[':@'] ?? {}) }, children, text };
}

/** Parses one document; null when it is not well-formed XML with one root element. */
export function parseXml(text: string): XmlElement | null {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return null;
  let parsed: Ordered[];
  try {
    parsed = parser.parse(text) as Ordered[];
  } catch {
    return null;
  }
  const roots = parsed.map(convert).filter((n): n is XmlElement => typeof n === 'object' && n !== null);
  return roots.length === 1 ? (roots[0] as XmlElement) : null;
}

export const child = (element: XmlElement | undefined, name: string): XmlElement | undefined => element?.children.find((c) => c.name === name);
export const childrenNamed = (element: XmlElement | undefined, name: string): XmlElement[] => element?.children.filter((c) => c.name === name) ?? [];

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text and attribute values; characters XML 1.0 cannot carry are dropped. */
export function escapeXml(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** `<name a="1" b="2">inner</name>`, or self-closing without inner; attributes with undefined values are left out. */
export function element(name: string, attrs: Readonly<Record<string, string | number | undefined>>, inner?: string): string {
  const attributes = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  return inner === undefined ? `<${name}${attributes}/>` : `<${name}${attributes}>${inner}</${name}>`;
}

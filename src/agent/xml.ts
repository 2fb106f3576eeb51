/**
 * Just enough XML for STS's awsQuery answers, without a library: elements, attributes (skipped),
 * text, the five named entities and character references, comments, CDATA and the declaration.
 * A DOCTYPE is refused: an answer from STS never has one, and it is how entity tricks arrive.
 */

/** An element: its local name (any `prefix:` dropped), its child elements and its own text. */
export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  text: string;
}

/** Text that is not the well-formed XML this parser reads. */
export class XmlError extends Error {
  override readonly name = 'XmlError';
}

const START_TAG = /<([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;
const END_TAG = /<\/([A-Za-z_][\w.:-]*)\s*>/y;
const ENTITY = /&(#x[0-9A-Fa-f]+|#\d+|[a-z]+);/g;
const NAMED: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

const BARE_AMPERSAND = /&(?!#x[0-9A-Fa-f]+;|#\d+;|[a-z]+;)/;

/** Text with its entities and character references decoded. */
function decode(text: string): string {
  if (BARE_AMPERSAND.test(text)) throw new XmlError('a bare & in text');
  return text.replace(ENTITY, (_, entity: string) => {
    if (entity.startsWith('#')) {
      const code = entity.startsWith('#x')
        ? Number.parseInt(entity.slice(2), 16)
        : Number(entity.slice(1));
      if (code > 0x10ffff) throw new XmlError(`bad character reference &${entity};`);
      return String.fromCodePoint(code);
    }
    const named = NAMED[entity];
    if (named === undefined) throw new XmlError(`unknown entity &${entity};`);
    return named;
  });
}

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

/** Where markup that is not an element (declaration, comment, CDATA) ends, with its text. */
function skipSpecial(xml: string, at: number): { end: number; text: string } | undefined {
  const forms: readonly [string, string, boolean][] = [
    ['<?', '?>', false],
    ['<!--', '-->', false],
    ['<![CDATA[', ']]>', true],
  ];
  for (const [open, close, isText] of forms) {
    if (!xml.startsWith(open, at)) continue;
    const end = xml.indexOf(close, at + open.length);
    if (end === -1) throw new XmlError(`unterminated ${open}`);
    return { end: end + close.length, text: isText ? xml.slice(at + open.length, end) : '' };
  }
  if (xml.startsWith('<!', at)) throw new XmlError('DOCTYPE and other declarations are refused');
  return undefined;
}

/** Parses a document and returns its root element; throws XmlError when it is not well-formed. */
export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '', children: [], text: '' };
  const open: { element: XmlElement; tag: string }[] = [{ element: root, tag: '' }];
  let at = 0;
  while (at < xml.length) {
    const current = open.at(-1)?.element ?? root;
    const next = xml.indexOf('<', at);
    const textEnd = next === -1 ? xml.length : next;
    if (textEnd > at) current.text += decode(xml.slice(at, textEnd));
    if (next === -1) break;
    at = next;
    const special = skipSpecial(xml, at);
    if (special !== undefined) {
      current.text += special.text;
      at = special.end;
      continue;
    }
    END_TAG.lastIndex = at;
    const end = END_TAG.exec(xml);
    if (end !== null) {
      if (open.length === 1 || open.at(-1)?.tag !== end[1]) {
        throw new XmlError(`unexpected </${end[1]}>`);
      }
      open.pop();
      at = END_TAG.lastIndex;
      continue;
    }
    START_TAG.lastIndex = at;
    const start = START_TAG.exec(xml);
    if (start === null) throw new XmlError(`malformed markup at ${at}`);
    const tag = start[1] ?? '';
    const element: XmlElement = { name: localName(tag), children: [], text: '' };
    current.children.push(element);
    if (start[3] !== '/') open.push({ element, tag });
    at = START_TAG.lastIndex;
  }
  if (open.length !== 1) throw new XmlError(`<${open.at(-1)?.tag}> is not closed`);
  const [document, ...more] = root.children;
  if (document === undefined || more.length > 0 || root.text.trim() !== '') {
    throw new XmlError('a document has exactly one root element and no text around it');
  }
  return document;
}

/** The first child element of that local name, following a path of names from an element. */
export function childAt(element: XmlElement, ...path: readonly string[]): XmlElement | undefined {
  let found: XmlElement | undefined = element;
  for (const name of path) found = found?.children.find((child) => child.name === name);
  return found;
}

/** The trimmed text of the element at a path, or undefined when there is none or it is empty. */
export function textAt(element: XmlElement, ...path: readonly string[]): string | undefined {
  const text = childAt(element, ...path)?.text.trim();
  return text === undefined || text === '' ? undefined : text;
}

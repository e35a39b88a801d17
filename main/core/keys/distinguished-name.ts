// tsyringe, which @peculiar/x509 resolves its services through, throws at import without the Reflect metadata API.
import 'reflect-metadata';
import { Name, type JsonAttributeObject } from '@peculiar/x509';
import { SignetError } from '../errors.ts';

/**
 * Attribute types people write in subjects (RFC 4514 §3 names, plus the ones openssl prints), with the
 * upper bounds in characters of RFC 5280 Appendix A where it sets one (ub-common-name and the like):
 * a CA refuses a longer value, and some TLS stacks refuse the certificate.
 */
const ATTRIBUTES: { name: string; oid: string; encoding: keyof JsonAttributeObject; maxLength?: number }[] = [
  { name: 'CN', oid: '2.5.4.3', encoding: 'utf8String', maxLength: 64 },
  { name: 'C', oid: '2.5.4.6', encoding: 'printableString' },
  { name: 'L', oid: '2.5.4.7', encoding: 'utf8String', maxLength: 128 },
  { name: 'ST', oid: '2.5.4.8', encoding: 'utf8String', maxLength: 128 },
  { name: 'STREET', oid: '2.5.4.9', encoding: 'utf8String' },
  { name: 'O', oid: '2.5.4.10', encoding: 'utf8String', maxLength: 64 },
  { name: 'OU', oid: '2.5.4.11', encoding: 'utf8String', maxLength: 64 },
  { name: 'title', oid: '2.5.4.12', encoding: 'utf8String', maxLength: 64 },
  { name: 'serialNumber', oid: '2.5.4.5', encoding: 'printableString', maxLength: 64 },
  { name: 'organizationIdentifier', oid: '2.5.4.97', encoding: 'utf8String' },
  { name: 'DC', oid: '0.9.2342.19200300.100.1.25', encoding: 'ia5String' },
  { name: 'UID', oid: '0.9.2342.19200300.100.1.1', encoding: 'utf8String' },
  { name: 'emailAddress', oid: '1.2.840.113549.1.9.1', encoding: 'ia5String', maxLength: 255 },
];
const ALIASES: Record<string, string> = { E: 'emailAddress', EMAIL: 'emailAddress', S: 'ST' };
/** Our labels override the library's own short names (E, T, SN…) so output reads as openssl -nameopt RFC2253. */
const LABELS: Record<string, string> = Object.fromEntries(ATTRIBUTES.map(({ name, oid }) => [name, oid]));

type Rdn = { type: string; oid: string; value: string }[];

/**
 * Parses an RFC 4514 string ("CN=Alice,O=Example,C=NL") into a Name. The string lists the most
 * specific RDN first, the DER the other way round (§2.1), so "CN=a,O=b" encodes O before CN and
 * reads back as written. The library's own string parser is not used: it reads the DER order and
 * silently accepts what it cannot parse ("Alice" becomes an empty name).
 */
export function distinguishedName(text: string): Name {
  const rdns = parseRdns(text);
  if (rdns.length === 0) throw badSubject('it is empty');
  return new Name(rdns.reverse().map(rdnAttributes));
}

/**
 * X.690 §11.6: DER orders the members of a SET OF by their encodings (this matters for multi-valued
 * RDNs). A one-attribute Name's length octets grow with its attribute's, so ordering those Names'
 * encodings orders the attributes' own.
 */
function rdnAttributes(rdn: Rdn): Record<string, JsonAttributeObject[]> {
  const seen = new Set<string>();
  for (const { type, oid } of rdn) {
    if (seen.has(oid)) throw badSubject(`'${type}' appears twice in one RDN`);
    seen.add(oid);
  }
  const encoded = rdn.map(({ oid, value }) => {
    const encodedValue = encodeValue(oid, value);
    return { oid, encodedValue, der: Buffer.from(new Name([{ [oid]: [encodedValue] }]).toArrayBuffer()) };
  });
  encoded.sort((a, b) => Buffer.compare(a.der, b.der));
  return Object.fromEntries(encoded.map(({ oid, encodedValue }) => [oid, [encodedValue]]));
}

/** Formats a DER Name as RFC 4514 text, most specific RDN first. */
export function formatDistinguishedName(der: ArrayBuffer): string {
  return mostSpecificFirst(new Name(der, LABELS).toString());
}

/**
 * The library writes RDNs in DER order joined by ", " (escaping values by RFC 4514 §2.4); RFC 4514
 * §2.1 lists them the other way round. NUL is escaped too, so "CN=bank.example\00.evil" cannot be
 * shown as a name that looks shorter than it is.
 */
export function mostSpecificFirst(libraryText: string): string {
  const rdns: string[] = [];
  let start = 0;
  for (let index = 0; index < libraryText.length; index += 1) {
    if (libraryText[index] === '\\') index += 1;
    else if (libraryText[index] === ',') {
      rdns.push(libraryText.slice(start, index));
      start = index + 2;
    }
  }
  rdns.push(libraryText.slice(start));
  return rdns.reverse().join(',').replace(/\0/g, '\\00');
}

function parseRdns(text: string): Rdn[] {
  const rdns: Rdn[] = [[]];
  let index = 0;
  while (index < text.length) {
    const next = text.slice(index).trimStart()[0];
    if (next === undefined) throw badSubject('it ends with a separator');
    if (next === ',' || next === '+') throw badSubject('it has an empty RDN (two separators in a row, or one at the start)');
    const equals = text.indexOf('=', index);
    if (equals < 0) throw badSubject(`'${text.slice(index).trim()}' has no '='`);
    const type = text.slice(index, equals).trim();
    const oid = attributeOid(type);
    const { value, end } = readValue(text, equals + 1);
    if (value === '') throw badSubject(`the value of '${type}' is empty`);
    // A NUL or line break would let a name be shown as a shorter or different one than is certified.
    const control = /[\u0000-\u001f\u007f-\u009f]/u.exec(value)?.[0];
    if (control !== undefined) throw badSubject(`the value of '${type}' holds a control character (${escaped(control)})`);
    rdns[rdns.length - 1]?.push({ type, oid, value });
    index = end + 1;
    if (text[end] === ',') rdns.push([]);
    if (end < text.length && index >= text.length) throw badSubject('it ends with a separator');
  }
  return rdns.filter((rdn) => rdn.length > 0);
}

/** Reads one value up to an unescaped ',' or '+', undoing RFC 4514 §2.4 escapes; trims unescaped spaces. */
function readValue(text: string, start: number): { value: string; end: number } {
  const bytes: number[] = [];
  let lastSignificant = 0;
  let index = start;
  while (index < text.length && text[index] === ' ') index += 1;
  if (text[index] === '#') throw badSubject('hex-encoded (#…) values are not supported');
  for (; index < text.length; index += 1) {
    const char = text[index] ?? '';
    if (char === ',' || char === '+') break;
    if (char === '\\') {
      const next = text.slice(index + 1, index + 3);
      if (/^[0-9a-fA-F]{2}$/.test(next)) {
        bytes.push(parseInt(next, 16));
        index += 2;
      } else if (next[0] !== undefined && ' "#+,;<=>\\'.includes(next[0])) {
        bytes.push(next.charCodeAt(0));
        index += 1;
      } else {
        throw badSubject(`'\\${next[0] ?? ''}' is not a valid escape`);
      }
      lastSignificant = bytes.length;
      continue;
    }
    bytes.push(...Buffer.from(char, 'utf8'));
    if (char !== ' ') lastSignificant = bytes.length;
  }
  const value = Buffer.from(bytes.slice(0, lastSignificant)).toString('utf8');
  return { value, end: index };
}

function attributeOid(type: string): string {
  if (/^\d+(\.\d+)+$/.test(type)) return type;
  const name = ALIASES[type.toUpperCase()] ?? type;
  const attribute = ATTRIBUTES.find((candidate) => candidate.name.toUpperCase() === name.toUpperCase());
  if (!attribute) throw badSubject(`unknown attribute '${type}' (use CN, O, OU, L, ST, C, DC, emailAddress… or a dotted OID)`);
  return attribute.oid;
}

/** RFC 4514 §2.4: a character as the escapes of its UTF-8 bytes. */
function escaped(char: string): string {
  return [...Buffer.from(char, 'utf8')].map((byte) => `\\${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/** The string type each attribute is encoded with (RFC 5280 §4.1.2.4, Appendix A), checked first. */
function encodeValue(oid: string, value: string): JsonAttributeObject {
  const attribute = ATTRIBUTES.find((candidate) => candidate.oid === oid);
  const encoding = attribute?.encoding ?? 'utf8String';
  const length = [...value].length;
  if (attribute?.maxLength !== undefined && length > attribute.maxLength) {
    throw badSubject(`${attribute.name} is at most ${attribute.maxLength} characters (RFC 5280 upper bound), this one has ${length}`);
  }
  if (oid === '2.5.4.6' && !/^[A-Za-z]{2}$/.test(value)) throw badSubject(`C must be a two-letter country code, not '${value}'`);
  // X.520 PrintableString: letters, digits, space and '()+,-./:=?.
  if (encoding === 'printableString' && !/^[A-Za-z0-9 '()+,\-./:=?]+$/.test(value)) throw badSubject(`'${value}' has characters not allowed in this attribute`);
  if (encoding === 'ia5String' && !/^[\x20-\x7e]+$/.test(value)) throw badSubject(`'${value}' must be ASCII`);
  return { [encoding]: value };
}

function badSubject(reason: string): SignetError {
  return new SignetError('ERR_BAD_INPUT', `invalid subject: ${reason} (write it like "CN=Alice,O=Example,C=NL")`);
}

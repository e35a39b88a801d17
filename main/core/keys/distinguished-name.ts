import * as asn1js from 'asn1js';
import { SignetError } from '../errors.ts';
import { children, oidOf } from './der.ts';

/** Attribute types people write in subjects (RFC 4514 §3 names, plus the ones openssl prints). */
const ATTRIBUTES: { name: string; oid: string; encoding: 'utf8' | 'printable' | 'ia5' }[] = [
  { name: 'CN', oid: '2.5.4.3', encoding: 'utf8' },
  { name: 'C', oid: '2.5.4.6', encoding: 'printable' },
  { name: 'L', oid: '2.5.4.7', encoding: 'utf8' },
  { name: 'ST', oid: '2.5.4.8', encoding: 'utf8' },
  { name: 'STREET', oid: '2.5.4.9', encoding: 'utf8' },
  { name: 'O', oid: '2.5.4.10', encoding: 'utf8' },
  { name: 'OU', oid: '2.5.4.11', encoding: 'utf8' },
  { name: 'title', oid: '2.5.4.12', encoding: 'utf8' },
  { name: 'serialNumber', oid: '2.5.4.5', encoding: 'printable' },
  { name: 'organizationIdentifier', oid: '2.5.4.97', encoding: 'utf8' },
  { name: 'DC', oid: '0.9.2342.19200300.100.1.25', encoding: 'ia5' },
  { name: 'UID', oid: '0.9.2342.19200300.100.1.1', encoding: 'utf8' },
  { name: 'emailAddress', oid: '1.2.840.113549.1.9.1', encoding: 'ia5' },
];
const ALIASES: Record<string, string> = { E: 'emailAddress', EMAIL: 'emailAddress', S: 'ST' };

type Rdn = { oid: string; value: string }[];

/**
 * Parses an RFC 4514 string ("CN=Alice,O=Example,C=NL") into a DER Name. The string lists the most
 * specific RDN first, the DER the other way round (§2.1), so "CN=a,O=b" encodes O before CN and
 * reads back as written.
 */
export function encodeDistinguishedName(text: string): asn1js.Sequence {
  const rdns = parseRdns(text);
  if (rdns.length === 0) throw badSubject('it is empty');
  return new asn1js.Sequence({
    value: rdns.reverse().map((rdn) => new asn1js.Set({ value: rdn.map(({ oid, value }) => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), encodeValue(oid, value)] })) })),
  });
}

/** Formats a DER Name as RFC 4514 text, most specific RDN first. */
export function formatDistinguishedName(name: asn1js.BaseBlock | undefined): string {
  return children(name)
    .map((rdn) =>
      children(rdn)
        .map((pair) => {
          const [type, value] = children(pair);
          const oid = oidOf(type) ?? '';
          const label = ATTRIBUTES.find((attribute) => attribute.oid === oid)?.name ?? oid;
          return `${label}=${formatValue(value)}`;
        })
        .join('+'),
    )
    .reverse()
    .join(',');
}

function parseRdns(text: string): Rdn[] {
  const rdns: Rdn[] = [[]];
  let index = 0;
  while (index < text.length) {
    const equals = text.indexOf('=', index);
    if (equals < 0) throw badSubject(`'${text.slice(index).trim()}' has no '='`);
    const oid = attributeOid(text.slice(index, equals).trim());
    const { value, end } = readValue(text, equals + 1);
    if (value === '') throw badSubject(`the value of '${text.slice(index, equals).trim()}' is empty`);
    rdns[rdns.length - 1]?.push({ oid, value });
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

function encodeValue(oid: string, value: string): asn1js.BaseBlock {
  const encoding = ATTRIBUTES.find((attribute) => attribute.oid === oid)?.encoding ?? 'utf8';
  if (oid === '2.5.4.6' && !/^[A-Za-z]{2}$/.test(value)) throw badSubject(`C must be a two-letter country code, not '${value}'`);
  if (encoding === 'printable') {
    // X.520 PrintableString: letters, digits, space and '()+,-./:=?.
    if (!/^[A-Za-z0-9 '()+,\-./:=?]+$/.test(value)) throw badSubject(`'${value}' has characters not allowed in this attribute`);
    return new asn1js.PrintableString({ value });
  }
  if (encoding === 'ia5') {
    if (!/^[\x20-\x7e]+$/.test(value)) throw badSubject(`'${value}' must be ASCII`);
    return new asn1js.IA5String({ value });
  }
  return new asn1js.Utf8String({ value });
}

const STRING_TYPES = [asn1js.Utf8String, asn1js.PrintableString, asn1js.IA5String, asn1js.TeletexString, asn1js.BmpString, asn1js.UniversalString, asn1js.VisibleString];

/** RFC 4514 §2.4: escape specials; values that are not strings are written as '#' and their DER in hex. */
function formatValue(value: asn1js.BaseBlock | undefined): string {
  if (!value) return '';
  if (!STRING_TYPES.some((type) => value instanceof type)) return `#${Buffer.from(value.toBER()).toString('hex')}`;
  const text = (value as asn1js.Utf8String).valueBlock.value;
  return text
    .replace(/[\\"+,;<>]/g, (special) => `\\${special}`)
    .replace(/\0/g, '\\00')
    .replace(/^[ #]/, (lead) => `\\${lead}`)
    .replace(/ $/, '\\ ');
}

function badSubject(reason: string): SignetError {
  return new SignetError('ERR_BAD_INPUT', `invalid subject: ${reason} (write it like "CN=Alice,O=Example,C=NL")`);
}

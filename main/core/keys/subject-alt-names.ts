import * as asn1js from 'asn1js';
import { SignetError } from '../errors.ts';
import { children, decodeDer } from './der.ts';
import { formatDistinguishedName } from './distinguished-name.ts';

/** GeneralName tags (RFC 5280 §4.2.1.6), all IMPLICIT except directoryName. */
const TAG = { email: 1, dns: 2, directory: 4, uri: 6, ip: 7 } as const;
type SanKind = 'dns' | 'email' | 'ip' | 'uri';

const DNS_NAME = /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/;
const EMAIL = /^[\x21-\x3f\x41-\x7e]+@[A-Za-z0-9.-]+$/;

/** Encodes "dns:x", "email:x", "ip:x", "uri:x" (a bare value is a DNS name) as a GeneralNames SEQUENCE. */
export function encodeSubjectAltNames(entries: string[]): asn1js.Sequence {
  return new asn1js.Sequence({ value: entries.map(encodeEntry) });
}

function encodeEntry(entry: string): asn1js.BaseBlock {
  const match = /^(dns|email|ip|uri):(.*)$/i.exec(entry.trim());
  const kind = (match?.[1]?.toLowerCase() ?? 'dns') as SanKind;
  const value = (match ? (match[2] ?? '') : entry).trim();
  switch (kind) {
    case 'dns':
      if (!DNS_NAME.test(value)) throw badSan(entry, 'is not a DNS name (write internationalised names in their xn-- form)');
      return implicit(TAG.dns, Buffer.from(value, 'ascii'));
    case 'email':
      if (!EMAIL.test(value)) throw badSan(entry, 'is not an ASCII e-mail address');
      return implicit(TAG.email, Buffer.from(value, 'ascii'));
    case 'uri':
      if (!isUri(value)) throw badSan(entry, 'is not an absolute ASCII URI');
      return implicit(TAG.uri, Buffer.from(value, 'ascii'));
    case 'ip':
      return implicit(TAG.ip, parseIp(value) ?? raise(badSan(entry, 'is not an IPv4 or IPv6 address')));
  }
}

/** Reads the subjectAltName extension value back into the same "kind:value" strings. */
export function decodeSubjectAltNames(extensionValue: Uint8Array): string[] {
  const names: string[] = [];
  for (const name of children(decodeDer(extensionValue, 'the subjectAltName extension'))) {
    if (name.idBlock.tagClass !== 3) continue;
    const bytes = name instanceof asn1js.Primitive ? Buffer.from(name.valueBlock.valueHexView) : undefined;
    switch (name.idBlock.tagNumber) {
      case TAG.dns:
        if (bytes) names.push(`dns:${bytes.toString('latin1')}`);
        break;
      case TAG.email:
        if (bytes) names.push(`email:${bytes.toString('latin1')}`);
        break;
      case TAG.uri:
        if (bytes) names.push(`uri:${bytes.toString('latin1')}`);
        break;
      case TAG.ip:
        if (bytes) names.push(`ip:${formatIp(bytes)}`);
        break;
      case TAG.directory:
        names.push(`dirName:${formatDistinguishedName(children(name)[0])}`);
        break;
      // otherName, x400Address, ediPartyName and registeredID are not shown.
    }
  }
  return names;
}

function implicit(tagNumber: number, value: Uint8Array): asn1js.Primitive {
  return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber }, valueHex: value });
}

function isUri(value: string): boolean {
  if (!/^[\x21-\x7e]+$/.test(value) || !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

function parseIp(value: string): Buffer | undefined {
  const v4 = parseIpv4(value);
  if (v4) return v4;
  return value.includes(':') ? parseIpv6(value) : undefined;
}

function parseIpv4(value: string): Buffer | undefined {
  const parts = value.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255)) return undefined;
  return Buffer.from(parts.map(Number));
}

function parseIpv6(value: string): Buffer | undefined {
  const halves = value.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string | undefined): number[] | undefined => {
    if (!half) return [];
    const result: number[] = [];
    const parts = half.split(':');
    for (const [index, part] of parts.entries()) {
      const embedded = index === parts.length - 1 ? parseIpv4(part) : undefined;
      if (embedded) result.push((embedded.readUInt8(0) << 8) | embedded.readUInt8(1), (embedded.readUInt8(2) << 8) | embedded.readUInt8(3));
      else if (/^[0-9a-fA-F]{1,4}$/.test(part)) result.push(parseInt(part, 16));
      else return undefined;
    }
    return result;
  };
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...tail];
  const bytes = Buffer.alloc(16);
  all.forEach((group, index) => bytes.writeUInt16BE(group, index * 2));
  return bytes;
}

/** IPv4 dotted, IPv6 with the longest run of zero groups shortened (RFC 5952 §4.2). */
function formatIp(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length !== 16) return `#${bytes.toString('hex')}`;
  const groups = Array.from({ length: 8 }, (_, index) => bytes.readUInt16BE(index * 2));
  let best = { start: -1, length: 0 };
  for (let start = 0; start < 8; start += 1) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length += 1;
    if (length > best.length && length > 1) best = { start, length };
  }
  const hex = groups.map((group) => group.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

function badSan(entry: string, reason: string): SignetError {
  return new SignetError('ERR_BAD_INPUT', `subject alternative name '${entry}' ${reason}`);
}

function raise(error: SignetError): never {
  throw error;
}

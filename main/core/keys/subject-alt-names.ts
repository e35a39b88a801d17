// tsyringe, which @peculiar/x509 resolves its services through, throws at import without the Reflect metadata API.
import 'reflect-metadata';
import { SubjectAlternativeNameExtension, type JsonGeneralName } from '@peculiar/x509';
import { SignetError } from '../errors.ts';
import { mostSpecificFirst } from './distinguished-name.ts';

const DNS_NAME = /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/;
const EMAIL = /^[\x21-\x3f\x41-\x7e]+@[A-Za-z0-9.-]+$/;

/**
 * The subjectAltName extension (RFC 5280 §4.2.1.6) for "dns:x", "email:x", "ip:x", "uri:x"; a bare
 * value is a DNS name. Each entry is checked here because the library encodes whatever it is given.
 */
export function subjectAltNameExtension(entries: string[]): SubjectAlternativeNameExtension {
  return new SubjectAlternativeNameExtension(entries.map(generalName), false);
}

function generalName(entry: string): JsonGeneralName {
  const match = /^(dns|email|ip|uri):(.*)$/i.exec(entry.trim());
  // "bogus:x" is a kind we do not know, not a malformed DNS name ("host:443" is a DNS name with a port).
  const prefix = match ? undefined : /^([A-Za-z][A-Za-z0-9-]*):(?!\d*$)/.exec(entry.trim())?.[1];
  if (prefix !== undefined) throw badSan(entry, `starts with an unknown prefix "${prefix}:": write dns:, email:, ip: or uri: (a value without a prefix is a DNS name)`);
  const kind = match?.[1]?.toLowerCase() ?? 'dns';
  const value = (match ? (match[2] ?? '') : entry).trim();
  switch (kind) {
    case 'email':
      if (!EMAIL.test(value)) throw badSan(entry, 'is not an ASCII e-mail address');
      return { type: 'email', value };
    case 'uri':
      if (!isUri(value)) throw badSan(entry, 'is not an absolute ASCII URI');
      return { type: 'url', value };
    case 'ip':
      return { type: 'ip', value: ipForLibrary(parseIp(value) ?? raise(badSan(entry, 'is not an IPv4 or IPv6 address'))) };
    default:
      if (!DNS_NAME.test(value)) throw badSan(entry, 'is not a DNS name (write internationalised names in their xn-- form)');
      // RFC 1035 §2.3.4: resolvers and TLS name checks refuse longer labels and names.
      if (value.split('.').some((label) => label.length > 63)) throw badSan(entry, 'has a label longer than 63 characters');
      if (value.length > 253) throw badSan(entry, 'is longer than 253 characters');
      return { type: 'dns', value };
  }
}

/** Reads the extension back into the same "kind:value" strings (plus "dirName:"); other kinds are not shown. */
export function describeSubjectAltNames(extension: SubjectAlternativeNameExtension): string[] {
  return extension.names.items.flatMap((name) => {
    switch (name.type) {
      case 'dns':
      case 'email':
      case 'ip':
        return [`${name.type}:${name.value}`];
      case 'url':
        return [`uri:${name.value}`];
      case 'dn':
        return [`dirName:${mostSpecificFirst(name.value)}`];
      default:
        return [];
    }
  });
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

/**
 * The library's address parser reads an IPv6 group "12g4" as 0x12, an embedded IPv4 tail
 * (::ffff:192.0.2.1) as hex groups, and takes a "/prefix" (which belongs in name constraints), so
 * addresses are validated here and handed over in a form it reads exactly: a dotted quad, or all
 * eight IPv6 groups.
 */
function ipForLibrary(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  return Array.from({ length: 8 }, (_, index) => bytes.readUInt16BE(index * 2).toString(16)).join(':');
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

function badSan(entry: string, reason: string): SignetError {
  return new SignetError('ERR_BAD_INPUT', `subject alternative name '${entry}' ${reason}`);
}

function raise(error: SignetError): never {
  throw error;
}

import { describe, expect, it } from 'vitest';
import { describeSubjectAltNames, subjectAltNameExtension } from '../../../main/core/keys/subject-alt-names.ts';

const refusal = (entry: string): string => {
  try {
    subjectAltNameExtension([entry]);
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
};

describe('subject alternative name entries', () => {
  it('names a prefix it does not know and lists the ones it does', () => {
    expect(refusal('bogus:xyz')).toBe(`subject alternative name 'bogus:xyz' starts with an unknown prefix "bogus:": write dns:, email:, ip: or uri: (a value without a prefix is a DNS name)`);
    expect(refusal('urn:isbn:0451450523')).toMatch(/unknown prefix "urn:"/);
  });

  it('still reads a host with a port as a malformed DNS name, not as a prefix', () => {
    expect(refusal('localhost:8443')).toMatch(/'localhost:8443' is not a DNS name/);
  });

  it('takes the known prefixes in any case', () => {
    expect(describeSubjectAltNames(subjectAltNameExtension(['DNS:api.example.com', 'Email:ops@example.com']))).toEqual(['dns:api.example.com', 'email:ops@example.com']);
  });
});

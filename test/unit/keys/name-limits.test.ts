import { describe, expect, it } from 'vitest';
import { distinguishedName, formatDistinguishedName } from '../../../main/core/keys/distinguished-name.ts';
import { subjectAltNameExtension } from '../../../main/core/keys/subject-alt-names.ts';

const refusal = (parse: () => unknown): string => {
  try {
    parse();
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
};
const subjectRefusal = (subject: string) => refusal(() => distinguishedName(subject));
const sanRefusal = (entry: string) => refusal(() => subjectAltNameExtension([entry]));
const EXAMPLE = '(write it like "CN=Alice,O=Example,C=NL")';

describe('subjects', () => {
  it.each([
    ['a NUL written as an escape', 'CN=a\\00b', '\\00'],
    ['a line feed written as an escape', 'CN=a\\0Ab', '\\0A'],
    ['a raw tab', 'CN=a\tb', '\\09'],
    ['a C1 control', 'O=a\u0085b', '\\C2\\85'],
  ])('refuses %s: a name must not look shorter than it is', (_label, subject, shown) => {
    expect(subjectRefusal(subject)).toBe(`invalid subject: the value of '${subject.slice(0, subject.indexOf('='))}' holds a control character (${shown}) ${EXAMPLE}`);
  });

  it.each([
    ['two separators in a row', 'CN=a,,O=b'],
    ['a leading separator', ',CN=a'],
    ['an empty RDN between "+" and ","', 'CN=a+,O=b'],
  ])('names an empty RDN (%s) instead of an unknown attribute', (_label, subject) => {
    expect(subjectRefusal(subject)).toBe(`invalid subject: it has an empty RDN (two separators in a row, or one at the start) ${EXAMPLE}`);
  });

  it.each([['CN=a,'], ['CN=a, '], ['CN=a,  ']])('says "%s" ends with a separator, trailing spaces or not', (subject) => {
    expect(subjectRefusal(subject)).toBe(`invalid subject: it ends with a separator ${EXAMPLE}`);
  });

  it('refuses a CN over the 64 characters of RFC 5280 ub-common-name, counting characters, not bytes', () => {
    expect(subjectRefusal(`CN=${'a'.repeat(65)}`)).toBe(`invalid subject: CN is at most 64 characters (RFC 5280 upper bound), this one has 65 ${EXAMPLE}`);
    expect(formatDistinguishedName(distinguishedName(`CN=${'é'.repeat(64)}`).toArrayBuffer())).toBe(`CN=${'é'.repeat(64)}`);
  });

  it.each([
    ['O', 64],
    ['OU', 64],
    ['L', 128],
    ['ST', 128],
  ])('refuses %s over its upper bound of %i characters', (attribute, bound) => {
    expect(subjectRefusal(`CN=a,${attribute}=${'x'.repeat(bound)}`)).toBe('accepted');
    expect(subjectRefusal(`CN=a,${attribute}=${'x'.repeat(bound + 1)}`)).toContain(`${attribute} is at most ${bound} characters`);
  });
});

describe('DNS alternative names', () => {
  it('refuses a label over 63 characters (RFC 1035 §2.3.4)', () => {
    expect(sanRefusal(`dns:${'a'.repeat(64)}.example.com`)).toBe(`subject alternative name 'dns:${'a'.repeat(64)}.example.com' has a label longer than 63 characters`);
    expect(sanRefusal(`dns:${'a'.repeat(63)}.example.com`)).toBe('accepted');
  });

  it('refuses a name over 253 characters', () => {
    const long = Array.from({ length: 4 }, () => 'a'.repeat(63)).join('.');
    expect(sanRefusal(long)).toBe(`subject alternative name '${long}' is longer than 253 characters`);
  });
});

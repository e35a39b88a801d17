import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacMismatchDetail, isCallbackUri } from '../../../main/core/opg/index.ts';

const macOf = (hash: 'sha1' | 'sha256') => createHmac(hash, randomBytes(32)).update('canonical').digest('base64');

describe('the detail of an HMAC that does not match', () => {
  it('suggests the SHA-1 profile for a 20-byte MAC under opg-sha256', () => {
    expect(hmacMismatchDetail('opg-sha256', macOf('sha1'))).toBe(
      'the HMAC does not match the canonical string of profile opg-sha256; the signature is 20 bytes, as HMAC-SHA-1 gives: ' +
        'is the partner on the opg-sha1-legacy profile? (Settings › Inspection › HMAC profile, or signet settings set inspection.hmacProfile opg-sha1-legacy)',
    );
  });

  it('suggests the SHA-256 profile for a 32-byte MAC under opg-sha1-legacy', () => {
    expect(hmacMismatchDetail('opg-sha1-legacy', macOf('sha256'))).toBe(
      'the HMAC does not match the canonical string of profile opg-sha1-legacy; the signature is 32 bytes, as HMAC-SHA-256 gives: ' +
        'is the partner on the opg-sha256 profile? (Settings › Inspection › HMAC profile, or signet settings set inspection.hmacProfile opg-sha256)',
    );
  });

  it('suggests nothing when the MAC has the length of the profile’s own hash, or of none', () => {
    expect(hmacMismatchDetail('opg-sha256', macOf('sha256'))).toBe('the HMAC does not match the canonical string of profile opg-sha256');
    expect(hmacMismatchDetail('opg-sha1-legacy', Buffer.alloc(16).toString('base64'))).toBe('the HMAC does not match the canonical string of profile opg-sha1-legacy');
  });
});

describe('callback paths', () => {
  it('match the path by prefix, with the query cut off', () => {
    expect(isCallbackUri('/callbacks/opg?x=1', ['/callbacks/'])).toBe(true);
    expect(isCallbackUri('/callbacksX/opg', ['/callbacks/'])).toBe(false);
    expect(isCallbackUri('/opg/a?next=/callbacks/', ['/callbacks/'])).toBe(false);
    expect(isCallbackUri('/callbacks/opg', [])).toBe(false);
  });
});

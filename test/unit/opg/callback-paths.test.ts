import { describe, expect, it } from 'vitest';
import { isCallbackUri } from '../../../main/core/opg/index.ts';

// A request taken for a callback skips the replay and clock-skew checks (partner 004): the path must
// be one of the configured callback paths as the server resolves it, never one that merely starts so.
const CALLBACKS = ['/opg/callback'];

describe('callback paths, matched by whole segments', () => {
  it('take the path itself and what lies under it', () => {
    for (const uri of ['/opg/callback', '/opg/callback/', '/opg/callback/survey-done?id=7']) expect(isCallbackUri(uri, CALLBACKS), uri).toBe(true);
  });

  it('do not take a longer segment that starts with the callback path', () => {
    expect(isCallbackUri('/opg/callbackhijack', CALLBACKS)).toBe(false);
    expect(isCallbackUri('/opg/callback-admin/x', CALLBACKS)).toBe(false);
  });

  it('read a configured path with or without its trailing slash alike', () => {
    expect(isCallbackUri('/opg/callback/x', ['/opg/callback/'])).toBe(true);
    expect(isCallbackUri('/opg/callbackx', ['/opg/callback/'])).toBe(false);
  });
});

describe('callback paths, failing closed on a path servers read in different ways', () => {
  it('do not take a path that climbs out of the callback path', () => {
    expect(isCallbackUri('/opg/callback/../admin', CALLBACKS)).toBe(false);
    expect(isCallbackUri('/opg/callback/..', CALLBACKS)).toBe(false);
    expect(isCallbackUri('/opg/callback/x/../../admin?next=/opg/callback/', CALLBACKS)).toBe(false);
  });

  it('do not take dot segments hidden in percent-encoding, which a server decodes (RFC 3986 §6.2.2.2)', () => {
    expect(isCallbackUri('/opg/callback/%2e%2e/admin', CALLBACKS)).toBe(false);
    expect(isCallbackUri('/opg/callback/%2E./admin', CALLBACKS)).toBe(false);
    expect(isCallbackUri('/opg/callback/%252e%252e/admin', CALLBACKS)).toBe(false);
  });

  it('do not take what Tomcat, nginx or IIS resolve elsewhere: ;-parameters, empty segments, backslashes, encoded separators', () => {
    for (const uri of ['/opg/callback/..;/admin', '/opg/callback/..%3B/admin', '/opg/callback//../admin', '/opg/callback/;x/../../admin', '/opg/callback\\..\\admin', '/opg/callback%2F..%2Fadmin']) {
      expect(isCallbackUri(uri, CALLBACKS), uri).toBe(false);
    }
  });

  it('do not take even a path that would resolve into the callback path: its checks apply', () => {
    expect(isCallbackUri('/opg/x/../callback/done', CALLBACKS)).toBe(false);
    expect(isCallbackUri('/opg/callback/./done', CALLBACKS)).toBe(false);
  });

  it('take escapes of unreserved characters, which name the same resource', () => {
    expect(isCallbackUri('/opg/%63allback/done', CALLBACKS)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { apiKeyScheme, redactedApiKey } from '../../../main/core/schemes/api-key.ts';
import type { Exchange } from '../../../main/core/traffic/exchange.ts';
import { DEFAULT_SETTINGS } from '../../../main/services/settings.ts';

const withKey = (value: string): Exchange => ({
  index: 0,
  startedAt: null,
  request: { method: 'GET', url: 'https://api.klix.test/x', httpVersion: 'HTTP/1.1', headers: [{ name: 'X-KLIX-Api-Key', value }], body: null },
  response: null,
});

describe('api-key detection', () => {
  it('finds a key in a configured header', () => {
    expect(apiKeyScheme.detect(withKey('klix-live-0123456789WXYZ'), DEFAULT_SETTINGS.inspection).map((found) => found.location)).toEqual(['header:x-klix-api-key']);
  });

  it("skips Signet's own redaction marks, as a sanitized export writes them", () => {
    for (const mark of [redactedApiKey('klix-live-0123456789WXYZ'), '[redacted by Signet]', ' [redacted] ']) {
      expect(apiKeyScheme.detect(withKey(mark), DEFAULT_SETTINGS.inspection)).toEqual([]);
    }
  });

  it('redacts a key to its last four characters', () => {
    expect(redactedApiKey(' klix-live-0123456789WXYZ ')).toBe('[redacted API key …WXYZ]');
  });
});

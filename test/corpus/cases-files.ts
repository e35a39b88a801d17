import { harText } from '../support/capture.ts';
import { filler, nested, publicJwkOf } from './builders.ts';
import type { CorpusCase, CorpusInput } from './cases.ts';

// The file half of the corpus: key files and captures built to exhaust or confuse their parsers.

const capture = (fileName: string, text: string): CorpusInput => ({ target: 'capture', fileName, chunks: () => [Buffer.from(text, 'utf8')] });
const MB = 1024 * 1024;

/** A request line and headers around one hostile header line. */
const rawWith = (line: string) => `POST /orders HTTP/1.1\r\nHost: api.klix.test\r\n${line}\r\nContent-Length: 2\r\n\r\n{}\r\n`;

export const FILE_CASES: CorpusCase[] = [
  // --- key files ---
  {
    id: 'key-jwk-nested-10000',
    threat: 'a JWK nested 10 000 levels deep',
    build: () => ({ target: 'key-file', bytes: Buffer.from(`{"kty":"EC","crv":"P-256","x":${nested(10_000)}}`) }),
    core: 'ERR_KEY_FORMAT',
    service: 'ERR_KEY_FORMAT',
  },
  {
    id: 'key-der-nested-10000',
    threat: 'BER nested 10 000 SEQUENCEs deep (indefinite lengths)',
    build: () => ({ target: 'key-file', bytes: Buffer.concat([Buffer.from('30 80'.repeat(10_000).replace(/ /g, ''), 'hex'), Buffer.alloc(20_000)]) }),
    core: 'ERR_KEY_FORMAT',
    service: 'ERR_KEY_FORMAT',
  },
  {
    id: 'key-pem-not-base64',
    threat: 'a PEM body that is not Base64 (decoders that skip junk read another key)',
    build: () => ({ target: 'key-file', bytes: Buffer.from('-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE*not*base64*\n-----END PUBLIC KEY-----\n') }),
    core: 'ERR_KEY_FORMAT',
    service: 'ERR_KEY_FORMAT',
    message: /not Base64/,
  },
  {
    id: 'key-jwk-base64-padding',
    threat: 'a JWK member in padded standard Base64 instead of base64url',
    build: ({ keys }) => ({ target: 'key-file', bytes: Buffer.from(JSON.stringify({ ...publicJwkOf(keys.attacker.ecPublic), x: `${Buffer.from(String(publicJwkOf(keys.attacker.ecPublic).x), 'base64url').toString('base64')}=` })) }),
    core: 'ERR_KEY_FORMAT',
    service: 'ERR_KEY_FORMAT',
  },
  {
    id: 'key-jwk-lone-surrogate-kid',
    threat: 'a kid that is a lone surrogate (stored as U+FFFD, it would match another kid)',
    build: ({ keys }) => ({ target: 'key-file', bytes: Buffer.from(JSON.stringify(publicJwkOf(keys.attacker.ecPublic)).replace(/^\{/, '{"kid":"\\udc00x",')) }),
    core: 'ERR_KEY_FORMAT',
    service: 'ERR_KEY_FORMAT',
    message: /surrogate/,
  },
  {
    id: 'key-file-1.5mib',
    threat: 'a 1.5 MiB key file (parsers made to work hard)',
    build: () => ({ target: 'key-file', bytes: Buffer.from(`{"keys":[${'{"kty":"oct","k":"AAAA"},'.repeat(60_000)}{"kty":"oct","k":"AAAA"}]}`) }),
    core: 'ERR_TOO_LARGE',
    service: 'ERR_TOO_LARGE',
  },

  // --- captures ---
  {
    id: 'har-header-100mb',
    threat: 'a HAR entry with a single 100 MB header (memory exhaustion)',
    large: true,
    build: () => ({
      target: 'capture',
      fileName: 'huge-header.har',
      chunks: function* () {
        yield Buffer.from('{"log":{"version":"1.2","entries":[{"request":{"method":"GET","url":"https://a.test/","headers":[{"name":"X-Big","value":"');
        yield* filler(100 * MB);
        yield Buffer.from('"}]}},{"request":{"method":"GET","url":"https://a.test/after","headers":[]}}]}}');
      },
    }),
    core: 'ok',
    items: ['malformed', 'exchange'],
    message: /-byte limit; skipped/,
    service: 'failing',
  },
  {
    id: 'raw-header-100mb',
    threat: 'a raw HTTP request with a single 100 MB header line',
    large: true,
    build: () => ({
      target: 'capture',
      fileName: 'huge-header.http',
      chunks: function* () {
        yield Buffer.from('GET /a HTTP/1.1\r\nHost: a.test\r\nX-Big: ');
        yield* filler(100 * MB);
        yield Buffer.from('\r\n\r\nGET /after HTTP/1.1\r\nHost: a.test\r\n\r\n');
      },
    }),
    core: 'ok',
    items: ['malformed', 'exchange'],
    message: /header section is longer than/,
    service: 'failing',
  },
  {
    id: 'har-nested-10000-in-entry',
    threat: 'a HAR entry nested 10 000 levels deep',
    build: () => capture('deep.har', `{"log":{"entries":[{"request":{"method":"GET","url":"https://a.test/","headers":${nested(10_000)}}}]}}`),
    core: 'ERR_HAR_MALFORMED',
    service: 'ERR_HAR_MALFORMED',
    message: /nesting deeper than 256 levels/,
  },
  {
    id: 'har-nested-10000-outside-entries',
    threat: 'a HAR whose `creator` is nested 10 000 levels deep',
    build: () => capture('deep-creator.har', `{"log":{"creator":${nested(10_000)},"entries":[]}}`),
    core: 'ERR_HAR_MALFORMED',
    service: 'ERR_HAR_MALFORMED',
    message: /nesting deeper than 256 levels/,
  },
  {
    id: 'har-base64-not',
    threat: 'a body marked base64 that is not (a decoder that skips junk verifies other bytes)',
    build: () =>
      capture('not-base64.har', JSON.stringify({ log: { entries: [{ request: { method: 'GET', url: 'https://a.test/' }, response: { status: 200, content: { encoding: 'base64', text: 'eyJvayI6dHJ1ZX0*!*' } } }] } })),
    core: 'ok',
    items: ['exchange'],
    message: /not valid base64/,
    service: 'failing',
  },
  {
    id: 'har-lone-surrogate-header',
    threat: 'header values holding lone surrogates (escaped in the JSON)',
    build: () => capture('surrogates.har', harText([{ method: 'GET', url: 'https://a.test/', headers: { 'X-Odd': '\ud800abc\udc00' } }])),
    core: 'ok',
    items: ['exchange'],
    service: 'passing',
  },
  {
    id: 'raw-cr-in-header-value',
    threat: 'a bare CR inside a header value (header injection: some parsers end the header there)',
    build: () => capture('cr.http', rawWith('X-Note: a\rSet-Cookie: admin=1')),
    core: 'ok',
    items: ['malformed'],
    message: /contains a CR \(header injection\)/,
    service: 'failing',
  },
  {
    id: 'raw-crlf-smuggled-request',
    threat: 'CRLF in a value smuggling a second request line after a folded header',
    build: () => capture('fold.http', rawWith('X-Note: a\r\n GET /admin HTTP/1.1')),
    core: 'ok',
    items: ['malformed'],
    message: /obsolete line folding/,
    service: 'failing',
  },
  {
    id: 'raw-space-before-colon',
    threat: 'whitespace before the colon ("Content-Length : 0"): request smuggling',
    build: () => capture('space.http', rawWith('Transfer-Encoding : chunked')),
    core: 'ok',
    items: ['malformed'],
    message: /request smuggling/,
    service: 'failing',
  },
  {
    id: 'raw-te-and-cl',
    threat: 'both Transfer-Encoding and Content-Length (CL.TE smuggling)',
    build: () => capture('te-cl.http', rawWith('Transfer-Encoding: chunked')),
    core: 'ok',
    items: ['malformed'],
    message: /smuggling pattern/,
    service: 'failing',
  },
  {
    id: 'raw-nul-in-header',
    threat: 'a NUL byte in a header value',
    build: () => capture('nul.http', rawWith('X-Note: a\u0000b')),
    core: 'ok',
    items: ['malformed'],
    message: /NUL/,
    service: 'failing',
  },
];

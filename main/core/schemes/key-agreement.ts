import { parseClientSpec, parseServerInfo, type ParsedClientSpec } from '../agreement/messages.ts';
import { SignetError } from '../errors.ts';
import { bodyText, type Detected, type Result, type Scheme } from './scheme.ts';

const ENDPOINT = /\/key-agreement\/?(?:[?#].*)?$/i;

function parseJson(text: string | undefined): unknown {
  if (text === undefined) throw new SignetError('ERR_AGREEMENT', 'the body is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SignetError('ERR_AGREEMENT', 'the body is not JSON');
  }
}

function failure(error: unknown, what: string): Result {
  return { verdict: 'malformed', detail: `${what}: ${error instanceof SignetError ? error.message : 'unreadable'}` };
}

/**
 * The schemes a client offered, read from its request even when the spec is otherwise malformed (a
 * key of the wrong size, say): the server's choice must still be one of them.
 */
function offeredSchemes(request: Parameters<typeof bodyText>[0]): string[] | undefined {
  try {
    const schemes = (parseJson(bodyText(request)) as { supported_schemes?: unknown } | null)?.supported_schemes;
    return Array.isArray(schemes) && schemes.every((scheme) => typeof scheme === 'string') ? (schemes as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `POST …/key-agreement` (partner 002): the ClientKeyDerivationSpec and the ServerKeyDerivationInfo are
 * checked field by field — present, Base64, public keys in the group / on the curve — and the scheme
 * the server chose must be one the client offered.
 */
export const keyAgreementScheme: Scheme = {
  name: 'key-agreement',
  detect(exchange) {
    const { request, response } = exchange;
    if (request.method.toUpperCase() !== 'POST' || !ENDPOINT.test(request.url)) return [];
    let spec: ParsedClientSpec | undefined;
    const found: Detected[] = [
      {
        scheme: 'key-agreement',
        direction: 'request',
        location: 'body',
        verify() {
          try {
            spec = parseClientSpec(parseJson(bodyText(request)));
          } catch (error) {
            return failure(error, 'ClientKeyDerivationSpec');
          }
          return { verdict: 'valid', detail: `ClientKeyDerivationSpec well-formed: offers ${spec.schemes.join(', ')}; public key valid in ${spec.group}` };
        },
      },
    ];
    if (response && response.status >= 200 && response.status < 300) {
      found.push({
        scheme: 'key-agreement',
        direction: 'response',
        location: 'body',
        verify() {
          let info;
          try {
            info = parseServerInfo(parseJson(bodyText(response)));
          } catch (error) {
            return failure(error, 'ServerKeyDerivationInfo');
          }
          const offered = spec?.schemes ?? offeredSchemes(request);
          if (offered && !offered.includes(info.scheme)) {
            return { verdict: 'invalid', detail: `the server chose ${info.scheme}, which the client did not offer (${offered.join(', ')})` };
          }
          return { verdict: 'valid', detail: `ServerKeyDerivationInfo well-formed: ${info.scheme} for client reference ${info.clientReferenceId}; public key valid in ${info.group}` };
        },
      });
    }
    return found;
  },
};

import { parseClientSpec, parseServerInfo, type ParsedClientSpec } from '../agreement/messages.ts';
import { AGREEMENT_PROFILE_IDS, type AgreementProfileId } from '../agreement/schemes.ts';
import { SignetError } from '../errors.ts';
import { bodyText, type Detected, type Result, type Scheme } from './scheme.ts';

const ENDPOINT = /\/key-agreement\/?(?:[?#].*)?$/i;

function parseJson(text: string | undefined): unknown {
  if (text === undefined) throw new SignetError('ERR_AGREEMENT_MALFORMED', 'the body is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SignetError('ERR_AGREEMENT_MALFORMED', 'the body is not JSON');
  }
}

function failure(error: unknown, what: string): Result {
  // ERR_AGREEMENT is a well-formed message that breaks the exchange (a scheme never offered), not a malformed one.
  if (error instanceof SignetError && error.code === 'ERR_AGREEMENT') return { verdict: 'invalid', detail: error.message };
  return { verdict: 'malformed', detail: `${what}: ${error instanceof SignetError ? error.message : 'unreadable'}` };
}

/**
 * A capture carries no profile setting, and profiles differ only in their groups (key sizes): the
 * message is read under the first profile it fits. The default comes first, so its refusal is the one
 * reported when none fits.
 */
function underFittingProfile<T>(profiles: readonly AgreementProfileId[], parse: (profile: AgreementProfileId) => T): { parsed: T; profile: AgreementProfileId } {
  let firstRefusal: unknown;
  for (const profile of profiles) {
    try {
      return { parsed: parse(profile), profile };
    } catch (error) {
      firstRefusal ??= error;
    }
  }
  throw firstRefusal;
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
    let client: { parsed: ParsedClientSpec; profile: AgreementProfileId } | undefined;
    const found: Detected[] = [
      {
        scheme: 'key-agreement',
        direction: 'request',
        location: 'body',
        verify() {
          try {
            const json = parseJson(bodyText(request));
            client = underFittingProfile(AGREEMENT_PROFILE_IDS, (profile) => parseClientSpec(json, { profile }));
          } catch (error) {
            return failure(error, 'ClientKeyDerivationSpec');
          }
          const { parsed, profile } = client;
          return { verdict: 'valid', detail: `ClientKeyDerivationSpec well-formed under ${profile}: offers ${parsed.schemes.join(', ')}; public key valid in ${parsed.group}` };
        },
      },
    ];
    if (response && response.status >= 200 && response.status < 300) {
      found.push({
        scheme: 'key-agreement',
        direction: 'response',
        location: 'body',
        verify() {
          let server;
          try {
            const json = parseJson(bodyText(response));
            const offered = client?.parsed.schemes ?? offeredSchemes(request);
            // The answer must be in the profile the client's spec fitted; only an unreadable spec leaves it open.
            server = underFittingProfile(client ? [client.profile] : AGREEMENT_PROFILE_IDS, (profile) => parseServerInfo(json, { profile, ...(offered && { offered }) }));
          } catch (error) {
            return failure(error, 'ServerKeyDerivationInfo');
          }
          const { parsed, profile } = server;
          return { verdict: 'valid', detail: `ServerKeyDerivationInfo well-formed under ${profile}: ${parsed.scheme} for client reference ${parsed.clientReferenceId}; public key valid in ${parsed.group}` };
        },
      });
    }
    return found;
  },
};

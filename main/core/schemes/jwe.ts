import { SignetError } from '../errors.ts';
import type { InspectionContext } from '../inspect/context.ts';
import type { TraceStep } from '../inspect/findings.ts';
import type { ResolvedKey } from '../inspect/resolver.ts';
import { allowedKeyManagementAlgs, quote, type KeyDescription } from '../jose/algorithms.ts';
import { decodeToken, looksLikeJwe } from '../jose/decode.ts';
import { decryptCompact, ephemeralKeyOf, kindOf, sameKind, type DecryptedJwe } from '../jose/decrypt.ts';
import { EPHEMERAL_SESSION_ID } from '../jose/encrypt.ts';
import { dotCount, joseText, messagesOf, type Result, type Scheme } from './scheme.ts';

const MAX_CANDIDATES = 16;

export interface JweOpening {
  result: Result;
  opened?: DecryptedJwe;
}

/** Whether a key could be the JWE's recipient: its type takes the `alg`, and an ECDH `epk` is on its curve. */
function canTry(key: ResolvedKey, alg: string, epk: KeyDescription | undefined): boolean {
  if (key.use === 'enc' && key.pinnedAlg !== undefined && key.pinnedAlg !== alg) return false;
  if (epk !== undefined && !sameKind(epk, key)) return false;
  return (allowedKeyManagementAlgs(key.type, 'decrypt') as string[]).includes(alg);
}

async function decryptWith(token: string, key: ResolvedKey): Promise<DecryptedJwe> {
  // An encryption key chosen for one algorithm opens nothing wrapped with another (RFC 7517 §4.4).
  const only = key.use === 'enc' && key.pinnedAlg !== undefined ? { algorithms: [key.pinnedAlg] } : {};
  if (key.type === 'hmac') {
    const secret = key.secret();
    if (!secret) throw new SignetError('ERR_LOCKED', 'the keystore is locked');
    return decryptCompact(token, { keyType: 'hmac', secret, ...only });
  }
  const privateKey = key.privateKey();
  if (!privateKey) throw new SignetError(key.hasPrivate ? 'ERR_LOCKED' : 'ERR_KEY_NO_PRIVATE', key.hasPrivate ? 'the keystore is locked' : 'private part not held');
  return decryptCompact(token, { keyType: key.type, privateKey, ...only });
}

/** How the key was chosen: by the JWE's kid, by the user (`--key`), or by trying each held key that fits. */
type Choice = 'kid' | 'given' | 'search';

/**
 * Opens a JWE with a private key held in the keystore: the one `given` (the user's choice), else the one
 * its `kid` names, else each held key that could be the recipient. Also used by `capture show` to reveal
 * the plaintext on demand (never stored).
 */
export async function openJwe(token: string, ctx: Pick<InspectionContext, 'resolver'>, given?: ResolvedKey): Promise<JweOpening> {
  let header: Record<string, unknown>;
  let epk: KeyDescription | undefined;
  try {
    header = decodeToken(token).header;
    // A broken epk is the token's fault whoever holds which key; a sound one on another curve only rules keys out.
    if (typeof header.alg === 'string' && header.alg.startsWith('ECDH-ES')) epk = ephemeralKeyOf(header.epk);
  } catch (error) {
    return { result: { verdict: 'malformed', detail: error instanceof SignetError ? error.message : 'not a JWE' } };
  }
  const alg = typeof header.alg === 'string' ? header.alg : '';
  const enc = typeof header.enc === 'string' ? header.enc : '';
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const base = { ...(kid && { kid }), ...(alg && { alg }) };
  const trace: TraceStep[] = [{ step: 'kid', label: 'kid', value: kid ?? '(none in header)' }];
  const named = given ?? (kid !== undefined ? ctx.resolver.byKid(kid) : undefined);
  const choice: Choice = named === undefined ? 'search' : given === undefined || given.kid === kid ? 'kid' : 'given';
  if (named && epk && !sameKind(epk, named)) {
    const whose = choice === 'kid' ? 'the key its kid names' : 'the key given';
    const detail = `the "epk" is ${kindOf(epk)}, but ${whose} (kid ${JSON.stringify(named.kid)}) is ${kindOf(named)}: the JWE is not encrypted to it`;
    trace.push({ step: 'key', label: 'key', value: `${named.name} (${named.keyId})` }, { step: 'result', label: 'result', value: detail, ok: false });
    return { result: { ...base, keyId: named.keyId, verdict: choice === 'kid' ? 'invalid' : 'undecryptable', detail, trace } };
  }
  const candidates = named ? [named] : ctx.resolver.decryptionKeys().filter((key) => canTry(key, alg, epk)).slice(0, MAX_CANDIDATES);
  if (candidates.length === 0) {
    const detail = kid === undefined ? `no held private key fits ${alg || 'its alg'}${epk ? ` on ${kindOf(epk)}` : ''}` : notHeld(kid, 0);
    trace.push({ step: 'result', label: 'result', value: detail, ok: false });
    return { result: { ...base, verdict: 'undecryptable', detail, trace } };
  }
  let failure: SignetError | undefined;
  for (const key of candidates) {
    try {
      const opened = await decryptWith(token, key);
      const unnamed = kid !== undefined && choice !== 'kid' ? ` (kid ${quote(kid)} names ${choice === 'given' ? 'another key' : 'no held key'})` : '';
      trace.push({ step: 'key', label: 'key', value: `${key.name} (${key.keyId})` }, { step: 'result', label: 'result', value: `decrypted (${opened.alg}, ${opened.enc})`, ok: true });
      return {
        result: { ...base, kid: key.kid, keyId: key.keyId, verdict: 'decrypted', detail: `decrypted with ${key.name}: ${opened.plaintext.length} bytes (${opened.alg}, ${enc})${unnamed}`, trace },
        opened,
      };
    } catch (error) {
      failure = error instanceof SignetError ? error : new SignetError('ERR_DECRYPT_FAILED', 'decryption failed');
      // A refusal of the token itself (its header) is the same for every key: no use trying the others.
      if (REFUSED_TOKEN.has(failure.code)) break;
    }
  }
  const { verdict, detail } = failedOpening(failure, choice, kid, candidates);
  trace.push({ step: 'result', label: 'result', value: detail, ok: false });
  return { result: { ...base, ...(named && { keyId: named.keyId }), verdict, detail, trace } };
}

const REFUSED_TOKEN = new Set(['ERR_JOSE_MALFORMED', 'ERR_JOSE_UNSUPPORTED', 'ERR_ALG_NOT_ALLOWED']);

/**
 * Why a JWE did not open, as a verdict. `undecryptable` only means "not for a key held here (or
 * locked)": a token that fails its integrity check under the key its kid names was altered, and a
 * refused header (zip, crit, a disallowed alg) is refused whoever holds the key — both fail the run.
 */
function failedOpening(failure: SignetError | undefined, choice: Choice, kid: string | undefined, tried: ResolvedKey[]): Pick<Result, 'verdict' | 'detail'> {
  if (failure?.code === 'ERR_LOCKED') return { verdict: 'undecryptable', detail: 'the keystore is locked: unlock it to decrypt' };
  if (failure?.code === 'ERR_JOSE_MALFORMED') return { verdict: 'malformed', detail: failure.message };
  if (failure && REFUSED_TOKEN.has(failure.code)) return { verdict: 'invalid', detail: failure.message };
  const message = failure?.message ?? 'decryption failed';
  if (choice === 'given') {
    // The held key's kid is ours, shown whole; the token's is quoted, bounded.
    const names = kid === undefined ? 'the JWE names no kid' : `the JWE names kid ${quote(kid)}, another key`;
    return { verdict: 'undecryptable', detail: `${message} with the key given (kid ${JSON.stringify(tried[0]?.kid ?? '?')}): ${names}` };
  }
  if (choice === 'kid' && failure?.code === 'ERR_DECRYPT_FAILED') {
    return { verdict: 'invalid', detail: `${message} with the key its kid names: the JWE was altered, or encrypted to another key under this kid` };
  }
  if (kid !== undefined && choice === 'search') return { verdict: 'undecryptable', detail: notHeld(kid, tried.length) };
  if (kid === undefined && choice === 'search') {
    const none = tried.length === 0 ? 'no held key fits its algorithm' : `none of the ${tried.length} held key${tried.length === 1 ? '' : 's'} that fit opens it`;
    return { verdict: 'undecryptable', detail: `the JWE names no kid, and ${none}: it was encrypted to a key not held here` };
  }
  return { verdict: 'undecryptable', detail: message };
}

/** Why a JWE whose kid names no held key stays closed; a kid of the ephemeral-session form points there. */
function notHeld(kid: string, tried: number): string {
  const none = tried === 0 ? '' : `, and none of the ${tried} held keys that fit opens it`;
  if (EPHEMERAL_SESSION_ID.test(kid)) {
    return `kid ${quote(kid)} names an ephemeral session, whose key is never used here${none}: decrypt the response there (Workbench › Ephemeral, or signet ephemeral decrypt ${kid}; once: that spends the session key)`;
  }
  return tried === 0 ? `no key with kid ${quote(kid)} is held, so this cannot be decrypted here` : `no key with kid ${quote(kid)} is held${none}`;
}

/** A JWE compact body: encrypted responses (ephemeral-key scheme), encrypted payloads. */
export const jweScheme: Scheme = {
  name: 'jwe',
  detect(exchange) {
    return messagesOf(exchange).flatMap(({ direction, message }) => {
      const text = joseText(message);
      // The shape regex backtracks over every JWS body (~2 µs each, measured): count the dots first.
      if (text === undefined || dotCount(text) !== 4 || !looksLikeJwe(text)) return [];
      return [{ scheme: 'jwe' as const, direction, location: 'body', verify: async (ctx) => (await openJwe(text, ctx)).result }];
    });
  },
};

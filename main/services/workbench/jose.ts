import { createPublicKey, type KeyObject } from 'node:crypto';
import { SignetError } from '../../core/errors.ts';
import type { KeyResolver, ResolvedKey } from '../../core/inspect/resolver.ts';
import { decodeToken, describePayload, jsonHint } from '../../core/jose/decode.ts';
import { encryptCompact, recipientAlg } from '../../core/jose/encrypt.ts';
import { signCompact, signJwt } from '../../core/jose/sign.ts';
import { parseKeyFile } from '../../core/keys/formats.ts';
import { openJwe } from '../../core/schemes/jwe.ts';
import { checkSigned } from '../../core/schemes/jwt.ts';
import { parseExpiry } from '../../core/time.ts';
import { bodyView } from '../captures.ts';
import { inspectionContext } from '../inspection.ts';
import { activeForNewWork, algorithmFor, privateKeyOf, publicKeyOf, resolveKey, secretOf } from '../key-records.ts';
import { keyResolver } from '../key-resolver.ts';
import type { Session } from '../session.ts';
import { checkLimit } from '../limits.ts';
import type { BodyView, TokenCheckView } from '../views.ts';

export interface SignInput {
  key: string;
  alg?: string;
  payload?: Buffer;
  detached?: boolean;
  b64?: boolean;
  typ?: string;
  header?: Record<string, unknown>;
  jwt?: { claims?: Record<string, unknown>; exp?: string; nbf?: string; iss?: string; aud?: string | string[]; jti?: string; iat?: boolean };
}

/** Signs with a held key: JWS compact, detached (RFC 7515 App. F / RFC 7797), or a JWT. `kid` is the key's. */
export async function signToken(session: Session, input: SignInput): Promise<{ token: string; kid: string; alg: string }> {
  const record = activeForNewWork(resolveKey(session, input.key), session.clock(), 'sign new messages');
  const alg = algorithmFor(record, 'sig', input.alg);
  const material = record.type === 'hmac' ? { secret: secretOf(session, record) } : { privateKey: privateKeyOf(session, record) };
  const base = {
    key: { type: record.type, ...(record.curve && { curve: record.curve }) },
    ...material,
    kid: record.kid,
    ...(alg && { alg }),
    ...(input.typ && { typ: input.typ }),
    ...(input.header && { header: input.header }),
  };
  const now = session.clock();
  let token: string;
  if (input.jwt) {
    const { jwt } = input;
    if (input.detached || input.b64 === false) throw new SignetError('ERR_BAD_INPUT', 'a JWT is signed attached and base64url-encoded: drop --detached / --b64false');
    if (input.payload) throw new SignetError('ERR_BAD_INPUT', 'a JWT takes claims (--claims), not a payload');
    token = await signJwt({
      ...base,
      now,
      ...(jwt.claims && { claims: jwt.claims }),
      ...(jwt.iat === false && { iat: false as const }),
      ...(jwt.exp && { exp: parseExpiry(jwt.exp, now) }),
      ...(jwt.nbf && { nbf: parseExpiry(jwt.nbf, now) }),
      ...(jwt.iss && { iss: jwt.iss }),
      ...(jwt.aud && { aud: jwt.aud }),
      ...(jwt.jti && { jti: jwt.jti }),
    });
  } else {
    token = await signCompact({ ...base, payload: input.payload ?? Buffer.alloc(0), ...(input.detached && { detached: true }), ...(input.b64 === false && { b64: false }) });
  }
  return { token, kid: record.kid, alg: String(decodeToken(token).header.alg) };
}

/** A resolver that answers every lookup with the one key the user named (`--key`). */
function onlyKey(base: KeyResolver, key: ResolvedKey): KeyResolver {
  return { ...base, byKid: () => key, byAppId: () => key, verificationKeys: () => [key], decryptionKeys: () => [key], locked: base.locked };
}

/** A public key pasted into the workbench: checked as if active, never stored. */
async function pastedKey(bytes: Buffer): Promise<ResolvedKey> {
  const parsed = await parseKeyFile(bytes);
  const [first] = parsed.keys;
  if (!first || parsed.keys.length > 1) throw new SignetError('ERR_KEY_FORMAT', 'paste exactly one public key (PEM, JWK or certificate)');
  const publicKey = first.publicKey.type === 'private' ? createPublicKey(first.publicKey) : first.publicKey;
  return {
    keyId: '(pasted)',
    kid: first.kid ?? '(pasted key)',
    name: 'the pasted public key',
    owner: '',
    type: first.type,
    ...(first.curve && { curve: first.curve }),
    use: null,
    appId: null,
    hasPrivate: false,
    status: 'active',
    notBefore: null,
    expiresAt: null,
    revokedAt: null,
    publicKey: () => publicKey,
    privateKey: () => undefined,
    secret: () => undefined,
  };
}

/** The stored key the user named (`--key`), as inspection sees it. */
function chosenKey(session: Session, base: KeyResolver, ref: string): ResolvedKey {
  const key = base.byKid(resolveKey(session, ref).kid);
  if (!key) throw new SignetError('ERR_KEY_NOT_FOUND', `no key "${ref}"`);
  return key;
}

function resolverFor(session: Session, ref: string | undefined, pasted?: ResolvedKey): KeyResolver {
  const base = keyResolver(session);
  if (pasted) return onlyKey(base, pasted);
  return ref === undefined ? base : onlyKey(base, chosenKey(session, base, ref));
}

/**
 * Verifies a JWS or JWT with the vocabulary of capture inspection: the key by `kid` (or `--key`), its
 * status at `--at` (default now), claims when the payload is a claims set.
 */
export async function verifyToken(session: Session, input: { token: string; key?: string; publicKey?: Buffer; payload?: Buffer; at?: string }): Promise<TokenCheckView> {
  checkLimit(session, 'tokenChars', input.token.length, 'the token');
  const decoded = decodeToken(input.token);
  if (decoded.kind === 'jwe') throw new SignetError('ERR_BAD_INPUT', 'this is a JWE (5 parts): decrypt it instead');
  if (decoded.kind === 'jws-detached' && !input.payload) throw new SignetError('ERR_BAD_INPUT', 'this JWS is detached: give the payload it signs (--payload FILE)');
  if (decoded.kind === 'jws' && input.payload) throw new SignetError('ERR_BAD_INPUT', 'this JWS carries its own payload: drop --payload (it is for detached signatures)');
  // HMAC secrets are sealed: ask for the passphrase up front rather than report "unknown key".
  if (typeof decoded.header.alg === 'string' && decoded.header.alg.startsWith('HS') && !session.unlocked) void session.master;
  if (input.key && input.publicKey) throw new SignetError('ERR_BAD_INPUT', 'verify with a stored key or a pasted public key, not both');
  const ctx = inspectionContext(session, input.at, resolverFor(session, input.key, input.publicKey ? await pastedKey(input.publicKey) : undefined));
  const at = ctx.at ?? ctx.now;
  const result = await checkSigned(input.token, at, ctx, input.payload);
  return { ...result, header: decoded.header, ...(decoded.payload ? { payload: decoded.payload } : input.payload ? { payload: describePayload(input.payload) } : {}), at: at.toISOString() };
}

/** A recipient named by key id/kid (with the algorithm to use for it), or a public key (PEM, JWK…) given as bytes. */
function recipient(session: Session, to: { key?: string; publicKey?: Buffer; alg?: string }): Promise<Recipient> | Recipient {
  if (to.key) {
    const record = activeForNewWork(resolveKey(session, to.key), session.clock(), 'be encrypted to');
    const alg = algorithmFor(record, 'enc', to.alg);
    return { publicKey: publicKeyOf(record), kid: record.kid, ...(alg && { alg }) };
  }
  if (!to.publicKey) throw new SignetError('ERR_BAD_INPUT', 'say whom to encrypt to: a key id/kid, or a public key file');
  return parseKeyFile(to.publicKey).then((parsed) => {
    const [first] = parsed.keys;
    if (!first || parsed.keys.length > 1) throw new SignetError('ERR_KEY_FORMAT', 'the recipient file must hold exactly one public key');
    // As encryptFor: whoever encrypts to a key should never have held its private part.
    if (first.privateKey) throw new SignetError('ERR_KEY_FORMAT', "the recipient file holds a private key: encrypt to the recipient's public key only (signet keys export KID --public)");
    // What a JWK says of its key binds as it does for a stored key (JWK "use", "alg").
    const alg = recipientAlg(first, to.alg, 'the recipient key');
    return { publicKey: first.publicKey, ...(first.kid && { kid: first.kid }), ...(alg && { alg }) };
  });
}

interface Recipient {
  publicKey: KeyObject;
  kid?: string;
  alg?: string;
}

/** The third party's side of an encrypted response: JWE compact to a public key. RSA1_5 is refused. */
export async function encryptToken(session: Session, input: { key?: string; publicKey?: Buffer; alg?: string; enc?: string; plaintext: Buffer; cty?: string }): Promise<{ token: string }> {
  const { publicKey, kid, alg } = await recipient(session, input);
  const type = publicKey.asymmetricKeyType;
  const keyType = type === 'rsa' ? 'rsa' : type === 'ec' ? 'ec' : type === 'x25519' ? 'x25519' : type === 'ed25519' ? 'ed25519' : undefined;
  if (!keyType) throw new SignetError('ERR_KEY_UNSUITABLE', `cannot encrypt to a ${type ?? 'unknown'} key`);
  const token = await encryptCompact({ publicKey, keyType, plaintext: input.plaintext, ...(kid && { kid }), ...(alg && { alg }), ...(input.enc && { enc: input.enc }), ...(input.cty && { cty: input.cty }) });
  return { token };
}

/** The receiver's side: JWE compact with a held key (by `kid`, `--key`, or each held key that fits). */
export async function decryptToken(session: Session, input: { token: string; key?: string }): Promise<TokenCheckView & { plaintext: BodyView | null }> {
  checkLimit(session, 'tokenChars', input.token.length, 'the token');
  // Counted before decoding: a 3-part text would otherwise be judged as a broken JWS header.
  const parts = input.token.trim().split('.').length;
  if (parts !== 5) throw new SignetError('ERR_BAD_INPUT', `a compact JWE has 5 dot-separated parts; this has ${parts}${parts === 3 ? ' (a JWS? verify it instead)' : jsonHint(input.token.trim())}`);
  // A malformed JWE is refused as such (ERR_JOSE_MALFORMED), not reported as a failed decryption.
  decodeToken(input.token);
  const resolver = keyResolver(session);
  // Passed as the user's choice, not as the answer to every kid: a failure then blames the choice, not the token.
  const opened = await openJwe(input.token, { resolver }, input.key === undefined ? undefined : chosenKey(session, resolver, input.key));
  if (!opened.opened) {
    if (resolver.locked) throw new SignetError('ERR_LOCKED', 'the keystore is locked: unlock it to decrypt');
    throw new SignetError('ERR_DECRYPT_FAILED', opened.result.detail);
  }
  return { ...opened.result, header: opened.opened.header, plaintext: bodyView(opened.opened.plaintext, null), at: session.clock().toISOString() };
}

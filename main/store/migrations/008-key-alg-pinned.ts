/**
 * Whether a key's `alg` was chosen (a JWK's "alg" member, --alg) rather than filled in with its type's
 * default. A chosen one is the only algorithm the key signs, verifies and decrypts with (RFC 7517
 * §4.4): a key published for RS256 must not verify a PS256 token. Keys from before this column kept
 * the default label and stay open to every algorithm of their type, as they were.
 */
export default /* sql */ `
ALTER TABLE keys ADD COLUMN alg_pinned INTEGER NOT NULL DEFAULT 0;
`;

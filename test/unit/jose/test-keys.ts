import { generateAsymmetric, generateSecret } from '../../../main/core/keys/generate.ts';
import type { AsymmetricKey, Curve } from '../../../main/core/keys/types.ts';
import type { KeyDescription } from '../../../main/core/jose/index.ts';

/** One key of every kind, made in the test run (never committed). */
export interface TestKeys {
  rsa: AsymmetricKey;
  ec: Record<Curve, AsymmetricKey>;
  ed25519: AsymmetricKey;
  x25519: AsymmetricKey;
  hmac: Buffer;
}

export async function makeTestKeys(): Promise<TestKeys> {
  const [rsa, p256, p384, p521, ed25519, x25519] = await Promise.all([
    generateAsymmetric({ type: 'rsa', bits: 2048 }),
    generateAsymmetric({ type: 'ec', curve: 'P-256' }),
    generateAsymmetric({ type: 'ec', curve: 'P-384' }),
    generateAsymmetric({ type: 'ec', curve: 'P-521' }),
    generateAsymmetric({ type: 'ed25519' }),
    generateAsymmetric({ type: 'x25519' }),
  ]);
  return { rsa, ec: { 'P-256': p256, 'P-384': p384, 'P-521': p521 }, ed25519, x25519, hmac: generateSecret(256) };
}

export function descriptionOf(key: AsymmetricKey): KeyDescription {
  return key.curve ? { type: key.type, curve: key.curve } : { type: key.type };
}

/** Every position of `text` with its character replaced by a different base64url character. */
export function* everyCharacterChanged(text: string): Generator<{ index: number; tampered: string }> {
  for (let index = 0; index < text.length; index += 1) {
    const replacement = text[index] === 'A' ? 'B' : 'A';
    yield { index, tampered: `${text.slice(0, index)}${replacement}${text.slice(index + 1)}` };
  }
}

export const encoder = new TextEncoder();
export const decoder = new TextDecoder();

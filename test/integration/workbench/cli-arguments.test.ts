import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../../main/services/keys.ts';
import { signToken } from '../../../main/services/workbench/jose.ts';
import { signet } from '../../support/cli.ts';
import { tempStore, type TempStore } from '../../support/store.ts';

// How the workbench commands read what they are given: TOKEN|FILE|- and option values.
let store: TempStore;
let token: string;
const run = (args: string[]) => signet(args, { store: store.path });

beforeAll(async () => {
  store = await tempStore();
  await generateKey(store.session, { type: 'ec', kid: 'ec1' });
  await generateKey(store.session, { type: 'hmac', appId: 'OPG-APP-1' });
  token = (await signToken(store.session, { key: 'ec1', payload: Buffer.from('{"amount":100}') })).token;
  store.session.close();
}, 60_000);
afterAll(() => store.cleanup());

describe('TOKEN|FILE', () => {
  it('takes a mistyped file name with dots for a missing file, not for a token', async () => {
    for (const [command, name] of [['verify', 'tokens/x.y.txt'], ['decrypt', 'missing.jwe.txt']] as const) {
      const result = await run([command, name]);
      expect(result.code, name).toBe(2);
      expect(result.stderr).toBe(`signet ${command}: neither a JOSE token nor a readable file: ${name}\n`);
    }
  }, 60_000);

  it('accepts a token pasted with its "Bearer " scheme, as an argument or in a file', async () => {
    expect((await run(['verify', `Bearer ${token}`])).code).toBe(0);
    const file = join(store.dir, 'authorization.txt');
    writeFileSync(file, `bearer ${token}\n`);
    expect((await run(['verify', file])).code).toBe(0);
  }, 60_000);

  it('says how to mend a token wrapped across lines', async () => {
    const file = join(store.dir, 'wrapped.txt');
    writeFileSync(file, token.replace(/(.{60})/g, '$1\n'));
    const result = await run(['verify', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('join wrapped lines');
  }, 60_000);
});

describe('hmac sign options', () => {
  it('refuses an empty --nonce rather than making a random one', async () => {
    const result = await run(['hmac', 'sign', '--app', 'OPG-APP-1', '--method', 'POST', '--uri', '/opg/a', '--nonce', '']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('signet hmac sign: --nonce is empty: give one, or leave the option out for a random one\n');
  }, 60_000);
});

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// electron-builder.yml, read as text (no YAML parser is a dependency): the fuses and the asar settings
// are what would stop a signed Signet from being turned into a Node interpreter or fed another app.
// Only the declarations are checked: no packaging script exists yet, so no built app is inspected.
const config = readFileSync(fileURLToPath(new URL('../../../electron-builder.yml', import.meta.url)), 'utf8');
const setting = (name: string) => new RegExp(`^\\s*${name}:\\s*(\\S+)`, 'm').exec(config)?.[1];

describe('packaging configuration', () => {
  it('names the app and associates .har captures with it', () => {
    expect(setting('appId')).toBe('dev.signet.console');
    expect(setting('productName')).toBe('Signet');
    expect(config).toMatch(/fileAssociations:\s*\n\s*- ext: har/);
  });

  it('packs the app into an asar archive built from out/', () => {
    expect(setting('asar')).toBe('true');
    expect(config).toContain('- out/main/**');
    expect(config).toContain('- out/preload/**');
    expect(config).toContain('- out/renderer/**');
  });

  it.each([
    ['runAsNode', 'false'],
    ['enableNodeOptionsEnvironmentVariable', 'false'],
    ['enableNodeCliInspectArguments', 'false'],
    ['enableCookieEncryption', 'true'],
    ['enableEmbeddedAsarIntegrityValidation', 'true'],
    ['onlyLoadAppFromAsar', 'true'],
    ['grantFileProtocolExtraPrivileges', 'false'],
  ])('sets the %s fuse to %s', (fuse, value) => {
    expect(config).toMatch(/^electronFuses:/m);
    expect(setting(fuse)).toBe(value);
  });
});

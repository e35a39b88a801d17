import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SIGNET_BIN } from '../../support/cli.ts';
import { fakeRenderer, rawRequest } from './support.ts';

// `npm start` on a machine without Electron runs `signet serve`: on a fresh machine there is no
// keystore yet, and the console must still open, on its set-up screen.

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('signet serve', () => {
  it('starts on a fresh machine with no keystore, creates the file, and the console reports it not set up', async () => {
    dir = mkdtempSync(join(tmpdir(), 'signet-serve-'));
    const store = join(dir, 'profile', 'keystore.db');
    const { rendererDir } = fakeRenderer(dir);
    const child = spawn(process.execPath, [SIGNET_BIN, 'serve', '--json', '--port', '0', '--renderer', rendererDir], {
      env: { ...process.env, SIGNET_STORE: store, SIGNET_PASSPHRASE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      child.stdout.setEncoding('utf8');
      while (!stdout.includes('}')) {
        const [chunk] = (await Promise.race([once(child.stdout, 'data'), once(child, 'exit').then(() => [''])])) as [string];
        if (chunk === '') throw new Error(`serve stopped: ${stdout}`);
        stdout += chunk;
      }
      const { port, openUrl } = JSON.parse(stdout) as { port: number; openUrl: string };
      const token = new URL(openUrl).hash.replace('#token=', '');
      expect(existsSync(store)).toBe(true);
      const status = await rawRequest({ port, method: 'POST', path: '/api/keystore.status', headers: { 'Content-Type': 'application/json', 'X-Signet-Token': token }, body: '{}' });
      expect(status.status).toBe(200);
      expect(JSON.parse(status.body)).toMatchObject({ ok: true, value: { initialized: false, unlocked: false, keyCount: 0 } });
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }, 60_000);
});

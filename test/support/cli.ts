import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_PASSPHRASE } from './store.ts';

export const SIGNET_BIN = fileURLToPath(new URL('../../bin/signet.mjs', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json<T = unknown>(): T;
}

/** Runs the real CLI in a child process, as a user would (no TTY: passphrase from the environment). */
export function signet(
  args: string[],
  options: { store: string; env?: Record<string, string | undefined>; input?: string | Buffer; /** Stop reading after this many bytes, as `| head` does. */ readBytes?: number } = { store: '' },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SIGNET_BIN, ...args], {
      env: { ...process.env, SIGNET_STORE: options.store, SIGNET_PASSPHRASE: TEST_PASSPHRASE, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let read = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      read += chunk.length;
      if (options.readBytes !== undefined && read >= options.readBytes) child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      resolve({ code: code ?? -1, stdout, stderr: Buffer.concat(err).toString('utf8'), json: <T>() => JSON.parse(stdout) as T });
    });
    child.stdin.end(options.input ?? '');
  });
}

import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { expect } from 'vitest';
import { signet, SIGNET_BIN } from '../../support/cli.ts';
import { TEST_PASSPHRASE } from '../../support/store.ts';


export interface Running {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** The real CLI in a child process we can kill -9 at a chosen moment. */
export function start(args: string[], store: string, env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [SIGNET_BIN, ...args], {
    env: { ...process.env, SIGNET_STORE: store, SIGNET_PASSPHRASE: TEST_PASSPHRASE, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: Buffer[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr: Buffer.concat(stderr).toString('utf8') })),
  );
  return { child, exited };
}

/**
 * Polls a condition on the file system or the store until it holds (the moment to kill), or the
 * process ends first. A deterministic hook on what the process has done, not a guess of how long it takes.
 */
export async function when(running: Running, condition: () => boolean): Promise<boolean> {
  let ended = false;
  void running.exited.then(() => (ended = true));
  for (;;) {
    if (condition()) return true;
    if (ended) return false;
    // A short poll interval leaves the second core to the process under test.
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export async function killNine(running: Running): Promise<void> {
  running.child.kill('SIGKILL');
  await running.exited;
}

export const walGrew = (store: string, beyond = 0) => () => existsSync(`${store}-wal`) && statSync(`${store}-wal`).size > beyond;

/** Reads the store from the test while the CLI writes it (WAL readers never block the writer). */
export function peek<T>(store: string, query: (db: Database.Database) => T): T | undefined {
  if (!existsSync(store)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(store, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 0');
    return query(db);
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

/** After a crash: the file passes SQLite's integrity check and `signet audit verify` says the chain holds. */
export async function expectSoundStore(store: string): Promise<void> {
  const db = new Database(store, { fileMustExist: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
  } finally {
    db.close();
  }
  const audit = await signet(['audit', 'verify', '--json'], { store });
  expect({ code: audit.code, stderr: audit.stderr }).toEqual({ code: 0, stderr: '' });
  expect(audit.json<{ ok: boolean }>().ok).toBe(true);
}

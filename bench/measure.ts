import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

export interface RunResult {
  code: number;
  seconds: number;
  /** Peak resident set size of the child, bytes (null when it could not be read). */
  peakRssBytes: number | null;
  stdout: string;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';

/**
 * Runs a command to completion: wall time, exit code, and peak RSS — from GNU time's "maximum resident
 * set size" when installed, else by polling the child's VmHWM in /proc (Linux) every 20 ms. Start-up
 * timings pass `peak: false`, so that no wrapper process is timed with the command.
 */
export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; keepStdout?: boolean; peak?: boolean; stdoutFile?: string } = {}): Promise<RunResult> {
  const peak = options.peak ?? true;
  const timed = peak && existsSync(GNU_TIME);
  const [file, argv] = timed ? [GNU_TIME, ['-f', '@@peak-kb %M', command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // Output goes to a file when asked, as a user would redirect it: piping 100 MB of JSON to this
    // process would time our reading of it too.
    const outFd = options.stdoutFile ? openSync(options.stdoutFile, 'w') : undefined;
    const child = spawn(file, argv, { env: { ...process.env, ...options.env }, stdio: ['ignore', outFd ?? 'pipe', 'pipe'] });
    if (outFd !== undefined) closeSync(outFd);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let polledKb = 0;
    const poll = timed || !peak
      ? undefined
      : setInterval(() => {
          try {
            const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'latin1'))?.[1];
            if (hwm) polledKb = Math.max(polledKb, Number(hwm));
          } catch {
            // The child has exited between two polls.
          }
        }, 20);
    child.stdout?.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (options.keepStdout) out.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (poll) clearInterval(poll);
      let stderr = Buffer.concat(err).toString('utf8');
      let peakKb: number | null = polledKb || null;
      const marker = /@@peak-kb (\d+)\s*$/.exec(stderr);
      if (marker?.[1]) {
        peakKb = Number(marker[1]);
        stderr = stderr.slice(0, marker.index);
      }
      resolve({ code: code ?? -1, seconds, peakRssBytes: peakKb === null ? null : peakKb * 1024, stdout: options.keepStdout ? Buffer.concat(out).toString('utf8') : `(${outBytes} bytes)`, stderr });
    });
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Runs `times` times and keeps the median wall time (and the largest peak RSS). */
export async function runMedian(times: number, command: string, args: string[], options: { env?: NodeJS.ProcessEnv; peak?: boolean; stdoutFile?: string } = {}): Promise<RunResult> {
  const results: RunResult[] = [];
  for (let attempt = 0; attempt < times; attempt++) {
    const result = await run(command, args, options);
    if (result.code !== 0 && result.code !== 1) throw new Error(`${command} ${args.join(' ')} failed (${result.code}): ${result.stderr.trim().split('\n').at(-1) ?? ''}`);
    results.push(result);
  }
  const seconds = median(results.map((result) => result.seconds));
  const peaks = results.map((result) => result.peakRssBytes).filter((peak): peak is number => peak !== null);
  const chosen = results.find((result) => result.seconds === seconds) ?? results[0];
  if (!chosen) throw new Error('no run');
  return { ...chosen, seconds, peakRssBytes: peaks.length ? Math.max(...peaks) : null };
}

/** Parses `openssl speed -multi N rsa2048`: RSA-2048 verifications per second over all N processes. */
export async function opensslRsaVerifyRate(cores: number, seconds: number): Promise<number | null> {
  let result: RunResult;
  try {
    result = await run('openssl', ['speed', '-multi', String(cores), '-seconds', String(seconds), 'rsa2048'], { keepStdout: true });
  } catch {
    return null;
  }
  const line = /rsa\s+2048\s+bits\s+[\d.]+s\s+[\d.]+s\s+([\d.]+)\s+([\d.]+)/.exec(result.stdout);
  return line?.[2] ? Number(line[2]) : null;
}

export function machineLoad(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' / ');
}

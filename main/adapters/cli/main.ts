import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { exitCodeFor, SignetError, toErrorBody } from '../../core/errors.ts';
import { parseInstant } from '../../core/time.ts';
import { dispatch } from '../../api/dispatch.ts';
import type { Input, MethodName, Output } from '../../api/contract.ts';
import type { CallOptions } from '../../api/handlers.ts';
import { READS } from '../../api/names.ts';
import { resolveStorePath } from '../../services/paths.ts';
import { Session } from '../../services/session.ts';
import type { CliContext, Command, OptionSpec } from './command.ts';
import { commands } from './commands/index.ts';
import { emitArtifact, promptHidden, readInput, readSecretFile } from './io.ts';

const GLOBAL_OPTIONS: OptionSpec = {
  store: { type: 'string' },
  json: { type: 'boolean' },
  'passphrase-file': { type: 'string' },
  now: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const VERSION = '0.1.0';

/**
 * Human output shows captured text (header values, bodies, kids) that strangers wrote: control
 * characters are made visible, so an escape sequence in a capture cannot drive the terminal (retitle
 * it, write the clipboard with OSC 52, hide lines). Newlines and tabs are layout and stay.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Kids are RFC 7638 thumbprints in base64url, so one in 64 starts with "-": such an argument, or an
 * option value like it, must not be read as an option. Values are attached (`--kid=-x…`) and
 * positionals moved after `--`, in their order.
 */
function separatePositionals(args: string[], options: OptionSpec): string[] {
  const flags: string[] = [];
  const positionals: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '--') {
      positionals.push(...args.slice(index + 1));
      break;
    }
    const long = arg.startsWith('--') ? arg.slice(2) : undefined;
    const next = args[index + 1];
    if (long !== undefined && !long.includes('=') && options[long]?.type === 'string' && next !== undefined) {
      flags.push(`${arg}=${next}`);
      index++;
    } else if (long !== undefined || arg === '-h') flags.push(arg);
    else positionals.push(arg);
  }
  return [...flags, '--', ...positionals];
}

/** Finds the command named by the leading words of argv ("keys generate …"), longest name first. */
function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  for (const command of [...commands].sort((a, b) => b.name.length - a.name.length)) {
    const parts = command.name.split(' ');
    if (parts.every((part, index) => words[index] === part)) {
      const rest = [...argv];
      for (const part of parts) rest.splice(rest.indexOf(part), 1);
      return { command, rest };
    }
  }
  return undefined;
}

function usage(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    'Usage: signet <command> [options]   (signet <command> --help for its options)',
    '',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Every command takes --store PATH (or SIGNET_STORE), --json, --passphrase-file F (or SIGNET_PASSPHRASE), and --now TIME',
    '(to evaluate at another moment; commands that change the keystore refuse it).',
    'Exit codes: 0 all valid, 1 something checked is invalid, 2 bad usage or unreadable input, 130 interrupted (Ctrl+C).',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return `Usage: signet ${command.name} ${command.usage}\n\n${command.summary}`;
}

/** Exit status of a command whose reader went away, as for a Unix tool killed by SIGPIPE (128 + 13). */
const READER_GONE = 141;
/** Exit status of a command stopped by Ctrl+C (a capture being read, a passphrase prompt), as shells report SIGINT (128 + 2). */
const INTERRUPTED = 130;

export async function main(argv: string[]): Promise<number> {
  // `signet … | head`: once the reader has gone there is no one to tell, so stop at once and quietly,
  // as Unix tools do (output is only written after any storing is done, so nothing is cut half-way).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') process.stderr.write(`signet: cannot write the output (${error.code ?? error.message})\n`);
    process.exit(error.code === 'EPIPE' ? READER_GONE : 2);
  });
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    process.stdout.write(`signet ${VERSION}\n`);
    return 0;
  }
  // A usage error is still one JSON document when --json was asked for (scripts parse stdout).
  const usageError = (prefix: string, message: string, help = ''): number => {
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code: 'ERR_BAD_INPUT', message } }, null, 2)}\n`);
    process.stderr.write(`${prefix}: ${message}\n${help}`);
    return 2;
  };
  const found = findCommand(argv);
  if (!found) {
    if (argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
      process.stdout.write(`${usage()}\n`);
      return 0;
    }
    return usageError('signet', `unknown command "${argv.filter((arg) => !arg.startsWith('-')).slice(0, 2).join(' ')}" (signet --help lists them)`);
  }
  const { command, rest } = found;
  let parsed;
  try {
    const options = { ...GLOBAL_OPTIONS, ...command.options };
    parsed = parseArgs({ args: separatePositionals(rest, options), options, allowPositionals: true, strict: true });
  } catch (error) {
    return usageError(`signet ${command.name}`, printable((error as Error).message.split('\n')[0] ?? ''), `${commandHelp(command)}\n`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }
  const expected = command.positionals ?? { min: 0, max: 0, names: '' };
  if (positionals.length < expected.min || positionals.length > expected.max) {
    return usageError(`signet ${command.name}`, `expected ${expected.names || 'no arguments'}, got ${positionals.length ? printable(positionals.join(' ')) : 'none'}`, `${commandHelp(command)}\n`);
  }

  const json = values.json === true;
  let session: Session | undefined;
  let streamed = false;
  try {
    const now = typeof values.now === 'string' ? parseInstant(values.now) : undefined;
    const storePath = resolveStorePath(typeof values.store === 'string' ? values.store : undefined);
    const passphraseFile = typeof values['passphrase-file'] === 'string' ? values['passphrase-file'] : undefined;
    const currentPassphrase = async (): Promise<string> => {
      if (passphraseFile) return readSecretFile(passphraseFile, 'passphrase file');
      if (process.env.SIGNET_PASSPHRASE) return process.env.SIGNET_PASSPHRASE;
      return promptHidden('Keystore passphrase: ');
    };
    const open = (): Session => {
      session ??= Session.open(storePath, { create: command.createsStore === true, ...(now && { evaluateAt: now }) });
      return session;
    };
    const ctx: CliContext = {
      json,
      openSession: open,
      async call<M extends MethodName>(name: M, input: Input<M>, options?: CallOptions): Promise<Output<M>> {
        // A change to the keystore happens now, and its audit row says so. A run would also use up the
        // reminders it records at that moment (and send them): `notify due` previews instead.
        // Captures carry their own times: each exchange is judged when it was sent, and --at moves that.
        if (now && name === 'captures.verify') throw new SignetError('ERR_BAD_INPUT', 'capture verify judges each exchange at the time it was sent: to judge them all at one moment, use --at TIME, not --now');
        if (now && !READS.has(name)) {
          const instead = name === 'notifications.run' ? ', or see what is due then with "signet notify due --now TIME"' : '';
          throw new SignetError('ERR_BAD_INPUT', `--now only evaluates at another moment, and "signet ${command.name}" changes the keystore, which happens at the real time: run it without --now${instead}`);
        }
        const active = open();
        try {
          return await dispatch(active, name, input, options);
        } catch (error) {
          // Unlock lazily: commands that touch no private material never pay for scrypt or a prompt.
          if (!(error instanceof SignetError) || error.code !== 'ERR_LOCKED') throw error;
          const passphrase = await currentPassphrase().catch((missing: unknown) => {
            // Say why this command needs it: reads of the same keystore did not.
            if (missing instanceof SignetError && missing.code === 'ERR_PASSPHRASE_REQUIRED') {
              const why = READS.has(name) ? 'uses a sealed secret' : 'changes the keystore';
              throw new SignetError(missing.code, `"signet ${command.name}" ${why}, so ${missing.message}`);
            }
            throw missing;
          });
          await dispatch(active, 'keystore.unlock', { passphrase });
          return dispatch(active, name, input, options);
        }
      },
      readInput,
      readSecretFile,
      print(text) {
        process.stdout.write(`${printable(text)}\n`);
      },
      printJson(value) {
        process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      },
      async write(text) {
        streamed = true;
        // Waits out a slow reader of a pipe, so that streamed output never piles up in memory here.
        if (!process.stdout.write(json ? text : printable(text))) await once(process.stdout, 'drain');
      },
      async unlockForSecrets() {
        const active = open();
        if (!active.initialized || active.unlocked || !active.keys.anySealed()) return;
        if (!passphraseFile && !process.env.SIGNET_PASSPHRASE && !process.stdin.isTTY) return;
        await dispatch(active, 'keystore.unlock', { passphrase: await currentPassphrase() });
      },
      emitArtifact: (artifact, out) => emitArtifact(artifact, out, command.name === 'keys export' && values.private === true, values.force === true),
      currentPassphrase,
      async newPassphrase(fileOption, envName) {
        const file = fileOption ?? (envName === 'SIGNET_PASSPHRASE' ? passphraseFile : undefined);
        if (file) return readSecretFile(file, 'passphrase file');
        const fromEnv = process.env[envName];
        if (fromEnv) return fromEnv;
        if (!process.stdin.isTTY) {
          const fileFlag = envName === 'SIGNET_PASSPHRASE' ? '--passphrase-file' : '--new-passphrase-file';
          throw new SignetError('ERR_PASSPHRASE_REQUIRED', `a new passphrase is needed: set ${envName} or use ${fileFlag} FILE`);
        }
        const first = await promptHidden('New passphrase: ');
        if ((await promptHidden('Repeat it: ')) !== first) throw new SignetError('ERR_BAD_INPUT', 'the two passphrases differ (nothing was changed)');
        return first;
      },
    };
    const code = await command.run(ctx, values, positionals);
    return typeof code === 'number' ? code : 0;
  } catch (error) {
    const body = toErrorBody(error);
    if (json && !streamed) process.stdout.write(`${JSON.stringify({ error: body }, null, 2)}\n`);
    // Messages may quote what a file said (a kid, a header): never let it drive the terminal.
    process.stderr.write(`signet ${command.name}: ${printable(body.message).replace(/\s*\n\s*/g, ' ')}\n`);
    return body.code === 'ERR_CANCELLED' ? INTERRUPTED : exitCodeFor(body.code);
  } finally {
    session?.close();
  }
}

import { SignetError } from '../../../core/errors.ts';
import type { Input, Output } from '../../../api/contract.ts';
import type { Command } from '../command.ts';
import { table } from '../format.ts';

// signet settings …: read and change the settings (policies, inspection, limits) through the same
// contract methods as the console, so their validation and audit apply.

type Settings = Output<'settings.get'>;

/** Strings bare, everything else as JSON: what `settings set` takes back. */
const shown = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

function settingsTable(settings: Settings): string {
  const rows = Object.entries(settings).flatMap(([group, values]) => Object.entries(values).map(([name, value]) => [`${group}.${name}`, shown(value)]));
  return table(['SETTING', 'VALUE'], rows);
}

/** "inspection.hmacProfile" → its group and name, refused unless it is a setting (one value, not a group). */
function settingOf(settings: Settings, key: string): { group: string; name: string; value: unknown } {
  const [group = '', name = '', ...rest] = key.split('.');
  const values: Record<string, unknown> | undefined = Object.hasOwn(settings, group) ? settings[group as keyof Settings] : undefined;
  if (values === undefined || rest.length > 0 || !Object.hasOwn(values, name)) {
    throw new SignetError('ERR_BAD_INPUT', `unknown setting "${key}": a setting is GROUP.NAME, e.g. inspection.hmacProfile (signet settings show lists them)`);
  }
  return { group, name, value: values[name] };
}

/**
 * JSON when the text parses as JSON (60, true, ["a","b"], "quoted"), else the text as a string; for a
 * setting that holds text, always the text (`policy.keyExpiry 90` is "90", not the number 90).
 */
function parsedValue(text: string, before: unknown): unknown {
  if (typeof before === 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export const settingsCommands: Command[] = [
  {
    name: 'settings show',
    summary: 'every setting (policies, inspection, console, limits) with its value, defaults filled in',
    usage: '[--json]',
    async run(ctx) {
      const settings = await ctx.call('settings.get', {});
      if (ctx.json) ctx.printJson(settings);
      else ctx.print(settingsTable(settings));
    },
  },
  {
    name: 'settings set',
    summary: 'change one setting (audited); VALUE is read as JSON when it parses, else as text',
    usage: "KEY VALUE [--json]   e.g. inspection.hmacProfile opg-sha1-legacy, inspection.signedRequestHosts '[\"api.klix.example\"]'",
    positionals: { min: 2, max: 2, names: 'KEY VALUE' },
    async run(ctx, _values, [key = '', text = '']) {
      const { group, name, value: before } = settingOf(await ctx.call('settings.get', {}), key);
      // The contract's schema checks the value (dispatch validates every input), so the shape is only asserted here.
      const settings = await ctx.call('settings.update', { [group]: { [name]: parsedValue(text, before) } } as Input<'settings.update'>);
      if (ctx.json) return ctx.printJson(settings);
      const [now, was] = [shown(settingOf(settings, key).value), shown(before)];
      ctx.print(now === was ? `${key} is ${now} (unchanged)` : `${key} is now ${now} (was ${was})`);
    },
  },
];

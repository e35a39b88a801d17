import { z } from 'zod';

/** What zod itself says of an issue; a schema's own message differs from it. */
function defaultMessage(issue: z.core.$ZodIssueInvalidStringFormat): string | undefined {
  const made = z.config().localeError?.({ ...issue, input: issue.input });
  return typeof made === 'string' ? made : made?.message;
}

const MIB = 1024 * 1024;

/**
 * A base64 field over its limit, in what it carries ("contentBase64": the file, "publicKeyBase64": the
 * public key) and in bytes: the length of an encoding means nothing to a user. Four characters carry
 * three bytes; rounded down, so that whatever is refused is larger than the size said.
 */
function tooLargeContent(field: string, maximumChars: number): string {
  const name = field.slice(field.lastIndexOf('.') + 1, -'Base64'.length);
  const what = name === 'content' ? 'the file' : `the ${name.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`)}`;
  return `${what} is larger than ${Math.floor(((maximumChars * 3) / 4 / MIB) * 10) / 10} MiB`;
}

/**
 * A schema's refusal as a user reads it ("policy.expiringSoonDays must be at least 1"), not in the
 * validator's words ("Too small: expected number to be >=1"); the schemas' own messages are kept.
 */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.join('.') || 'the input';
  const unit = (origin: unknown, count: number | bigint) => (origin === 'string' ? ` character${count === 1 ? '' : 's'}` : origin === 'array' || origin === 'set' ? ` item${count === 1 ? '' : 's'}` : '');
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return `${field} must not be empty`;
      return `${field} must be at least ${issue.minimum}${unit(issue.origin, issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'string' && field.endsWith('Base64')) return tooLargeContent(field, Number(issue.maximum));
      return `${field} must be at most ${issue.maximum}${unit(issue.origin, issue.maximum)}`;
    case 'invalid_format':
      // A pattern's own name for what it accepts ("an HTTP method") says more than the check's kind ("regex").
      if (issue.message !== defaultMessage(issue)) return `${field} must be ${issue.message}`;
      if (issue.format === 'starts_with' && 'prefix' in issue) return `${field} must start with ${JSON.stringify(issue.prefix)}`;
      return `${field} is not a valid ${issue.format === 'email' ? 'e-mail address' : issue.format === 'url' ? 'URL' : issue.format}`;
    case 'invalid_value':
      return `${field} must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_type':
      // Issues carry no input unless asked to: zod's own text says what it received.
      return issue.message.endsWith('received undefined') ? `${field} is required` : `${field} must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    case 'unrecognized_keys':
      return `unknown option${issue.keys.length === 1 ? '' : 's'}: ${issue.keys.join(', ')}`;
    default:
      return `${field}: ${issue.message}`;
  }
}

/** Every issue of a refused input, in plain words, on one line. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string {
  return issues.map((issue) => describeIssue(prefix ? { ...issue, path: [prefix, ...issue.path] } : issue)).join('; ');
}

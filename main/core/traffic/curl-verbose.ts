import { Buffer } from 'node:buffer';
import { isBlank } from './http-lines.ts';
import { asBuffer } from './source.ts';

const LF = 0x0a;
/** A line longer than this is body text (curl's own lines are short): it streams through as it comes. */
const HELD_LINE_BYTES = 64 * 1024;
/** The end of a streamed line held back, long enough for a curl note that may end it. */
const NOTE_BYTES = 1024;

const CURL_NOTE_AT_END = /\* (?:Connection #\d+ to host .* left intact|Closing connection.*)(\r?\n)?$/;
const DATA_MARKER = /^[{}] \[\d+ bytes data\]\r?\n?$/;
const WARNING = /^(?:Note|Warning): /;

/**
 * `curl -v` output as pasted from a terminal, turned into the raw HTTP it shows: curl writes the
 * request head after "> ", the response head after "< ", its own notes after "* " (and "{ [n bytes
 * data]" markers), and the response body as it is (stdout, between the two). The request body is never
 * shown, so the blank line closing the request head is dropped: the raw reader then takes a body the
 * head declares as not recorded, rather than read the response as that body. A body with no final
 * newline has curl's next note on its last line ("…}* Connection #0 to host … left intact"): the note
 * is cut off. Offsets the raw reader reports are then in this text, without curl's prefixes.
 */
export async function* curlVerboseAsRawHttp(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let held: Buffer[] = []; // the current line, until its end or HELD_LINE_BYTES
  let heldBytes = 0;
  let streamed: Buffer | null = null; // the held-back end of a long body line being streamed
  let requestSeen = false;
  let output: Buffer[] = [];
  let outputBytes = 0;
  const emit = (bytes: Buffer | null) => {
    if (bytes === null || bytes.length === 0) return;
    output.push(bytes);
    outputBytes += bytes.length;
  };
  const endLine = (line: Buffer) => {
    const kind = lineKind(line);
    if (kind === 'request') requestSeen = true;
    if (kind === 'curl' || (kind === 'warning' && !requestSeen)) return;
    const content = kind === 'body' || kind === 'warning' ? withoutNote(line) : line.subarray(prefixLength(line));
    if (kind !== 'request' || !isBlank(content)) emit(content);
  };
  for await (const chunk of source) {
    const bytes = asBuffer(chunk);
    for (let from = 0; from < bytes.length; ) {
      const lf = bytes.indexOf(LF, from);
      const to = lf < 0 ? bytes.length : lf + 1;
      const piece = Buffer.from(bytes.subarray(from, to)); // a copy: a source may reuse its chunk buffers
      from = to;
      if (streamed !== null) {
        streamed = Buffer.concat([streamed, piece]);
        if (lf >= 0) {
          emit(withoutNote(streamed));
          streamed = null;
        } else if (streamed.length > NOTE_BYTES) {
          emit(streamed.subarray(0, streamed.length - NOTE_BYTES));
          streamed = streamed.subarray(streamed.length - NOTE_BYTES);
        }
        continue;
      }
      held.push(piece);
      heldBytes += piece.length;
      if (lf >= 0) endLine(Buffer.concat(held, heldBytes));
      else if (heldBytes > HELD_LINE_BYTES) streamed = Buffer.concat(held, heldBytes);
      else continue;
      held = [];
      heldBytes = 0;
    }
    if (outputBytes > 0) {
      yield Buffer.concat(output, outputBytes); // one piece per chunk read: the reader copies what it holds over
      output = [];
      outputBytes = 0;
    }
  }
  if (streamed !== null) emit(withoutNote(streamed));
  else if (heldBytes > 0) endLine(Buffer.concat(held, heldBytes));
  if (outputBytes > 0) yield Buffer.concat(output, outputBytes);
}

type LineKind = 'request' | 'response' | 'curl' | 'warning' | 'body';

function lineKind(line: Buffer): LineKind {
  const first = line[0];
  const prefixed = prefixLength(line) > 0;
  if (prefixed && first === 0x3e) return 'request'; // >
  if (prefixed && first === 0x3c) return 'response'; // <
  if (prefixed && first === 0x2a) return 'curl'; // *
  const start = line.subarray(0, 40).toString('latin1');
  if (DATA_MARKER.test(start)) return 'curl';
  return WARNING.test(start) ? 'warning' : 'body';
}

/** "> x", "< x", "* x": 2; the same marker alone on its line (an editor may trim the space): 1; else 0. */
function prefixLength(line: Buffer): number {
  const first = line[0];
  if (first !== 0x3e && first !== 0x3c && first !== 0x2a) return 0;
  const second = line[1];
  if (second === 0x20) return 2;
  return second === undefined || second === LF || (second === 0x0d && (line[2] === undefined || line[2] === LF)) ? 1 : 0;
}

function withoutNote(line: Buffer): Buffer {
  const tail = line.subarray(Math.max(0, line.length - NOTE_BYTES)).toString('latin1');
  const note = CURL_NOTE_AT_END.exec(tail);
  if (!note) return line;
  return Buffer.concat([line.subarray(0, line.length - Buffer.byteLength(note[0], 'latin1')), Buffer.from(note[1] ?? '', 'latin1')]);
}

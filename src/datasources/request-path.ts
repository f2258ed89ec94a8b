/**
 * The one way a Klarna request path is built, and the last guard on what a request carries.
 *
 * `pathOf(template, parameters)` fills a contract path template (`/v2/accounts/{partner_account_id}`)
 * with one value per parameter, each URL-encoded into exactly one path segment. A value that could
 * leave its segment or make the path mean another (empty, `.`, `..`, holding `/`, `\`, `%` or a control
 * character, ill-formed Unicode, longer than `MAX_SEGMENT_LENGTH`) is refused with BAD_USER_INPUT and
 * nothing is sent: so no value can produce a path outside its operation's template, even after a URL
 * parser normalises it. The schema refuses such ids long before (its id rules are stricter); this guard
 * holds whatever a caller of the clients passes.
 *
 * Header and query values a caller gives (`KeyId`, the idempotency key, cursors) get the same kind of
 * guard: no control characters (no CR/LF header injection), bounded length.
 */
import { BadUserInputError } from '../errors.ts';

export const MAX_SEGMENT_LENGTH = 255;
export const MAX_HEADER_VALUE_LENGTH = 255;
/** Longest query value: a Klarna cursor or filter is far shorter; `expand` lists stay within it. */
export const MAX_QUERY_VALUE_LENGTH = 1_024;

/** The `{name}` parameters of a path template, as a type (`'partner_account_id' | 'brand_id'`). */
type ParameterNames<Template extends string> = Template extends `${string}{${infer Name}}${infer Rest}` ? Name | ParameterNames<Rest> : never;

/** One string per parameter of the template, no more, no fewer. */
export type PathParameters<Template extends string> = { [Name in ParameterNames<Template>]: string };

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether `value` holds a character outside `[0x20, highest]` or DEL: C0 controls (CR, LF, NUL) among them. */
function hasCharacterOutside(value: string, highest: number): boolean {
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code === 0x7f || code > highest) return true;
  }
  return false;
}

const refused = (what: string) =>
  new BadUserInputError(`${what} cannot be sent to Klarna. Use identifiers exactly as this API returned them.`);

const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const PERCENT = 0x25;

/** Why `value` cannot be one path segment, or undefined when it can. (One pass over it: it runs for every upstream call.) */
export function segmentProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value === '.' || value === '..') return 'is a dot segment';
  if (value.length > MAX_SEGMENT_LENGTH) return `is longer than ${MAX_SEGMENT_LENGTH} characters`;
  let surrogates = false;
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code === 0x7f || code === SLASH || code === BACKSLASH || code === PERCENT) return 'holds "/", "\\", "%" or a control character';
    if (code >= 0xd800 && code <= 0xdfff) surrogates = true;
  }
  if (surrogates && LONE_SURROGATE.test(value)) return 'is not well-formed Unicode';
  return undefined;
}

/** A path template split once: its literal parts, with a parameter name between each two. */
interface CompiledTemplate {
  literals: string[];
  names: string[];
}

const compiledTemplates = new Map<string, CompiledTemplate>();

function compileTemplate(template: string): CompiledTemplate {
  let compiled = compiledTemplates.get(template);
  if (!compiled) {
    const parts = template.split(/\{([^{}]+)\}/);
    compiled = { literals: parts.filter((_, index) => index % 2 === 0), names: parts.filter((_, index) => index % 2 === 1) };
    compiledTemplates.set(template, compiled);
  }
  return compiled;
}

/** The path `template` names with each `{parameter}` replaced by its value as one encoded segment. */
export function pathOf<Template extends string>(template: Template, parameters: PathParameters<Template>): string {
  const values = parameters as Record<string, unknown>;
  const { literals, names } = compileTemplate(template);
  let path = literals[0]!;
  for (let index = 0; index < names.length; index += 1) {
    const name = names[index]!;
    const value = values[name];
    // A programming error (the types forbid it), not the caller's.
    if (typeof value !== 'string') throw new TypeError(`pathOf: no value for {${name}} of ${template}`);
    const problem = segmentProblem(value);
    if (problem) throw refused(`An identifier that ${problem}`);
    path += encodeURIComponent(value) + literals[index + 1]!;
  }
  return path;
}

/** `value` as a header value, or BAD_USER_INPUT when it holds a control character or is empty or too long. */
export function headerValue(name: string, value: string): string {
  if (!value || value.length > MAX_HEADER_VALUE_LENGTH || hasCharacterOutside(value, 0xff)) {
    throw refused(`The \`${name}\` value (empty, over ${MAX_HEADER_VALUE_LENGTH} characters, or holding control or non-Latin-1 characters)`);
  }
  return value;
}

/** `value` as a query value, or BAD_USER_INPUT when it is too long or ill-formed. */
export function queryValue(name: string, value: string): string {
  if (value.length > MAX_QUERY_VALUE_LENGTH || LONE_SURROGATE.test(value)) {
    throw refused(`The \`${name}\` value (over ${MAX_QUERY_VALUE_LENGTH} characters, or ill-formed Unicode)`);
  }
  return value;
}

/**
 * The two REST contracts (`openapi/*.yaml`) turned into a router and ajv validators, shared by both
 * sides of the wire:
 * - the sandbox matches every request to an operation by method and path template and validates its
 *   path, query, header parameters and JSON body against the document's own schemas;
 * - the gateway checks every upstream answer against the same schemas before trusting its shape
 *   (parse at the edge), and the tests check every sandbox response the same way.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

export type ApiName = 'partner-management' | 'merchant-card-service';

export interface Violation {
  /** Where the problem is, as Klarna names it: `body.partner_account_contact.email`, `query.size`. */
  parameter: string;
  reason: string;
}

interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Record<string, unknown>;
  content?: Record<string, { schema: Record<string, unknown> }>;
  style?: string;
  explode?: boolean;
}

export interface Operation {
  api: ApiName;
  operationId: string;
  method: string;
  pathTemplate: string;
  /** True for POST, PATCH, PUT and DELETE: the operations that change state. */
  isWrite: boolean;
  parameters: ParameterObject[];
  hasJsonBody: boolean;
  bodyRequired: boolean;
}

export interface MatchedRequest {
  operation: Operation;
  pathParams: Record<string, string>;
}

export interface RequestParts {
  pathParams: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface ValidatedRequest {
  path: Record<string, string>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  body: unknown;
}

interface CompiledOperation extends Operation {
  regex: RegExp;
  pathParamNames: string[];
  validateParams: LazyValidator;
  validateBody?: LazyValidator;
  responseValidators: Map<string, LazyValidator>;
}

const documents: Record<ApiName, string> = {
  'partner-management': 'openapi/partner-management-v2.yaml',
  'merchant-card-service': 'openapi/merchant-card-service-v3.yaml',
};

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);
const METHODS = ['get', 'post', 'patch', 'put', 'delete'] as const;

export function loadDocument(api: ApiName): Record<string, unknown> {
  const path = fileURLToPath(new URL(`../../${documents[api]}`, import.meta.url));
  return parseYaml(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/**
 * How string formats (`date-time`, `uri`, `email`, ...) are checked: `full`, ajv-formats' exact checks
 * (a date's day exists in its month; a URI parses by RFC 3986), or `fast`, its regular expressions
 * for the same shapes. The sandbox judges callers' requests `full`. The gateway checks Klarna's
 * answers `fast`: it looks for drift from the contract (a field missing, renamed or of another type),
 * which the shapes catch, and the exact checks cost it more than the rest of the validation
 * (~15 µs of ~37 per Dashboard, the RFC 3986 `uri` expression the most).
 */
export type FormatChecks = 'full' | 'fast';

export function createAjv(formats: FormatChecks = 'full'): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true, coerceTypes: false, validateFormats: true });
  addFormats.default(ajv, { mode: formats });
  return ajv;
}

/**
 * A validator compiled on its first use. Compiling every schema of both contracts up front cost the
 * sandbox and the gateway seconds at every start (tens of seconds on a loaded machine) for operations
 * most runs never call; `compileAll` (the contract tests) still proves every schema compiles.
 */
type LazyValidator = ValidateFunction & { compile(): void };

function lazyValidator(ajv: Ajv2020, schema: object): LazyValidator {
  let compiled: ValidateFunction | undefined;
  const compile = () => (compiled ??= ajv.compile(schema));
  const validate = ((data: unknown) => compile()(data)) as LazyValidator;
  Object.defineProperty(validate, 'errors', { get: () => compiled?.errors });
  validate.compile = () => void compile();
  return validate;
}

/** Escapes a literal path segment for use in a RegExp. */
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compilePathTemplate(template: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (!name) return escapeRegex(part);
      names.push(name);
      return '([^/]+)';
    })
    .join('');
  return { regex: new RegExp(`^${pattern}$`), names };
}

/**
 * Builds a JSON schema for an operation's parameters: an object `{ path, query, header }` so that one
 * ajv call reports every bad parameter at once, with its location in `instancePath`.
 */
function parameterSchema(api: ApiName, parameters: ParameterObject[]): Record<string, unknown> {
  const groups: Record<string, { properties: Record<string, unknown>; required: string[] }> = {
    path: { properties: {}, required: [] },
    query: { properties: {}, required: [] },
    header: { properties: {}, required: [] },
  };
  for (const parameter of parameters) {
    const group = groups[parameter.in];
    if (!group) continue;
    const name = parameter.in === 'header' ? parameter.name.toLowerCase() : parameter.name;
    const schema = parameter.schema ?? Object.values(parameter.content ?? {})[0]?.schema ?? {};
    group.properties[name] = rebase(api, schema);
    if (parameter.required) group.required.push(name);
  }
  const properties = Object.fromEntries(
    Object.entries(groups).map(([location, group]) => [
      location,
      { type: 'object', properties: group.properties, required: group.required },
    ]),
  );
  return { type: 'object', properties };
}

/** Points local `#/components/...` refs of an inline schema at the document registered under `api`. */
function rebase(api: ApiName, schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map((item) => rebase(api, item));
  if (!schema || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) =>
      key === '$ref' && typeof value === 'string' && value.startsWith('#')
        ? [key, `${api}${value}`]
        : [key, rebase(api, value)],
    ),
  );
}

/** Resolves a `$ref` to a reusable component (parameter or response) within the same document. */
function resolveRef<T>(document: Record<string, unknown>, value: unknown): T {
  let current = value as Record<string, unknown>;
  for (let depth = 0; depth < 5 && typeof current?.$ref === 'string'; depth += 1) {
    const segments = (current.$ref as string).replace(/^#\//, '').split('/');
    current = segments.reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], document) as Record<
      string,
      unknown
    >;
  }
  return current as T;
}

function describeAjvError(error: ErrorObject, prefix: string): Violation {
  const pointer = error.instancePath
    .split('/')
    .filter(Boolean)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') pointer.push(String(error.params.missingProperty));
  if (error.keyword === 'additionalProperties') pointer.push(String(error.params.additionalProperty));
  const [location, ...rest] = prefix ? [prefix, ...pointer] : pointer;
  const parameter = [location === 'header' ? 'header' : location, ...rest].filter(Boolean).join('.');
  const reasons: Record<string, string> = {
    required: 'is required',
    additionalProperties: 'is not a recognised field',
  };
  return { parameter, reason: reasons[error.keyword] ?? error.message ?? 'is invalid' };
}

function dedupe(violations: Violation[]): Violation[] {
  const seen = new Set<string>();
  return violations.filter((violation) => {
    const key = `${violation.parameter}\u0000${violation.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface Contract {
  operations: Operation[];
  /** The operation for a method and path, or the methods the path allows, or nothing. */
  match(method: string, path: string): MatchedRequest | { allowed: string[] } | undefined;
  validateRequest(operation: Operation, request: RequestParts): { value: ValidatedRequest; violations: Violation[] };
  validateResponse(operationId: string, status: number, body: unknown): Violation[];
  /** Compiles every validator now (they are compiled on first use): throws if a schema does not compile. */
  compileAll(): void;
}

export function createContract(apis: ApiName[] = ['partner-management', 'merchant-card-service'], { formats = 'full' }: { formats?: FormatChecks } = {}): Contract {
  const ajv = createAjv(formats);
  const compiled: CompiledOperation[] = [];

  for (const api of apis) {
    const document = loadDocument(api);
    ajv.addSchema(rebase(api, document) as object, api);
    const paths = (document.paths ?? {}) as Record<string, Record<string, unknown>>;
    for (const [pathTemplate, pathItem] of Object.entries(paths)) {
      const shared = ((pathItem.parameters as unknown[]) ?? []).map((p) => resolveRef<ParameterObject>(document, p));
      for (const method of METHODS) {
        const operation = pathItem[method] as Record<string, unknown> | undefined;
        if (!operation) continue;
        const own = ((operation.parameters as unknown[]) ?? []).map((p) => resolveRef<ParameterObject>(document, p));
        const byKey = new Map([...shared, ...own].map((p) => [`${p.in}:${p.name.toLowerCase()}`, p]));
        const parameters = [...byKey.values()];
        const requestBody = resolveRef<Record<string, unknown> | undefined>(document, operation.requestBody);
        const jsonBody = (requestBody?.content as Record<string, { schema?: unknown }> | undefined)?.[
          'application/json'
        ];
        const { regex, names } = compilePathTemplate(pathTemplate);
        const responseValidators = new Map<string, LazyValidator>();
        for (const [status, rawResponse] of Object.entries((operation.responses ?? {}) as Record<string, unknown>)) {
          const response = resolveRef<Record<string, unknown>>(document, rawResponse);
          const content = response?.content as Record<string, { schema?: unknown }> | undefined;
          const schema = content?.['application/json']?.schema ?? content?.['text/csv']?.schema;
          if (schema) responseValidators.set(status, lazyValidator(ajv, rebase(api, schema) as object));
        }
        compiled.push({
          api,
          operationId: String(operation.operationId),
          method: method.toUpperCase(),
          pathTemplate,
          isWrite: WRITE_METHODS.has(method.toUpperCase()),
          parameters,
          hasJsonBody: Boolean(jsonBody?.schema),
          bodyRequired: Boolean(requestBody?.required),
          regex,
          pathParamNames: names,
          validateParams: lazyValidator(ajv, parameterSchema(api, parameters)),
          validateBody: jsonBody?.schema ? lazyValidator(ajv, rebase(api, jsonBody.schema) as object) : undefined,
          responseValidators,
        });
      }
    }
  }
  // Literal segments win over templated ones (`/settlements/order/{id}` before `/settlements/{id}`).
  compiled.sort((a, b) => a.pathParamNames.length - b.pathParamNames.length);
  const byId = new Map(compiled.map((operation) => [operation.operationId, operation]));

  function match(method: string, path: string) {
    const allowed: string[] = [];
    for (const operation of compiled) {
      const found = operation.regex.exec(path);
      if (!found) continue;
      if (operation.method !== method) {
        allowed.push(operation.method);
        continue;
      }
      const pathParams: Record<string, string> = {};
      operation.pathParamNames.forEach((name, index) => {
        pathParams[name] = decodeURIComponent(found[index + 1] ?? '');
      });
      return { operation, pathParams };
    }
    return allowed.length ? { allowed } : undefined;
  }

  function validateRequest(operation: Operation, request: RequestParts) {
    const op = byId.get(operation.operationId)!;
    const violations: Violation[] = [];
    const value: ValidatedRequest = { path: request.pathParams, query: {}, headers: {}, body: request.body };
    for (const parameter of op.parameters) {
      if (parameter.in === 'query') {
        const raw = request.query.getAll(parameter.name);
        if (!raw.length) continue;
        const decoded = decodeQueryValue(parameter, raw);
        if (decoded === undefined) violations.push({ parameter: `query.${parameter.name}`, reason: 'is not a valid value' });
        else value.query[parameter.name] = decoded;
      } else if (parameter.in === 'header') {
        const name = parameter.name.toLowerCase();
        const raw = request.headers[name];
        if (raw === undefined) continue;
        const text = Array.isArray(raw) ? raw.join(',') : raw;
        if (parameter.content?.['application/json']) {
          try {
            value.headers[name] = JSON.parse(text);
          } catch {
            violations.push({ parameter: `header.${parameter.name}`, reason: 'must be a JSON object serialized as text' });
          }
        } else value.headers[name] = text;
      }
    }
    const params = { path: value.path, query: value.query, header: value.headers };
    if (!op.validateParams(params)) {
      const documentedName = new Map(op.parameters.map((p) => [p.name.toLowerCase(), p.name]));
      for (const violation of (op.validateParams.errors ?? []).map((error) => describeAjvError(error, ''))) {
        // Headers are matched case-insensitively but reported by their documented name.
        const [location, name, ...rest] = violation.parameter.split('.');
        if (location === 'header' && name) violation.parameter = ['header', documentedName.get(name) ?? name, ...rest].join('.');
        violations.push(violation);
      }
    }
    if (op.validateBody) {
      if (request.body === undefined) {
        if (op.bodyRequired) violations.push({ parameter: 'body', reason: 'a JSON request body is required' });
      } else if (!op.validateBody(request.body)) {
        violations.push(...(op.validateBody.errors ?? []).map((error) => describeAjvError(error, 'body')));
      }
    }
    return { value, violations: dedupe(violations) };
  }

  function validateResponse(operationId: string, status: number, body: unknown): Violation[] {
    const op = byId.get(operationId);
    if (!op) return [{ parameter: 'operation', reason: `unknown operation ${operationId}` }];
    const validate = op.responseValidators.get(String(status)) ?? op.responseValidators.get('default');
    if (!validate) {
      if (body === undefined || body === '') return [];
      return [{ parameter: 'response', reason: `status ${status} has no declared body (declared: ${[...op.responseValidators.keys()].join(',')})` }];
    }
    return validate(body) ? [] : (validate.errors ?? []).map((error) => describeAjvError(error, 'response'));
  }

  function compileAll() {
    for (const op of compiled) for (const validator of [op.validateParams, op.validateBody, ...op.responseValidators.values()]) validator?.compile();
  }

  return { operations: compiled, match, validateRequest, validateResponse, compileAll };
}

/**
 * Turns raw query strings into the values the parameter's schema describes, before validation:
 * arrays (form style, comma-separated unless exploded) and integers. Returns undefined when a value
 * cannot be read at all (`size=abc`), which the caller reports as invalid.
 */
function decodeQueryValue(parameter: ParameterObject, raw: string[]): unknown {
  const schema = parameter.schema ?? {};
  const type = schema.type;
  if (type === 'array') {
    const items = parameter.explode === false ? raw.flatMap((value) => value.split(',')) : raw;
    const itemType = (schema.items as Record<string, unknown> | undefined)?.type;
    return itemType === 'integer' ? items.map(Number) : items;
  }
  const value = raw[raw.length - 1] ?? '';
  if (type === 'integer' || type === 'number') {
    if (!/^-?\d+(\.\d+)?$/.test(value)) return undefined;
    return Number(value);
  }
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : undefined;
  return value;
}

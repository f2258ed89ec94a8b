/**
 * The gateway's plugins' per-request hooks (`onRequest`, `onRequestParse`, `onParams`, `onResponse`)
 * run as one hook per run of consecutive ones, not one each.
 *
 * Why: Yoga and its server adapter walk each of those hook lists with promise-helpers' `iterateAsync`,
 * which makes about a dozen objects and closures per hook per request (fake promises and their
 * callbacks), returned or not. In the overhead bench's allocation profile that walk was ~1.2 KB per hook
 * a request, and half of what the full gateway allocates per request over the bare one. A fused hook
 * walks its hooks in a plain loop, with one payload object for all of them.
 *
 * Contract (what every hook sees, as when Yoga calls it itself):
 * - Per hook name, the hooks run in the order they had in `plugins`, one after the other: a hook that
 *   returns a promise is waited for before the next runs, and its rejection (or a throw) ends the walk
 *   with that error.
 * - A hook's payload holds the values as the hooks before it left them (`request`, `requestHandler`,
 *   `requestParser`, `params`, `paramsHandler`, `response`); a setter sets them for Yoga as well.
 * - `endResponse` with a response (`onRequest`), or at all (`onRequestParse`), runs no later hook.
 * - `onRequestParse` hooks' `onRequestParseDone` callbacks run in their order, each seeing the result
 *   as the ones before it left it.
 * - A run is only ever of hooks that were consecutive in Yoga's list for that name: a plugin with
 *   `onPluginInit` (it may add plugins right after itself, with any hooks) is kept as it is and ends
 *   every run.
 * - A payload holds the fields Yoga 5 (and its server adapter) give that hook, named in the payload
 *   types below (`test/unit/fused-hooks.test.ts` fails when Yoga gives one more). `onRequest`'s `url` is
 *   a parsed URL for the whole run (Yoga's is a proxy that parses the request's URL again on every read
 *   until a hook has read it through Yoga's own payload).
 */
export type Hook = (payload: never) => unknown;

export const isPromise = (value: unknown): value is PromiseLike<unknown> => typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';

/**
 * Calls `call(hooks[i])` for each hook from `from` on, in order, waiting for a returned promise before the
 * next; `stopped()` is asked after each (once its promise settled), and ends the walk when true.
 */
export function runInOrder(hooks: readonly Hook[], from: number, call: (hook: Hook) => unknown, stopped: () => boolean): void | Promise<void> {
  for (let index = from; index < hooks.length; index += 1) {
    const result = call(hooks[index]!);
    if (isPromise(result)) return Promise.resolve(result).then(() => (stopped() ? undefined : runInOrder(hooks, index + 1, call, stopped)));
    if (stopped()) return;
  }
}

/**
 * The URL of `onRequest`'s payload: Yoga's own when a hook before the run has made it real, else parsed
 * here, once (Yoga's proxy parses the request's URL again on every read; a hook of the gateway's reads it
 * on every request).
 */
function realUrl(given: URL, fetchAPI: { URL: typeof URL }, request: Request): URL {
  return given instanceof fetchAPI.URL ? given : new fetchAPI.URL(request.url, 'http://localhost');
}

interface RequestPayload {
  request: Request;
  setRequest(request: Request): void;
  serverContext: unknown;
  fetchAPI: { URL: typeof URL };
  url: URL;
  requestHandler: unknown;
  setRequestHandler(handler: unknown): void;
  endResponse(response: Response | undefined): void;
}

function fuseOnRequest(hooks: readonly Hook[]): Hook {
  return ((outer: RequestPayload) => {
    let ended = false;
    const payload: RequestPayload = {
      request: outer.request,
      setRequest(next) {
        payload.request = next;
        outer.setRequest(next);
      },
      serverContext: outer.serverContext,
      fetchAPI: outer.fetchAPI,
      // A data property, not a getter: a literal with an accessor is made slowly, per request.
      url: realUrl(outer.url, outer.fetchAPI, outer.request),
      requestHandler: outer.requestHandler,
      setRequestHandler(next) {
        payload.requestHandler = next;
        outer.setRequestHandler(next);
      },
      endResponse(response) {
        outer.endResponse(response);
        if (response) ended = true;
      },
    };
    return runInOrder(hooks, 0, (hook) => hook(payload as never), () => ended);
  }) as Hook;
}

interface ParseDonePayload {
  requestParserResult: unknown;
  setRequestParserResult(result: unknown): void;
}
type ParseDone = (payload: ParseDonePayload) => unknown;

interface RequestParsePayload {
  request: Request;
  /** Passed on as Yoga gives it (none of the gateway's `onRequestParse` hooks reads it). */
  url: URL;
  requestParser: unknown;
  serverContext: unknown;
  setRequestParser(parser: unknown): void;
  endResponse(response: Response): void;
  fetchAPI: unknown;
}

function fuseOnRequestParse(hooks: readonly Hook[]): Hook {
  return ((outer: RequestParsePayload) => {
    let ended = false;
    const dones: ParseDone[] = [];
    const payload: RequestParsePayload = {
      request: outer.request,
      url: outer.url,
      requestParser: outer.requestParser,
      serverContext: outer.serverContext,
      setRequestParser(next) {
        payload.requestParser = next;
        outer.setRequestParser(next);
      },
      endResponse(response) {
        outer.endResponse(response);
        ended = true;
      },
      fetchAPI: outer.fetchAPI,
    };
    const collect = (result: unknown) => {
      const done = (result as { onRequestParseDone?: ParseDone } | undefined)?.onRequestParseDone;
      if (done) dones.push(done);
    };
    const walked = runInOrder(
      hooks,
      0,
      (hook) => {
        const result = hook(payload as never);
        if (!isPromise(result)) return collect(result);
        return Promise.resolve(result).then(collect);
      },
      () => ended,
    );
    const answer = () => (dones.length ? { onRequestParseDone: fuseParseDones(dones) } : undefined);
    return walked ? walked.then(answer) : answer();
  }) as Hook;
}

function fuseParseDones(dones: readonly ParseDone[]): ParseDone {
  if (dones.length === 1) return dones[0]!;
  return (outer) => {
    const payload: ParseDonePayload = {
      requestParserResult: outer.requestParserResult,
      setRequestParserResult(next) {
        payload.requestParserResult = next;
        outer.setRequestParserResult(next);
      },
    };
    return runInOrder(dones as readonly Hook[], 0, (done) => done(payload as never), () => false);
  };
}

interface ParamsPayload {
  params: unknown;
  request: Request;
  setParams(params: unknown): void;
  paramsHandler: unknown;
  setParamsHandler(handler: unknown): void;
  setResult(result: unknown): void;
  fetchAPI: unknown;
  context: unknown;
}

function fuseOnParams(hooks: readonly Hook[]): Hook {
  return ((outer: ParamsPayload) => {
    const payload: ParamsPayload = {
      params: outer.params,
      request: outer.request,
      setParams(next) {
        payload.params = next;
        outer.setParams(next);
      },
      paramsHandler: outer.paramsHandler,
      setParamsHandler(next) {
        payload.paramsHandler = next;
        outer.setParamsHandler(next);
      },
      setResult: outer.setResult,
      fetchAPI: outer.fetchAPI,
      context: outer.context,
    };
    return runInOrder(hooks, 0, (hook) => hook(payload as never), () => false);
  }) as Hook;
}

interface ResponsePayload {
  request: Request;
  response: Response;
  serverContext: unknown;
  setResponse(response: Response): void;
  fetchAPI: unknown;
}

function fuseOnResponse(hooks: readonly Hook[]): Hook {
  return ((outer: ResponsePayload) => {
    const payload: ResponsePayload = {
      request: outer.request,
      response: outer.response,
      serverContext: outer.serverContext,
      setResponse(next) {
        payload.response = next;
        outer.setResponse(next);
      },
      fetchAPI: outer.fetchAPI,
    };
    return runInOrder(hooks, 0, (hook) => hook(payload as never), () => false);
  }) as Hook;
}

const FUSERS = {
  onRequest: fuseOnRequest,
  onRequestParse: fuseOnRequestParse,
  onParams: fuseOnParams,
  onResponse: fuseOnResponse,
};

/**
 * `plugins` with each run of consecutive `onRequest` (`onRequestParse`, `onParams`, `onResponse`) hooks
 * fused into one, held by the run's first plugin. A plugin that loses a hook is copied without it;
 * every other property (its other hooks, `instrumentation`, dispose symbols) is kept. Falsy entries
 * (Yoga skips them) are dropped.
 */
export function fuseRequestHooks<P extends object>(plugins: readonly (P | false | null | undefined)[]): P[] {
  return fuseRuns(plugins, FUSERS);
}

/**
 * `plugins` with each run of consecutive hooks of a name in `fusers` replaced by `fusers[name](run)` on
 * the run's first plugin (a run of one is left as it is). A plugin with `onPluginInit` ends every run.
 */
export function fuseRuns<P extends object>(plugins: readonly (P | false | null | undefined)[], fusers: Record<string, (hooks: readonly Hook[]) => Hook>): P[] {
  const result = plugins.filter(Boolean).map((plugin) => ({ ...(plugin as Record<string | symbol, unknown>) }));
  for (const name of Object.keys(fusers)) {
    let run: { owner: Record<string | symbol, unknown>; hooks: Hook[] } | undefined;
    const close = () => {
      if (run && run.hooks.length > 1) run.owner[name] = fusers[name]!(run.hooks);
      run = undefined;
    };
    for (const plugin of result) {
      if (plugin.onPluginInit) {
        close();
        continue;
      }
      const hook = plugin[name] as Hook | undefined;
      if (!hook) continue;
      if (!run) run = { owner: plugin, hooks: [hook] };
      else {
        run.hooks.push(hook);
        delete plugin[name];
      }
    }
    close();
  }
  // Copies that lost nothing are swapped back for their originals (a plugin may be compared by identity).
  const originals = plugins.filter(Boolean) as Record<string | symbol, unknown>[];
  return result.map((copy, index) => {
    const original = originals[index]!;
    const same = Reflect.ownKeys(original).every((key) => copy[key] === original[key]) && Reflect.ownKeys(copy).length === Reflect.ownKeys(original).length;
    return (same ? original : copy) as P;
  });
}

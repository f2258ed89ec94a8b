/**
 * The gateway's plugins' per-operation hooks `onExecute`, `onParse` and `onValidate` run as one hook
 * per run of consecutive ones, not one each, as `fused-hooks.ts` does for the per-request hooks.
 *
 * Why: envelop's orchestrator makes, for every hook of every plugin on every operation, a payload with
 * its own closures, and walks the `onExecute` hooks (and then their `onExecuteDone` callbacks) with
 * promise-helpers' `iterateAsync`, whose fake promises and callbacks are made per hook, returned or not.
 * A fused hook walks its hooks in a plain loop, with one set of setters for all of them.
 *
 * Contract (what every hook sees, as when envelop 5 calls it itself):
 * - Per hook name, the hooks run in the order they had in `plugins`. An `onExecute` hook (an
 *   `onExecuteDone` callback, an `onNext`) that returns a promise is waited for before the next runs; its
 *   rejection (or a throw) ends the walk with that error. `onParse` and `onValidate` hooks and their
 *   after-callbacks are not waited for (envelop calls them in a plain loop, and so does the fused hook).
 * - Every hook gets a payload of its own, made when it is called, with the fields envelop gives it
 *   (named in the payload types below; `test/unit/fused-operation-hooks.test.ts` fails when envelop gives
 *   one more): `context` and `args` the same objects, `executeFn` (`parseFn`, `validateFn`) as the hooks
 *   before it left it, `params` a new object as envelop's. Setters set the value for envelop too.
 * - `params.rules` of an `onValidate` hook holds the rules as the hooks before it left them. When Yoga
 *   passes none, envelop makes its list at the first `addValidationRule`, where a fused hook cannot
 *   reach it: the hooks after that one in the run are given the run's own list of the same rules, in the
 *   same order (a copy of envelop's, which is what envelop validates with and later hooks get).
 * - `setResultAndStopExecution`, called while its hook runs (or before its promise settles), sets the
 *   result and runs no later `onExecute` hook, in the run or after it; what the hooks up to and including
 *   that one returned is kept. Called later, it sets the result; inside the run that also ends the hooks
 *   after the run (envelop stops only the hook that is running then, which a fused run is one hook to).
 * - What the `onExecute` hooks returned (truthy, once settled) has its `onExecuteDone` called after the
 *   execution, in their order, each with `result` as the ones before it left it (`setResult`); the
 *   `onNext` and `onEnd` those return (truthy) are run on a streamed result in their order, `onNext` with
 *   each part as the ones before it left it. The after-callbacks `onParse` (`onValidate`) hooks return
 *   are called in their order with `result` as the ones before them left it (`replaceParseResult`,
 *   `setResult`), an `onValidate` one with `valid` as envelop computed it before the first.
 * - A run is only ever of hooks that were consecutive in envelop's list for that name: a plugin with
 *   `onPluginInit` (it may add plugins right after itself, with any hooks) is kept as it is and ends
 *   every run.
 *
 * Not fused: `onContextBuilding` and `onSubscribe` (none of the gateway's plugins has the first; the
 * second runs once a subscription).
 */
import { fuseRuns, isPromise, type Hook } from './fused-hooks.ts';

interface ExecutePayload {
  executeFn: unknown;
  setExecuteFn(executeFn: unknown): void;
  setResultAndStopExecution(result: unknown): void;
  context: unknown;
  extendContext(extension: unknown): void;
  args: unknown;
}

/** What an `onExecute` hook returned (truthy): envelop calls its `onExecuteDone`, if any, after the execution. */
interface ExecuteAfter {
  onExecuteDone?: (payload: ExecuteDonePayload) => unknown;
}

interface ExecuteDonePayload {
  args: unknown;
  result: unknown;
  setResult(result: unknown): void;
}

/** What an `onExecuteDone` callback returned (truthy): envelop runs its `onNext` and `onEnd` on a streamed result. */
interface StreamHooks {
  onNext?: (payload: ExecuteDonePayload) => unknown;
  onEnd?: () => void;
}

/**
 * Calls `call(values[i])` for each value from `from` on, in order, waiting for a returned promise before
 * the next; keeps what each returned (truthy, once settled) in `kept`, as envelop's walk does.
 */
function keepInOrder<T>(values: readonly T[], from: number, call: (value: T) => unknown, kept: unknown[]): void | Promise<void> {
  for (let index = from; index < values.length; index += 1) {
    const returned = call(values[index]!);
    if (isPromise(returned)) {
      return Promise.resolve(returned).then((value) => {
        if (value) kept.push(value);
        return keepInOrder(values, index + 1, call, kept);
      });
    }
    if (returned) kept.push(returned);
  }
}

/** One fused `onExecute` call: the values its hooks share. (Closures in literals, not in named constants: tsx's keepNames would name each one on every call.) */
interface ExecuteWalk {
  hooks: readonly Hook[];
  outer: ExecutePayload;
  executeFn: unknown;
  setExecuteFn(executeFn: unknown): void;
  afters: unknown[];
}

function fuseOnExecute(hooks: readonly Hook[]): Hook {
  return ((outer: ExecutePayload) => {
    const walk: ExecuteWalk = {
      hooks,
      outer,
      executeFn: outer.executeFn,
      setExecuteFn(next) {
        walk.executeFn = next;
        outer.setExecuteFn(next);
      },
      afters: [],
    };
    const walked = walkExecute(walk, 0);
    return walked ? walked.then(() => executeAnswer(walk.afters)) : executeAnswer(walk.afters);
  }) as Hook;
}

/** Runs `walk`'s hooks from `from` on, in order, until one stops the execution. */
function walkExecute(walk: ExecuteWalk, from: number): void | Promise<void> {
  const { hooks, outer, afters } = walk;
  for (let index = from; index < hooks.length; index += 1) {
    // Per hook, as envelop's `endEarly`: read once, when this hook has returned (or its promise settled).
    let stopped = false;
    const returned = hooks[index]!({
      executeFn: walk.executeFn,
      setExecuteFn: walk.setExecuteFn,
      setResultAndStopExecution(result: unknown) {
        stopped = true;
        outer.setResultAndStopExecution(result);
      },
      context: outer.context,
      extendContext: outer.extendContext,
      args: outer.args,
    } satisfies ExecutePayload as never);
    if (isPromise(returned)) {
      return Promise.resolve(returned).then((value) => {
        if (value) afters.push(value);
        return stopped ? undefined : walkExecute(walk, index + 1);
      });
    }
    if (returned) afters.push(returned);
    if (stopped) return;
  }
}

/** What the fused `onExecute` returns for what its hooks returned: nothing, the one, or them fused. */
function executeAnswer(afters: readonly unknown[]): unknown {
  return afters.length === 0 ? undefined : afters.length === 1 ? afters[0] : fuseExecuteAfters(afters as ExecuteAfter[]);
}

/**
 * Calls `call(callback, payload)` for each callback in order (as `keepInOrder`), each payload with `result`
 * as the callbacks before it left it; `setResult` sets it for envelop too.
 */
function passResultInOrder<C>(callbacks: readonly C[], outer: ExecuteDonePayload, call: (callback: C, payload: ExecuteDonePayload) => unknown, kept: unknown[]): void | Promise<void> {
  const carried = {
    args: outer.args,
    result: outer.result,
    setResult(next: unknown) {
      carried.result = next;
      outer.setResult(next);
    },
  };
  return keepInOrder(callbacks, 0, (callback) => call(callback, { args: carried.args, result: carried.result, setResult: carried.setResult }), kept);
}

/** One `onExecute` answer for several: their `onExecuteDone` in order, and what those return, fused. */
function fuseExecuteAfters(afters: readonly ExecuteAfter[]): ExecuteAfter {
  return {
    onExecuteDone(outer) {
      const streams: unknown[] = [];
      const walked = passResultInOrder(afters, outer, (after, payload) => after.onExecuteDone?.(payload), streams);
      return walked ? walked.then(() => streamAnswer(streams)) : streamAnswer(streams);
    },
  };
}

/** What the fused `onExecuteDone` returns for what its callbacks returned: nothing, the one, or them fused. */
function streamAnswer(streams: readonly unknown[]): unknown {
  return streams.length === 0 ? undefined : streams.length === 1 ? streams[0] : fuseStreamHooks(streams as StreamHooks[]);
}

/** One `{ onNext, onEnd }` for several, each only when one of them has it (envelop wraps the stream for either). */
function fuseStreamHooks(streams: readonly StreamHooks[]): StreamHooks | undefined {
  const nexts: NonNullable<StreamHooks['onNext']>[] = [];
  const ends: NonNullable<StreamHooks['onEnd']>[] = [];
  for (const { onNext, onEnd } of streams) {
    if (onNext) nexts.push(onNext);
    if (onEnd) ends.push(onEnd);
  }
  const fused: StreamHooks = {};
  if (nexts.length === 1) fused.onNext = nexts[0]!;
  else if (nexts.length > 1) {
    fused.onNext = (outer) => passResultInOrder(nexts, outer, (onNext, payload) => onNext(payload), []);
  }
  if (ends.length === 1) fused.onEnd = ends[0]!;
  else if (ends.length > 1) {
    fused.onEnd = () => {
      for (const onEnd of ends) onEnd();
    };
  }
  return fused.onNext || fused.onEnd ? fused : undefined;
}

interface ParsePayload {
  context: unknown;
  extendContext(extension: object): void;
  params: { source: unknown; options: unknown };
  parseFn: unknown;
  setParseFn(parseFn: unknown): void;
  setParsedDocument(document: unknown): void;
}

interface ParseAfterPayload {
  context: unknown;
  extendContext(extension: object): void;
  replaceParseResult(result: unknown): void;
  result: unknown;
}
type ParseAfter = (payload: ParseAfterPayload) => unknown;

function fuseOnParse(hooks: readonly Hook[]): Hook {
  return ((outer: ParsePayload) => {
    // Read before the first hook runs: each hook gets a `params` of its own, as from envelop.
    const { source, options } = outer.params;
    const walk = {
      parseFn: outer.parseFn,
      setParseFn(next: unknown) {
        walk.parseFn = next;
        outer.setParseFn(next);
      },
    };
    const afters: ParseAfter[] = [];
    for (let index = 0; index < hooks.length; index += 1) {
      const after = hooks[index]!({
        context: outer.context,
        extendContext: outer.extendContext,
        params: index === 0 ? outer.params : { source, options },
        parseFn: walk.parseFn,
        setParseFn: walk.setParseFn,
        setParsedDocument: outer.setParsedDocument,
      } satisfies ParsePayload as never);
      if (after) afters.push(after as ParseAfter);
    }
    return afters.length <= 1 ? afters[0] : fuseParseAfters(afters);
  }) as Hook;
}

/** One after-callback for several: called in order, each with the result the ones before it left. */
function fuseParseAfters(afters: readonly ParseAfter[]): ParseAfter {
  return (outer) =>
    callWithCarriedResult(afters, outer.result, outer.replaceParseResult, (after, result, replaceParseResult) =>
      after({ context: outer.context, extendContext: outer.extendContext, replaceParseResult, result }),
    );
}

/**
 * Calls each after-callback in order (not waiting: envelop does not for parse and validate) with the
 * result as the ones before it left it; the setter each is given also sets it for envelop (`set`).
 */
function callWithCarriedResult<A>(
  afters: readonly A[],
  result: unknown,
  set: (next: unknown) => void,
  call: (after: A, result: unknown, setResult: (next: unknown) => void) => unknown,
): void {
  const done = {
    result,
    set(next: unknown) {
      done.result = next;
      set(next);
    },
  };
  for (const after of afters) call(after, done.result, done.set);
}

interface ValidatePayload {
  context: unknown;
  extendContext(extension: object): void;
  params: { schema: unknown; documentAST: unknown; rules: unknown[] | undefined; typeInfo: unknown; options: unknown };
  validateFn: unknown;
  addValidationRule(rule: unknown): void;
  setValidationFn(validateFn: unknown): void;
  setResult(result: unknown): void;
}

interface ValidateAfterPayload {
  valid: boolean;
  result: unknown;
  context: unknown;
  extendContext(extension: object): void;
  setResult(result: unknown): void;
}
type ValidateAfter = (payload: ValidateAfterPayload) => unknown;

function fuseOnValidate(hooks: readonly Hook[]): Hook {
  return ((outer: ValidatePayload) => {
    // Read before the first hook runs: each hook gets a `params` of its own, as from envelop.
    const { schema, documentAST, rules: envelopRules, typeInfo, options } = outer.params;
    const walk = {
      rules: envelopRules,
      validateFn: outer.validateFn,
      addValidationRule(rule: unknown) {
        // Into envelop's list; when it had none, envelop makes its own, and the run keeps a copy.
        outer.addValidationRule(rule);
        if (!envelopRules) (walk.rules ??= []).push(rule);
      },
      setValidationFn(next: unknown) {
        walk.validateFn = next;
        outer.setValidationFn(next);
      },
    };
    const afters: ValidateAfter[] = [];
    for (let index = 0; index < hooks.length; index += 1) {
      const after = hooks[index]!({
        context: outer.context,
        extendContext: outer.extendContext,
        params: index === 0 ? outer.params : { schema, documentAST, rules: walk.rules, typeInfo, options },
        validateFn: walk.validateFn,
        addValidationRule: walk.addValidationRule,
        setValidationFn: walk.setValidationFn,
        setResult: outer.setResult,
      } satisfies ValidatePayload as never);
      if (after) afters.push(after as ValidateAfter);
    }
    return afters.length <= 1 ? afters[0] : fuseValidateAfters(afters);
  }) as Hook;
}

/** One after-callback for several: called in order, each with the result the ones before it left. */
function fuseValidateAfters(afters: readonly ValidateAfter[]): ValidateAfter {
  return (outer) =>
    callWithCarriedResult(afters, outer.result, outer.setResult, (after, result, setResult) =>
      after({ valid: outer.valid, result, context: outer.context, extendContext: outer.extendContext, setResult }),
    );
}

/**
 * `plugins` with each run of consecutive `onExecute` (`onParse`, `onValidate`) hooks fused into one,
 * held by the run's first plugin, as `fuseRequestHooks` does (and with the same copies of the plugins
 * that lose a hook).
 */
export function fuseOperationHooks<P extends object>(plugins: readonly (P | false | null | undefined)[]): P[] {
  return fuseRuns(plugins, { onExecute: fuseOnExecute, onParse: fuseOnParse, onValidate: fuseOnValidate });
}

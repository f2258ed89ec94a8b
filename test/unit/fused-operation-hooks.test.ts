import { createSchema, createYoga, envelop, useSchema, type Plugin } from 'graphql-yoga';
import { GraphQLError, parse, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { fuseOperationHooks } from '../../src/plugins/fused-operation-hooks.ts';

const schema = createSchema({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'world' } } });

/** A POST of `query` to a Yoga with these plugins; an event stream is asked for when `stream`. */
function ask(plugins: Plugin[], query = '{ hello }', stream = false) {
  const yoga = createYoga({ schema, plugins, logging: false, maskedErrors: false });
  return yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/graphql-response+json' },
    body: JSON.stringify({ query }),
  });
}

/**
 * Runs `scenario`'s plugins as they are and fused, and expects the same log and the same answer both
 * ways (and that log from the fused run, when given).
 */
async function sameBothWays(scenario: (log: string[]) => Plugin[], expected?: string[], query?: string, stream?: boolean) {
  const asEnvelop: string[] = [];
  const fused: string[] = [];
  const plugins = fuseOperationHooks(scenario(fused));
  // Some of the scenario's hooks were fused (else it would prove nothing).
  expect(hookCount(plugins)).toBeLessThan(hookCount(scenario([])));
  const plainAnswer = await (await ask(scenario(asEnvelop), query, stream)).text();
  const fusedAnswer = await (await ask(plugins, query, stream)).text();
  expect(fused).toEqual(asEnvelop);
  expect(fusedAnswer).toEqual(plainAnswer);
  if (expected) expect(fused).toEqual(expected);
  return fusedAnswer;
}

const hookCount = (plugins: Plugin[]) => (['onExecute', 'onParse', 'onValidate'] as const).reduce((count, name) => count + plugins.filter((plugin) => plugin[name]).length, 0);

/** An async iterable of two results, as a streamed execution gives. */
async function* twoParts(): AsyncGenerator<ExecutionResult> {
  yield { data: { hello: 'part 1' } };
  yield { data: { hello: 'part 2' } };
}

const fields = (payload: object) => Object.keys(payload).sort();

/** A plugin that records the payload fields each per-operation hook and callback is given. */
function fieldRecorder(seen: Map<string, string[]>): Plugin {
  return {
    onParse(payload) {
      seen.set('onParse', fields(payload));
      return (done) => void seen.set('onParse after', fields(done));
    },
    onValidate(payload) {
      seen.set('onValidate', fields(payload));
      seen.set('onValidate params', fields(payload.params));
      return (done) => void seen.set('onValidate after', fields(done));
    },
    onExecute(payload) {
      seen.set('onExecute', fields(payload));
      return {
        onExecuteDone(done) {
          seen.set('onExecuteDone', fields(done));
          return { onNext: (next) => void seen.set('onNext', fields(next)), onEnd: () => undefined };
        },
      };
    },
  };
}

/** A plugin whose fused hooks do nothing but return a callback (so that a run holds two hooks, each with one). */
const idle: Plugin = {
  onParse: () => () => undefined,
  onValidate: () => () => undefined,
  onExecute: () => ({ onExecuteDone: () => ({ onNext: () => undefined, onEnd: () => undefined }) }),
};

/** Makes the execution a stream of two parts. */
const streaming: Plugin = { onExecute: ({ setExecuteFn }) => setExecuteFn(() => twoParts()) };

describe('fuseOperationHooks', () => {
  it('gives each fused hook and callback the payload fields envelop gives it', async () => {
    const asEnvelop = new Map<string, string[]>();
    const fused = new Map<string, string[]>();
    await (await ask([streaming, fieldRecorder(asEnvelop)], '{ hello }', true)).text();
    await (await ask(fuseOperationHooks([streaming, idle, fieldRecorder(fused), idle]), '{ hello }', true)).text();
    expect([...asEnvelop.keys()].sort()).toEqual(['onExecute', 'onExecuteDone', 'onNext', 'onParse', 'onParse after', 'onValidate', 'onValidate after', 'onValidate params']);
    for (const [name, names] of asEnvelop) expect({ name, fields: fused.get(name) }).toEqual({ name, fields: names });
  });

  it('keeps one hook per run, on the run’s first plugin, and leaves a plugin with onPluginInit as it is', () => {
    const first: Plugin = { onExecute: () => undefined, onValidate: () => undefined };
    const second: Plugin = { onExecute: () => undefined, onParse: () => undefined };
    const barrier: Plugin = { onPluginInit: () => undefined, onExecute: () => undefined };
    const third: Plugin = { onExecute: () => undefined };
    const [a, b, c, d] = fuseOperationHooks([first, second, barrier, third]);
    expect(a!.onExecute).not.toBe(first.onExecute);
    expect(a!.onValidate).toBe(first.onValidate);
    expect(b).not.toHaveProperty('onExecute');
    expect(b!.onParse).toBe(second.onParse);
    expect(c).toBe(barrier);
    expect(d).toBe(third);
  });

  it('runs onExecute hooks in order, waiting for each, with executeFn as the ones before left it and the same context and args', async () => {
    const scenario = (log: string[]): Plugin[] => {
      const seen = { contexts: new Set<unknown>(), args: new Set<unknown>() };
      const hook =
        (name: string, slow: boolean): Plugin['onExecute'] =>
        ({ executeFn, setExecuteFn, context, args, extendContext }) => {
          seen.contexts.add(context);
          seen.args.add(args);
          log.push(`${name} saw ${(executeFn as { tag?: string }).tag ?? 'the engine'}, ${(context as { mark?: string }).mark ?? 'no mark'}`);
          const wrapped = Object.assign((input: Parameters<typeof executeFn>[0]) => executeFn(input), { tag: name });
          setExecuteFn(wrapped);
          extendContext({ mark: name } as object);
          if (slow) return new Promise<void>((resolve) => setTimeout(resolve, 10)).then(() => void log.push(`${name} settled`));
        };
      return [
        { onExecute: hook('a', true) },
        { onExecute: hook('b', false) },
        { onExecute: hook('c', true) },
        { onExecute: () => void log.push(`one context ${seen.contexts.size}, one args ${seen.args.size}`) },
      ];
    };
    await sameBothWays(scenario, ['a saw the engine, no mark', 'a settled', 'b saw a, a', 'c saw b, b', 'c settled', 'one context 1, one args 1']);
  });

  it('ends the walk with a hook’s error, thrown or rejected', async () => {
    for (const fail of [() => { throw new Error('refused'); }, () => Promise.reject(new Error('refused'))]) {
      const scenario = (log: string[]): Plugin[] => [
        { onExecute: () => void log.push('first') },
        { onExecute: fail },
        { onExecute: () => void log.push('after the error') },
      ];
      const answer = await sameBothWays(scenario, ['first']);
      expect(answer).toContain('refused');
    }
  });

  it('stops at setResultAndStopExecution, called at once or before the promise settles: no later hook, no execution, and the done callbacks so far still run', async () => {
    for (const later of [false, true]) {
      const scenario = (log: string[]): Plugin[] => [
        { onExecute: () => ({ onExecuteDone: ({ result }) => void log.push(`done a ${JSON.stringify(result)}`) }) },
        {
          onExecute: ({ setResultAndStopExecution }) => {
            const stop = () => {
              setResultAndStopExecution({ data: { hello: 'stopped' } });
              return { onExecuteDone: () => void log.push('done b') };
            };
            return later ? Promise.resolve().then(stop) : stop();
          },
        },
        { onExecute: () => void log.push('c ran') },
        // After the run (the barrier ends it): not run either.
        { onPluginInit: () => undefined },
        { onExecute: () => void log.push('d ran') },
      ];
      const answer = await sameBothWays(scenario, ['done a {"data":{"hello":"stopped"}}', 'done b']);
      expect(JSON.parse(answer)).toEqual({ data: { hello: 'stopped' } });
    }
  });

  it('runs onExecuteDone callbacks in order, waiting for each, each with the result the ones before left', async () => {
    const scenario = (log: string[]): Plugin[] =>
      ['a', 'b', 'c'].map((name) => ({
        onExecute: () => ({
          onExecuteDone: ({ result, setResult }) => {
            const { data } = result as ExecutionResult<{ hello: string }>;
            log.push(`${name} saw ${data!.hello}`);
            const next = { data: { hello: `${data!.hello} ${name}` } };
            return name === 'b' ? new Promise<void>((resolve) => setTimeout(resolve, 10)).then(() => setResult(next)) : setResult(next);
          },
        }),
      }));
    const answer = await sameBothWays(scenario, ['a saw world', 'b saw world a', 'c saw world a b']);
    expect(JSON.parse(answer)).toEqual({ data: { hello: 'world a b c' } });
  });

  it('runs onNext on each part of a streamed result in order, with the part as the ones before left it, and onEnd in order', async () => {
    const scenario = (log: string[]): Plugin[] => [
      streaming,
      ...['a', 'b', 'c'].map(
        (name): Plugin => ({
          onExecute: () => ({
            onExecuteDone: () => ({
              onNext: ({ result, setResult }) => {
                const part = result as ExecutionResult<{ hello: string }>;
                log.push(`${name} saw ${part.data!.hello}`);
                const next = () => setResult({ data: { hello: `${part.data!.hello} ${name}` } });
                return name === 'a' ? Promise.resolve().then(next) : next();
              },
              ...(name === 'b' ? {} : { onEnd: () => void log.push(`end ${name}`) }),
            }),
          }),
        }),
      ),
    ];
    const answer = await sameBothWays(scenario, ['a saw part 1', 'b saw part 1 a', 'c saw part 1 a b', 'a saw part 2', 'b saw part 2 a', 'c saw part 2 a b', 'end a', 'end c'], '{ hello }', true);
    expect(answer).toContain('part 2 a b c');
  });

  it('runs onParse hooks in order with parseFn as the ones before left it, and their after-callbacks with the result the ones before left', async () => {
    const scenario = (log: string[]): Plugin[] =>
      ['a', 'b', 'c'].map(
        (name): Plugin => ({
          onParse: ({ params, parseFn, setParseFn, setParsedDocument }) => {
            log.push(`${name} saw ${(parseFn as { tag?: string }).tag ?? 'the engine'}, ${String(params.source)}`);
            params.source = 'mutated';
            setParseFn(Object.assign((...input: Parameters<typeof parseFn>) => parseFn(...input), { tag: name }));
            if (name === 'b') setParsedDocument(parse('{ b: hello }'));
            return ({ result, replaceParseResult }) => {
              log.push(`after ${name} saw ${(result as ReturnType<typeof parse>).definitions.length} definitions`);
              if (name === 'a') replaceParseResult(parse('{ a: hello } query Two { hello }'));
              if (name === 'b') replaceParseResult(parse('{ b: hello }'));
            };
          },
        }),
      );
    const answer = await sameBothWays(scenario, [
      'a saw the engine, { hello }',
      'b saw a, { hello }',
      'c saw b, { hello }',
      'after a saw 1 definitions',
      'after b saw 2 definitions',
      'after c saw 1 definitions',
    ]);
    expect(JSON.parse(answer)).toEqual({ data: { b: 'world' } });
  });

  it('runs onValidate hooks in order with validateFn and the rules as the ones before left them, and their after-callbacks with the result the ones before left', async () => {
    // A rule that finds nothing, and one that refuses every document.
    const quiet = () => ({});
    const refusing = (context: { reportError(error: GraphQLError): void }) => {
      context.reportError(new GraphQLError('refused by rule'));
      return {};
    };
    const scenario = (log: string[]): Plugin[] => {
      // Yoga passes graphql's rules (and its own): counted from what the first hook saw.
      let before: number | undefined;
      return ['a', 'b', 'c', 'd'].map(
        (name): Plugin => ({
          onValidate: ({ params, validateFn, setValidationFn, addValidationRule, context }) => {
            const base = (before ??= params.rules!.length);
            log.push(`${name} saw ${(validateFn as { tag?: string }).tag ?? 'the engine'}, rules +${params.rules!.length - base}, ${(context as { mark?: string }).mark ?? 'no mark'}`);
            if (name !== 'c') setValidationFn(Object.assign((...input: Parameters<typeof validateFn>) => validateFn(...input), { tag: name }));
            if (name === 'b') addValidationRule(quiet);
            if (name === 'c') addValidationRule(refusing);
            return ({ valid, result, setResult }) => {
              log.push(`after ${name}: valid ${valid}, ${(result as GraphQLError[]).map((error) => error.message).join(', ') || 'no errors'}`);
              if (name === 'b') setResult([...(result as GraphQLError[]), new GraphQLError(`added by ${name}`)]);
            };
          },
        }),
      );
    };
    const answer = await sameBothWays(scenario, [
      'a saw the engine, rules +0, no mark',
      'b saw a, rules +0, no mark',
      'c saw b, rules +1, no mark',
      'd saw b, rules +2, no mark',
      'after a: valid false, refused by rule',
      'after b: valid false, refused by rule',
      'after c: valid false, refused by rule, added by b',
      'after d: valid false, refused by rule, added by b',
    ]);
    expect(JSON.parse(answer).errors.map((error: { message: string }) => error.message)).toEqual(['refused by rule', 'added by b']);
  });

  it('gives every hook of a run envelop’s own list of rules when it has one, and the same rules in order when it has none yet', async () => {
    const seen: (unknown[] | undefined)[] = [];
    const added = [() => ({}), () => ({})];
    const scenario = (): Plugin[] => [
      { onValidate: ({ params }) => void seen.push(params.rules) },
      { onValidate: ({ params, addValidationRule }) => void (seen.push(params.rules), addValidationRule(added[0])) },
      { onValidate: ({ params, addValidationRule }) => void (seen.push(params.rules && [...params.rules]), addValidationRule(added[1])) },
      { onValidate: ({ params }) => void seen.push(params.rules && [...params.rules]) },
    ];
    // Yoga passes rules: envelop copies them once, and every hook, fused or not, is handed that one list.
    await (await ask(fuseOperationHooks(scenario()))).text();
    const [first, second] = seen.splice(0);
    expect(first).toBe(second);
    // Envelop itself, called with no rules (as a server other than Yoga may): the same rules in the same
    // order, fused and not, and the validation runs with both added rules.
    const document = parse('{ hello }');
    const validateWith = (plugins: Plugin[]) => {
      const validated: unknown[][] = [];
      const spy: Plugin = { onValidate: ({ setValidationFn }) => setValidationFn((_schema: unknown, _document: unknown, rules?: unknown[]) => (validated.push(rules ?? []), [])) };
      const { validate } = envelop({ plugins: [useSchema(schema), spy, { onPluginInit: () => undefined }, ...plugins] })();
      validate(schema, document);
      return validated;
    };
    const plainValidated = validateWith(scenario());
    const plain = seen.splice(0);
    const fusedValidated = validateWith(fuseOperationHooks(scenario()));
    expect(seen).toEqual(plain);
    expect(plain).toEqual([undefined, undefined, [added[0]], added]);
    expect(fusedValidated).toEqual(plainValidated);
    expect(fusedValidated).toEqual([added]);
  });
});

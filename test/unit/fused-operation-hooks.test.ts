import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { parse, type ExecutionResult } from 'graphql';
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

const hookCount = (plugins: Plugin[]) => plugins.filter((plugin) => plugin.onExecute).length + plugins.filter((plugin) => plugin.onParse).length;

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
    expect([...asEnvelop.keys()].sort()).toEqual(['onExecute', 'onExecuteDone', 'onNext', 'onParse', 'onParse after']);
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
});

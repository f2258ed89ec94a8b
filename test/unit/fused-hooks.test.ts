import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { fuseRequestHooks } from '../../src/plugins/fused-hooks.ts';

const schema = createSchema({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'world' } } });
const FUSED = ['onRequest', 'onRequestParse', 'onParams', 'onResponse'] as const;

/** A POST of `{ hello }` to a Yoga with these plugins. */
function ask(plugins: Plugin[]) {
  const yoga = createYoga({ schema, plugins, logging: false });
  return yoga.fetch('http://gateway.test/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ hello }' }) });
}

/** A plugin that records the payload fields each hook is given. */
function fieldRecorder(seen: Map<string, string[]>): Plugin {
  const record = (name: string) => (payload: object) => {
    seen.set(name, Object.keys(payload).sort());
  };
  return {
    onRequest: record('onRequest'),
    onRequestParse: (payload) => {
      record('onRequestParse')(payload);
      return { onRequestParseDone: record('onRequestParseDone') };
    },
    onParams: record('onParams'),
    onResponse: record('onResponse'),
  };
}

/** A plugin with every fused hook doing nothing (so that a run holds two hooks). */
const idle: Plugin = {
  onRequest: () => undefined,
  onRequestParse: () => ({ onRequestParseDone: () => undefined }),
  onParams: () => undefined,
  onResponse: () => undefined,
};

describe('fuseRequestHooks', () => {
  it('gives each fused hook the payload fields Yoga gives it', async () => {
    const asYoga = new Map<string, string[]>();
    const fused = new Map<string, string[]>();
    await ask([fieldRecorder(asYoga)]);
    await ask(fuseRequestHooks([idle, fieldRecorder(fused)]));
    expect([...asYoga.keys()].sort()).toEqual([...FUSED, 'onRequestParseDone'].sort());
    for (const [name, fields] of asYoga) expect({ name, fields: fused.get(name) }).toEqual({ name, fields });
  });

  it('keeps one hook per run, on the run’s first plugin, and leaves a plugin with onPluginInit as it is', () => {
    const first: Plugin = { onRequest: () => undefined, onExecute: () => undefined };
    const second: Plugin = { onRequest: () => undefined, onResponse: () => undefined };
    const barrier: Plugin = { onPluginInit: () => undefined, onRequest: () => undefined };
    const third: Plugin = { onRequest: () => undefined };
    const fourth: Plugin = { onResponse: () => undefined };
    const [a, b, c, d, e] = fuseRequestHooks([first, second, false, barrier, third, fourth]) as Plugin[];
    expect(a!.onRequest).not.toBe(first.onRequest);
    expect(a!.onExecute).toBe(first.onExecute);
    expect(b).not.toHaveProperty('onRequest');
    // The barrier ends every run, even of a hook it does not have (what it adds goes right after it).
    expect(b!.onResponse).toBe(second.onResponse);
    expect(c).toBe(barrier);
    expect(d).toBe(third);
    expect(e).toBe(fourth);
  });

  it('runs the hooks in order, each seeing what the ones before it set, and Yoga sees the last', async () => {
    const order: string[] = [];
    const tag = (name: string): Plugin => ({
      onResponse({ response, setResponse }) {
        order.push(`${name} saw ${response.headers.get('x-tag') ?? 'none'}`);
        setResponse(new Response(response.body, { status: response.status, headers: { 'x-tag': name } }));
      },
    });
    const response = await ask(fuseRequestHooks([tag('a'), tag('b'), tag('c')]));
    expect(order).toEqual(['a saw none', 'b saw a', 'c saw b']);
    expect(response.headers.get('x-tag')).toBe('c');
    expect(await response.json()).toEqual({ data: { hello: 'world' } });
  });

  it('passes the request parser each hook set on to the next, and the parse result through each onRequestParseDone', async () => {
    const order: string[] = [];
    const wrap = (name: string): Plugin => ({
      onRequestParse({ requestParser, setRequestParser }) {
        const parse = requestParser!;
        setRequestParser(async (request) => {
          order.push(`parse ${name}`);
          return parse(request);
        });
        return {
          onRequestParseDone({ requestParserResult, setRequestParserResult }) {
            const params = requestParserResult as { query: string };
            order.push(`done ${name} ${params.query}`);
            setRequestParserResult({ ...params, query: `{ hello ${name}: hello }` });
          },
        };
      },
    });
    const response = await ask(fuseRequestHooks([wrap('a'), wrap('b')]));
    expect(order).toEqual(['parse b', 'parse a', 'done a { hello }', 'done b { hello a: hello }']);
    expect(await response.json()).toEqual({ data: { hello: 'world', b: 'world' } });
  });

  it('waits for a hook’s promise before the next, and runs no hook after endResponse', async () => {
    const order: string[] = [];
    const plugins: Plugin[] = [
      {
        onRequest: () =>
          new Promise<void>((resolve) =>
            setTimeout(() => {
              order.push('slow');
              resolve();
            }, 20),
          ),
      },
      { onRequest: ({ endResponse }) => Promise.resolve().then(() => endResponse(new Response('early', { status: 418 }))) },
      { onRequest: () => void order.push('after the end') },
    ];
    const response = await ask(fuseRequestHooks(plugins));
    expect(response.status).toBe(418);
    expect(await response.text()).toBe('early');
    expect(order).toEqual(['slow']);
  });

  it('ends the walk with a hook’s error', async () => {
    const order: string[] = [];
    const plugins: Plugin[] = [
      {
        onParams: () => {
          throw new Error('refused');
        },
      },
      { onParams: () => void order.push('after the error') },
    ];
    const response = await ask(fuseRequestHooks(plugins));
    expect(response.status).toBe(500);
    expect(order).toEqual([]);
  });
});

/**
 * Every import runs down the house, and no files import each other in a circle, not even through
 * `import type` (issue #11; the drawing is ../shared/design/ARCHITECTURE.md). A new file under `src/`
 * must be placed in a room below, or this test fails.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { findCycles, importSpecifiers, layerViolations, mayImport, readImportGraph, roomOf, type ImportGraph, type Room } from './utils/import-graph.ts';

/**
 * The rooms. A file belongs to the room of its most specific pattern (a file name beats a folder, a
 * deeper folder a shallower one: `src/datasources/http.ts` is http, the rest of the folder datasources).
 *
 * - ranked, top to bottom: each may import the ranked rooms below it, and every side, contracts and
 *   base room; never one above.
 * - side, beside the ranked rooms (any of them may import these): each may import the side rooms
 *   below it, contracts and base; never a ranked room.
 * - contracts: anyone may import them; they import only contracts and base.
 * - base: anyone may import it; it imports only base.
 * - apart: imports only itself, contracts and base; only main (the top room) imports it (tests,
 *   benchmarks and scripts too, but they are not checked here).
 */
const HOUSE: readonly Room[] = [
  // name            tier          files
  { name: 'main',        tier: 'ranked',    files: ['src/main.ts'] },
  { name: 'server',      tier: 'ranked',    files: ['src/server.ts', 'src/graphql-ws.ts', 'src/graphql-ws-drain.ts', 'src/graphql-ws-socket.ts', 'src/shutdown.ts'] },
  { name: 'gateway',     tier: 'ranked',    files: ['src/gateway.ts', 'src/examples.ts'] },
  { name: 'plugins',     tier: 'ranked',    files: ['src/plugins/**'] },
  { name: 'context',     tier: 'ranked',    files: ['src/context.ts', 'src/context/**', 'src/operation-budget.ts', 'src/subscription-context.ts'] },
  { name: 'schema',      tier: 'ranked',    files: ['src/schema/**'] },
  { name: 'loaders',     tier: 'ranked',    files: ['src/loaders/**'] },
  { name: 'datasources', tier: 'ranked',    files: ['src/datasources/**'] },
  { name: 'http',        tier: 'ranked',    files: ['src/datasources/http.ts', 'src/datasources/http/**'] },
  { name: 'webhooks',    tier: 'side',      files: ['src/webhooks/**'] },
  { name: 'auth',        tier: 'side',      files: ['src/auth/**'] },
  { name: 'telemetry',   tier: 'side',      files: ['src/telemetry/**', 'src/metrics.ts', 'src/logger.ts'] },
  { name: 'contracts',   tier: 'contracts', files: ['src/contracts/**'] },
  { name: 'base',        tier: 'base',      files: ['src/errors.ts', 'src/config.ts', 'src/version.ts', 'src/object-slots.ts', 'src/request-id.ts'] },
  { name: 'sandbox',     tier: 'apart',     files: ['src/sandbox/**'] },
];

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('architecture', () => {
  // Read once: every file of src/, scanned for its imports only (the generated contracts too).
  let graph: ImportGraph;
  beforeAll(() => {
    graph = readImportGraph(ROOT);
  });

  it('places every file of src/ in a room', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(layerViolations(graph, HOUSE).unplaced).toEqual([]);
  });

  it('has no import from a lower room to a higher one', () => {
    expect(layerViolations(graph, HOUSE).violations).toEqual([]);
  });

  it('has no import circle', () => {
    expect(findCycles(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
  });
});

describe('architecture checker', () => {
  const room = (file: string) => roomOf(HOUSE, file)!.name;
  const allowed = (from: string, to: string) => mayImport(HOUSE, roomOf(HOUSE, from)!, roomOf(HOUSE, to)!);

  it('sees every kind of import: type-only, re-exports, dynamic and in types, but not in comments or strings', () => {
    const text = [
      "import type { A } from './a.ts';",
      "export { B } from './b.ts';",
      "export * from './c.ts';",
      "const d = await import('./d.ts');",
      "type E = import('./e.ts').E;",
      "// import { F } from './f.ts';",
      "const g = \"import { G } from './g.ts'\";",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual(['./a.ts', './b.ts', './c.ts', './d.ts', './e.ts']);
  });

  it('places a file by its most specific pattern', () => {
    expect(room('src/datasources/http.ts')).toBe('http');
    expect(room('src/datasources/http/breaker.ts')).toBe('http');
    expect(room('src/datasources/rest-client.ts')).toBe('datasources');
    expect(room('src/context/budget.ts')).toBe('context');
    expect(roomOf(HOUSE, 'src/somewhere-new.ts')).toBeUndefined();
  });

  it.each([
    ['src/gateway.ts', 'src/schema/index.ts', true],
    ['src/schema/accounts.ts', 'src/plugins/operation-budget.ts', false],
    ['src/datasources/rest-client.ts', 'src/datasources/http.ts', true],
    ['src/datasources/http.ts', 'src/datasources/rest-client.ts', false],
    ['src/plugins/gateway-metrics.ts', 'src/webhooks/ingress.ts', true],
    ['src/webhooks/ingress.ts', 'src/plugins/gateway-metrics.ts', false],
    ['src/webhooks/ingress.ts', 'src/auth/authenticate.ts', true],
    ['src/auth/authenticate.ts', 'src/webhooks/ingress.ts', false],
    ['src/metrics.ts', 'src/plugins/gateway-metrics.ts', false],
    ['src/logger.ts', 'src/errors.ts', true],
    ['src/errors.ts', 'src/logger.ts', false],
    ['src/contracts/contract.ts', 'src/errors.ts', true],
    ['src/contracts/contract.ts', 'src/logger.ts', false],
    ['src/sandbox/server.ts', 'src/contracts/contract.ts', true],
    ['src/sandbox/server.ts', 'src/errors.ts', true],
    ['src/sandbox/server.ts', 'src/logger.ts', false],
    ['src/main.ts', 'src/sandbox/index.ts', true],
    ['src/server.ts', 'src/sandbox/index.ts', false],
  ])('%s may import %s: %s', (from, to, expected) => {
    expect(allowed(from, to)).toBe(expected);
  });

  it('reports an upward import, naming both files and both rooms', () => {
    const graph: ImportGraph = new Map([
      ['src/datasources/rest-client.ts', ['src/plugins/operation-budget.ts', 'src/datasources/http.ts']],
      ['src/plugins/operation-budget.ts', []],
      ['src/datasources/http.ts', []],
      ['src/unplaced.ts', []],
    ]);
    expect(layerViolations(graph, HOUSE)).toEqual({
      unplaced: ['src/unplaced.ts'],
      violations: ['src/datasources/rest-client.ts → src/plugins/operation-budget.ts (room datasources may not import room plugins)'],
    });
  });

  it('reports a circle of three files once, as a path, and a file importing itself', () => {
    const graph: ImportGraph = new Map([
      ['src/sandbox/handlers/stores.ts', ['src/sandbox/handlers/account-builder.ts']],
      ['src/sandbox/handlers/account-builder.ts', ['src/sandbox/handlers/onboarding-rules.ts']],
      ['src/sandbox/handlers/onboarding-rules.ts', ['src/sandbox/handlers/stores.ts', 'src/sandbox/state.ts']],
      ['src/sandbox/state.ts', []],
      ['src/schema/loop.ts', ['src/schema/loop.ts']],
    ]);
    expect(findCycles(graph).map((cycle) => cycle.join(' → '))).toEqual([
      'src/sandbox/handlers/account-builder.ts → src/sandbox/handlers/onboarding-rules.ts → src/sandbox/handlers/stores.ts → src/sandbox/handlers/account-builder.ts',
      'src/schema/loop.ts → src/schema/loop.ts',
    ]);
  });
});

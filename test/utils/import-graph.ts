/**
 * The import graph of `src/` and the two checks the architecture test makes on it: that every import
 * runs down the house's rooms, and that no files import each other in a circle.
 *
 * Every dependency counts, as TypeScript's own scanner (`ts.preProcessFile`) finds it: `import`,
 * `import type`, `export … from`, `import()` (in code or in a type), `require`. Relative specifiers are
 * resolved to files; packages and `node:` modules are not ours and are left out.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** File → the files it imports, as paths from the repository root with `/` (`src/schema/accounts.ts`). */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

const SOURCE = /\.(?:[cm]?ts|tsx|[cm]?js)$/;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory)
    .sort()
    .flatMap((name) => {
      const file = path.join(directory, name);
      if (statSync(file).isDirectory()) return sourceFiles(file);
      return SOURCE.test(name) ? [file] : [];
    });
}

/** The file a relative specifier names: as written, `.js` written for `.ts`, or without extension. */
function resolveRelative(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [base, base.replace(/\.([cm]?)js$/, '.$1ts'), `${base}.ts`, path.join(base, 'index.ts')];
  return candidates.find((file) => existsSync(file) && statSync(file).isFile());
}

/** The specifiers a source text depends on (TypeScript's scanner: comments and strings are skipped). */
export function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
}

/**
 * The graph of every source file under `rootDir/sourceDir`, with its imports of files in that folder.
 * A relative import that names no file is an error (it would not compile either).
 */
export function readImportGraph(rootDir: string, sourceDir = 'src'): ImportGraph {
  const relative = (file: string) => path.relative(rootDir, file).split(path.sep).join('/');
  const inside = path.resolve(rootDir, sourceDir) + path.sep;
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(path.resolve(rootDir, sourceDir))) {
    const targets = new Set<string>();
    for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      const target = resolveRelative(file, specifier);
      if (!target) throw new Error(`${relative(file)} imports ${specifier}, which names no file`);
      if (target.startsWith(inside)) targets.add(relative(target));
    }
    graph.set(relative(file), [...targets].sort());
  }
  return graph;
}

/**
 * The import circles of a graph, each as a path that ends where it starts (`a → b → c → a`): for
 * every file on a circle, the shortest circle through it, each circle once. A file importing itself
 * is a circle too.
 */
export function findCycles(graph: ImportGraph): string[][] {
  const seen = new Set<string>();
  const cycles: string[][] = [];
  for (const start of [...graph.keys()].sort()) {
    const cycle = shortestCycleThrough(graph, start);
    if (!cycle) continue;
    // The same circle found from another of its files is the same circle, rotated.
    const members = cycle.slice(0, -1);
    const first = members.indexOf([...members].sort()[0]!);
    const key = [...members.slice(first), ...members.slice(0, first)].join(' → ');
    if (seen.has(key)) continue;
    seen.add(key);
    cycles.push(cycle);
  }
  return cycles;
}

/** Breadth first from `start`'s imports back to `start`: the shortest circle through it, if any. */
function shortestCycleThrough(graph: ImportGraph, start: string): string[] | undefined {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i += 1) {
    const file = queue[i]!;
    for (const target of graph.get(file) ?? []) {
      if (target === start) {
        const route = [file];
        while (route[0] !== start) route.unshift(previous.get(route[0]!)!);
        return [...route, start];
      }
      if (previous.has(target)) continue;
      previous.set(target, file);
      queue.push(target);
    }
  }
  return undefined;
}

/**
 * How a room relates to the others (see the table in `test/architecture.test.ts`):
 * - `ranked`: the rooms a request goes down, top first. Each imports the ranked rooms below it and
 *   every `side`, `contracts` and `base` room.
 * - `side`: beside the ranked rooms, any of which may import them; each imports the side rooms listed
 *   after it, `contracts` and `base`, and no ranked room.
 * - `contracts`: importable by all; imports only `contracts` and `base`.
 * - `base`: importable by all; imports only `base`.
 * - `apart`: imports only itself, `contracts` and `base`; only the top ranked room (the entry point)
 *   imports it.
 */
export type Tier = 'ranked' | 'side' | 'contracts' | 'base' | 'apart';

export interface Room {
  name: string;
  tier: Tier;
  /** Files (`src/main.ts`) and folders (`src/schema/**`, everything under it). */
  files: readonly string[];
}

/** How closely a pattern names a file (a file name beats any folder, a deeper folder a shallower), or -1. */
function specificity(pattern: string, file: string): number {
  if (!pattern.endsWith('/**')) return pattern === file ? Number.MAX_SAFE_INTEGER : -1;
  const folder = pattern.slice(0, -2);
  return file.startsWith(folder) ? folder.length : -1;
}

/** The room of a file: the one with its most specific pattern. Undefined: the house does not place it. */
export function roomOf(house: readonly Room[], file: string): Room | undefined {
  let best: { room: Room; score: number } | undefined;
  for (const room of house) {
    for (const pattern of room.files) {
      const score = specificity(pattern, file);
      if (score < 0) continue;
      if (best && score === best.score && best.room !== room) throw new Error(`${file} is placed in both ${best.room.name} and ${room.name}`);
      if (!best || score > best.score) best = { room, score };
    }
  }
  return best?.room;
}

/** Whether a file of room `from` may import a file of room `to` (the rules of `Tier`). */
export function mayImport(house: readonly Room[], from: Room, to: Room): boolean {
  if (from === to || to.tier === 'base') return true;
  if (from.tier === 'base') return false;
  if (to.tier === 'contracts') return true;
  if (to.tier === 'apart') return from === house.find((room) => room.tier === 'ranked');
  if (from.tier === 'contracts' || from.tier === 'apart') return false;
  const below = (tier: Tier) => house.indexOf(to) > house.indexOf(from) && from.tier === tier && to.tier === tier;
  if (to.tier === 'side') return from.tier === 'ranked' || below('side');
  return below('ranked');
}

export interface LayerReport {
  /** Files the house does not place in any room. */
  unplaced: string[];
  /** `src/a.ts → src/b.ts (room A may not import room B)`, one per offending import. */
  violations: string[];
}

export function layerViolations(graph: ImportGraph, house: readonly Room[]): LayerReport {
  const unplaced: string[] = [];
  const violations: string[] = [];
  for (const [file, targets] of graph) {
    const from = roomOf(house, file);
    if (!from) {
      unplaced.push(file);
      continue;
    }
    for (const target of targets) {
      const to = roomOf(house, target);
      if (to && !mayImport(house, from, to)) violations.push(`${file} → ${target} (room ${from.name} may not import room ${to.name})`);
    }
  }
  return { unplaced, violations };
}

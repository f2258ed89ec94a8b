/**
 * The production build: `tsconfig.build.json` compiles src/ to plain JavaScript that runs under
 * `node main.js` with no tsx, laid out as the Docker image lays it out (package.json, node_modules,
 * openapi/ and dist/ side by side: src/contracts/contract.ts reads `../../openapi/*.yaml` at run time).
 * It builds into a temporary directory, not dist/, so it never collides with `npm run build`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const QUERY = '{ account(id: "krn:partner:global:account:live:LWT2XJSE") { name } }';

/** Starts `node dist/main.js` with a clean environment (no NODE_OPTIONS, no tsx) and waits for its URL. */
function startCompiled(root: string): Promise<{ child: ChildProcess; graphqlUrl: string; output: () => string }> {
  // Only what the gateway needs: embedded sandbox (no Klarna URL), in-process events (no REDIS_URL).
  const env = { PATH: process.env.PATH ?? '', NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  const child = spawn(process.execPath, [join(root, 'dist', 'main.js')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed within 120 s:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Klarna Partner Gateway: (http:\/\/\S+\/graphql)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, graphqlUrl: match[1]!, output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node dist/main.js exited with ${code} before listening:\n${output}`));
    });
  });
}

function emittedFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js')).map((file) => join(dir, file));
}

describe('production build', () => {
  const root = mkdtempSync(join(tmpdir(), 'gateway-build-'));
  let running: Awaited<ReturnType<typeof startCompiled>> | undefined;

  beforeAll(async () => {
    cpSync(join(repo, 'package.json'), join(root, 'package.json')); // `"type": "module"` for dist/*.js
    cpSync(join(repo, 'openapi'), join(root, 'openapi'), { recursive: true });
    symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
    const tsc = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', join(repo, 'tsconfig.build.json'), '--outDir', join(root, 'dist')], {
      cwd: repo,
      encoding: 'utf8',
    });
    if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed:\n${tsc.stdout}${tsc.stderr}`);
    running = await startCompiled(root);
    // tsc over all of src/ and a cold start: minutes on a throttled CI machine. The limit catches a hang.
  }, 400_000);

  afterAll(() => {
    if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('compiles every source to JavaScript whose relative imports name .js files', () => {
    expect(existsSync(join(root, 'dist', 'main.js'))).toBe(true);
    expect(existsSync(join(root, 'dist', 'contracts', 'contract.js'))).toBe(true);
    const tsImports = emittedFiles(join(root, 'dist')).filter((file) => /from '\.{1,2}\/[^']*\.ts'/.test(readFileSync(file, 'utf8')));
    expect(tsImports).toEqual([]);
  });

  it('serves the docs-sample account query from the compiled main.js under plain node', async () => {
    const response = await request(running!.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: QUERY }),
    });
    expect(response.statusCode).toBe(200);
    expect(await response.body.json()).toEqual({ data: { account: { name: 'Merchant ABC US' } } });
  });

  it('answers /health, the check the Docker HEALTHCHECK makes', async () => {
    const response = await request(new URL('/health', running!.graphqlUrl));
    expect(response.statusCode).toBe(200);
    expect(await response.body.json()).toEqual({ status: 'ok' });
  });

  it('tells a browser that opens /graphql that GraphiQL is off and how to query (production, as in the image)', async () => {
    const response = await request(running!.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(response.statusCode).toBe(406);
    expect(await response.body.text()).toContain('GRAPHIQL=true');
  });

  it('exits with code 0 on SIGTERM, as `docker stop` sends it', async () => {
    const child = running!.child;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited, running!.output()).toBe(0);
  });
});

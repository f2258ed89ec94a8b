/**
 * Starting on a port something else holds: `npm start` and `npm run sandbox` end with one line that
 * names the variable to change (PORT, SANDBOX_PORT) and a non-zero exit code; no stack trace, and no
 * graphql-ws "Internal error emitted on the WebSocket server".
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `node --import tsx <script>` to its end with `env` (and no Klarna URL, no Redis). */
function run(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = { PATH: process.env.PATH ?? '', ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}) };
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: repo,
    env: { ...base, NODE_ENV: 'development', HOST: '127.0.0.1', LOG_LEVEL: 'silent', SANDBOX_ACCOUNTS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    // Only a hang reaches this: the process must end by itself.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not exit:\n${stdout}${stderr}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function expectOneLineNaming(result: { code: number | null; stdout: string; stderr: string }, variable: string) {
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toContain('already in use');
  expect(lines[0]).toMatch(new RegExp(`set ${variable} to another port`));
  const output = result.stdout + result.stderr;
  expect(output).not.toContain('Internal error emitted on the WebSocket server');
  expect(output).not.toMatch(/\n\s+at \S/); // no stack frame
}

describe('a port that is taken', () => {
  let holder: Server;
  let port: number;

  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    port = (holder.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  it('stops `npm start` with one line naming PORT and exit code 1', async () => {
    expectOneLineNaming(await run('src/main.ts', { PORT: String(port) }), 'PORT');
  }, 90_000);

  it("stops `npm start` with one line naming SANDBOX_PORT when the embedded sandbox's port is taken", async () => {
    expectOneLineNaming(await run('src/main.ts', { PORT: '0', SANDBOX_PORT: String(port) }), 'SANDBOX_PORT');
  }, 90_000);

  it('stops `npm run sandbox` with one line naming SANDBOX_PORT and exit code 1', async () => {
    expectOneLineNaming(await run('src/sandbox/cli.ts', { SANDBOX_PORT: String(port) }), 'SANDBOX_PORT');
  }, 90_000);
});

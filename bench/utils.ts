/** Shared benchmark plumbing: child processes on loopback, autocannon runs, and number printing. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { request } from 'undici';

const root = fileURLToPath(new URL('../', import.meta.url));

// Children still running when the bench exits (an error, or SIGINT/SIGTERM to the bench alone) get
// SIGTERM, so no server outlives the run. `finally` blocks stop them in order on the normal path.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGTERM');
});
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) process.once(signal, () => process.exit(code));

/**
 * Starts a TypeScript entry point in its own process and resolves with the URL it prints. A child that
 * neither prints it nor exits within `timeoutMs` is killed, so a broken start never hangs the bench.
 * With `stdoutFile`, the child's stdout (its logs) goes to that file rather than through the bench, and
 * the URL is read from the file; `nodeArgs` replace `--import tsx` (e.g. `[]` for a built `dist/` entry).
 * `cwd` (default: this checkout) is where the child runs and what a relative `entry` is resolved against.
 */
export async function startProcess(
  entry: string,
  env: Record<string, string>,
  urlPattern: RegExp,
  timeoutMs = 30_000,
  { stdoutFile, nodeArgs = ['--import', 'tsx'], cwd = root }: { stdoutFile?: string; nodeArgs?: string[]; cwd?: string } = {},
): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const file = stdoutFile ? openSync(stdoutFile, 'w') : undefined;
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', file ?? 'pipe', 'inherit'],
  });
  if (file !== undefined) closeSync(file); // the child holds its own copy
  live.add(child);
  child.once('exit', () => live.delete(child));
  // Everything the child writes to stdout (its logs too), for a report when something goes wrong.
  let piped = '';
  const output = () => (stdoutFile ? readFileSync(stdoutFile, 'utf8') : piped);
  const url = await new Promise<string>((resolve, reject) => {
    let poll: NodeJS.Timeout | undefined;
    const check = () => {
      const found = urlPattern.exec(output());
      if (!found?.[1]) return;
      clearTimeout(timer);
      clearInterval(poll);
      resolve(found[1]);
    };
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`${entry} printed no URL within ${timeoutMs} ms:\n${output()}`));
      void stopProcess(child);
    }, timeoutMs);
    if (stdoutFile) poll = setInterval(check, 50);
    else {
      child.stdout!.on('data', (chunk: Buffer) => {
        piped += chunk.toString();
        check();
      });
    }
    child.once('exit', (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`${entry} exited with ${code} before listening:\n${output()}`));
    });
  });
  return { url, child, output };
}

/** SIGTERM, then SIGKILL if the child has not exited after `graceMs`; resolves once it has exited. */
export function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface LoadResult {
  requestsPerSecond: number;
  /** Requests completed during the run, and how long it took. */
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/**
 * A keep-alive load at the given concurrency (autocannon, pipelining 1): for `durationSeconds`, or until
 * `amount` requests have been answered. A timed run ends by dropping the requests still in flight; a
 * counted run lets every request finish, which matters when the server reacts to dropped requests.
 */
export async function load(options: {
  url: string;
  connections: number;
  durationSeconds?: number;
  amount?: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}): Promise<LoadResult> {
  // The run's length is measured up to its last answer: a counted run only ends on autocannon's next
  // one-second sample tick, and its own `duration` includes that idle tail.
  const started = performance.now();
  let lastAnswer = started;
  // Without a callback autocannon returns its tracker (an EventEmitter) made thenable; the types only
  // know the promise.
  const run = autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationSeconds ?? 5 }),
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ...(options.body ? { body: options.body } : {}),
  }) as Promise<autocannon.Result> & autocannon.Instance;
  run.on('response', () => {
    lastAnswer = performance.now();
  });
  const result = await run;
  return {
    requestsPerSecond: Math.round(result.requests.average),
    requests: result.requests.total,
    seconds: (lastAnswer - started) / 1000,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** Sends a JSON body (or none) and parses the JSON answer; throws on a non-2xx status. */
export async function fetchJson<T>(url: string, method: 'GET' | 'POST' | 'DELETE', body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await request(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.body.text();
  if (response.statusCode < 200 || response.statusCode >= 300) throw new Error(`${method} ${url} answered ${response.statusCode}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface SequentialResult {
  requests: number;
  /** Milliseconds, to 0.1 ms (autocannon's histogram only has whole milliseconds). */
  p50: number;
  p99: number;
  failures: number;
}

/** One timed exchange of a `sequential` run (it may make several requests at once); resolves with its HTTP status. */
export type SequentialSend = () => Promise<number>;

/** A request to time, again and again: resolves with its status once the body is read. */
export const exchange =
  (url: string, options: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {}): SequentialSend =>
  async () => {
    const response = await request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, ...(options.body ? { body: options.body } : {}) });
    await response.body.dump();
    return response.statusCode;
  };

/**
 * Concurrency 1: one request after another over one keep-alive connection for `durationSeconds` (or one
 * `send` after another), each timed with `performance.now()`. Used where whole-millisecond resolution
 * would hide the answer.
 */
export async function sequential(
  options: { url: string; durationSeconds: number; method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } | { send: SequentialSend; durationSeconds: number },
): Promise<SequentialResult> {
  const send = 'send' in options ? options.send : exchange(options.url, options);
  const samples: number[] = [];
  let failures = 0;
  const until = performance.now() + options.durationSeconds * 1000;
  while (performance.now() < until) {
    const started = performance.now();
    const status = await send();
    samples.push(performance.now() - started);
    if (status < 200 || status >= 300) failures += 1;
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => Math.round(samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]! * 10) / 10;
  return { requests: samples.length, p50: at(0.5), p99: at(0.99), failures };
}

export function printTable(title: string, rows: Record<string, string | number>[]): void {
  console.log(`\n${title}`);
  console.table(rows);
}

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) the process has used so far, in ms, from `/proc/<pid>/stat` (Linux). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "pid (comm) ": [0] is field 3 (state), so utime (field 14) and stime (15) are [11] and [12].
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

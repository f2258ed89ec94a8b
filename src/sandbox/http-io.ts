/**
 * The sandbox's HTTP plumbing: reading bodies (with a size cap), parsing JSON as Klarna does, Basic
 * authentication, and writing results (JSON, streams, or slowly when a fault says so).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { SandboxError } from './errors.ts';
import type { HandlerResult } from './handler.ts';
import type { Principal, SandboxState } from './state.ts';

const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** An answer outside Klarna's error format (routing, admin routes), thrown to the request's top. */
export class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new SandboxError(413, 'INPUT_ERROR', 'PAYLOAD_TOO_LARGE', 'The request body is too large.'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export function parseJsonBody(raw: Buffer, contentType: string | undefined): unknown {
  if (!raw.length) return undefined;
  if (contentType && !/^application\/(.+\+)?json\b/i.test(contentType)) {
    throw new SandboxError(400, 'INPUT_ERROR', 'INVALID_CONTENT_TYPE', 'The request body must be application/json.');
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new SandboxError(
      400,
      'INPUT_ERROR',
      'INVALID_CONTENT_TYPE',
      'The received input is not valid JSON. Please check the request body and try again.',
    );
  }
}

/** The principal behind `Authorization: Basic <api key>` (or the key inside base64 `user:password`). */
export function authenticate(state: SandboxState, header: string | undefined): Principal | undefined {
  const token = /^Basic\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
  if (!token) return undefined;
  const candidates = [token];
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  if (decoded.includes(':')) {
    const [user = '', ...rest] = decoded.split(':');
    candidates.push(decoded, user, rest.join(':'));
  }
  for (const candidate of candidates) {
    const principalId = state.principalBySecret.get(candidate);
    if (principalId) return state.principals.get(principalId);
  }
  return undefined;
}

/** Resolves when `response` can take more, or is gone (a client that left never drains it). */
function drainedOrClosed(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

export async function writeResult(
  response: ServerResponse,
  result: HandlerResult,
  extraHeaders: Record<string, string>,
  slowBodyMs: number,
): Promise<void> {
  const headers = { ...extraHeaders, ...(result.headers ?? {}) };
  if ('stream' in result) {
    response.writeHead(result.status, { ...headers, 'content-type': result.contentType });
    // A slow body (`slowBodyMs`) waits a fifth of it after every chunk (the headers and the first chunk
    // go at once): a streamed body of many chunks takes many times that, as a stalling download does.
    for await (const chunk of result.stream) {
      if (response.destroyed) break; // the client went away: stop rendering (the stream is destroyed by the break)
      if (!response.write(chunk)) await drainedOrClosed(response);
      if (slowBodyMs > 0) await sleep(slowBodyMs / 5);
    }
    response.end();
    return;
  }
  if (result.body === undefined) {
    response.writeHead(result.status, headers);
    response.end();
    return;
  }
  const payload = Buffer.from(JSON.stringify(result.body));
  response.writeHead(result.status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(payload.length),
  });
  if (slowBodyMs <= 0) {
    response.end(payload);
    return;
  }
  const pieces = 5;
  const pieceSize = Math.ceil(payload.length / pieces);
  for (let offset = 0; offset < payload.length; offset += pieceSize) {
    response.write(payload.subarray(offset, offset + pieceSize));
    await sleep(slowBodyMs / pieces);
  }
  response.end();
}

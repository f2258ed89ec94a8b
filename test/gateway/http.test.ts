/** GraphQL over HTTP as the spec says, plus the gateway's own endpoints. */
import { serverAudits } from 'graphql-http';
import { fetch, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { gql, useGateway } from '../utils/gateway.ts';

describe('GraphQL over HTTP', () => {
  const context = useGateway();

  for (const audit of serverAudits({ url: () => context.gateway.graphqlUrl, fetchFn: fetch })) {
    it(`audit: ${audit.name}`, async () => {
      const result = await audit.fn();
      if (result.status === 'error') expect.fail(result.reason);
    });
  }

  it('answers a query sent with GET', async () => {
    const query = encodeURIComponent('{ account(id: "krn:partner:global:account:live:LWT2XJSE") { name } }');
    const response = await request(`${context.gateway.graphqlUrl}?query=${query}`, { headers: { accept: 'application/graphql-response+json' } });
    expect(response.statusCode).toBe(200);
    expect(await response.body.json()).toEqual({ data: { account: { name: 'Merchant ABC US' } } });
  });

  it('counts upstream calls by operation and outcome with latency histograms at /metrics', async () => {
    await gql(context.gateway, '{ account(id: "krn:partner:global:account:live:LWT2XJSE") { name } }');
    const response = await request(`${context.gateway.url}/metrics`);
    const text = await response.body.text();
    expect(response.statusCode).toBe(200);
    expect(text).toMatch(/klarna_upstream_requests_total\{api="Partner Management API",operation="getAccount",outcome="200"\} [1-9]/);
    expect(text).toMatch(/klarna_upstream_request_duration_seconds_bucket\{le="0\.1",api="Partner Management API",operation="getAccount"\} [1-9]/);
  });

  it('answers /health with JSON { status: "ok" }, never cached', async () => {
    const response = await request(`${context.gateway.url}/health`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(await response.body.json()).toEqual({ status: 'ok' });
  });

  it('serves GraphiQL as one page with no assets from the network, opening on the Dashboard query', async () => {
    const response = await request(context.gateway.graphqlUrl, { headers: { accept: 'text/html' } });
    const html = await response.body.text();
    expect(response.statusCode).toBe(200);
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/i);
    expect(html).not.toMatch(/<link[^>]+href=["']https?:/i);
    expect(html).not.toContain('unpkg.com');
    expect(html).toContain('query Dashboard');
  });
});

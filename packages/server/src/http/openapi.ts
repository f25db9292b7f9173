/** OpenAPI 3.1 document generated from the route table and the protocol's zod schemas. */
import { ErrorBody, SUCCESS_CODE } from '@liveface/protocol';
import { z } from 'zod';
import type { AnyRoute } from './route.js';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

const SECURITY: Record<AnyRoute['auth'], object[]> = {
  none: [],
  key: [{ APIKeyHeader: [] }],
  token: [{ HTTPBearer: [] }],
  key_or_token: [{ APIKeyHeader: [] }, { HTTPBearer: [] }],
};

/** Builds the OpenAPI document for `routes`. */
export function openApiDocument(routes: readonly AnyRoute[], version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const r of routes) {
    if (r.raw) continue;
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const params = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const query = r.query
      ? Object.entries((json(r.query) as { properties?: Record<string, object> }).properties ?? {}).map(
          ([name, schema]) => ({ name, in: 'query', schema }),
        )
      : [];
    const data = r.response ? json(r.response) : { type: 'null' };
    (paths[path] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
      tags: [r.tag],
      security: SECURITY[r.auth],
      parameters: [...params, ...query],
      ...(r.body
        ? { requestBody: { required: false, content: { 'application/json': { schema: json(r.body) } } } }
        : {}),
      responses: {
        200: {
          description: 'Success',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['code', 'message', 'data'],
                properties: { code: { const: SUCCESS_CODE }, message: { type: 'string' }, data },
              },
            },
          },
        },
        default: { description: 'Error', content: { 'application/json': { schema: json(ErrorBody) } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Liveface API',
      version,
      description: 'LiveAvatar-compatible session API. See docs/compat.md for every compatibility choice.',
      license: { name: 'Apache-2.0' },
    },
    components: {
      securitySchemes: {
        APIKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-KEY' },
        HTTPBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
    paths,
  };
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A readable, dependency-free HTML page of the API, rendered from the same route table. */
export function docsPage(routes: readonly AnyRoute[]): string {
  const rows = routes
    .filter((r) => !r.raw)
    .map((r) => {
      const body = r.body
        ? `<details><summary>body</summary><pre>${esc(JSON.stringify(json(r.body), null, 2))}</pre></details>`
        : '';
      const data = r.response
        ? `<details><summary>data</summary><pre>${esc(JSON.stringify(json(r.response), null, 2))}</pre></details>`
        : '';
      return `<section><h3><span class="m ${r.method}">${r.method}</span> <code>${esc(r.path)}</code></h3>
<p>${esc(r.summary)} <em>Auth: ${r.auth.replace(/_/g, ' ')}.</em></p>${body}${data}</section>`;
    })
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Liveface API</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:900px;margin:2em auto;padding:0 1em;color:#1d2330}
h3{margin:.2em 0}section{border-top:1px solid #e3e6ec;padding:.8em 0}pre{background:#f5f7fa;padding:.8em;overflow:auto;font-size:12px}
.m{display:inline-block;min-width:4.5em;font-size:12px;padding:2px 6px;border-radius:4px;color:#fff;background:#555;text-align:center}
.GET{background:#2f7d4f}.POST{background:#2d5fa8}.PATCH{background:#a86b2d}.DELETE{background:#a82d3c}</style></head>
<body><h1>Liveface API</h1>
<p>Every JSON answer is <code>{"code": 1000, "message": "success", "data": …}</code>; errors carry a stable
<code>data.error</code> code. Machine-readable: <a href="/openapi.json">/openapi.json</a>.</p>
${rows}</body></html>`;
}

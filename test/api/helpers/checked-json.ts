/**
 * Reads a JSON response and checks it against the zod schema the OpenAPI document states for its
 * route and status (src/api/openapi.ts apiRegistry). The response schemas are strict, so a field
 * the document lacks, a missing one, or a status it does not list fails the test that saw it.
 */
import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { ZodType } from 'zod';
import { apiRegistry } from '../../../src/api/openapi';
import { ErrorSchema } from '../../../src/api/schemas';

interface DocumentedRoute {
  method: string;
  pattern: RegExp;
  route: RouteConfig;
}

let routes: DocumentedRoute[] | undefined;

function documentedRoutes(): DocumentedRoute[] {
  routes ??= apiRegistry()
    .definitions.flatMap((d) => (d.type === 'route' ? [d.route] : []))
    .map((route) => ({
      method: route.method.toUpperCase(),
      // `{id}` matches one path segment; literal segments (results.zip) must match exactly
      pattern: new RegExp(`^${route.path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      route,
    }))
    // literal routes before templated ones: /jobs/{id}/results.zip is not /jobs/{id}/results/{a}/{b}
    .sort((a, b) => a.route.path.split('{').length - b.route.path.split('{').length);
  return routes;
}

/** The zod schema documented for a JSON answer of `method path` with `status`. */
export function documentedSchema(method: string, path: string, status: number): ZodType {
  const match = documentedRoutes().find((r) => r.method === method.toUpperCase() && r.pattern.test(path));
  if (!match) {
    // an undocumented path can only answer errors (the 404 of the not-found handler, or the host guard's refusals)
    if (status >= 400) return ErrorSchema;
    throw new Error(`${method} ${path} answered ${status} with JSON but is not in the OpenAPI document`);
  }
  const response = (match.route.responses as Record<string, { content?: Record<string, { schema?: unknown }> } | undefined>)[String(status)];
  const schema = response?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method} ${match.route.path}: status ${status} with a JSON body is not documented (documented: ${Object.keys(match.route.responses).join(', ')})`);
  return schema as ZodType;
}

/**
 * `await res.json()`, checked: the body must parse with the documented schema (errors with the
 * Error schema). `method` is the request's (fetch's Response does not keep it).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- callers read the parsed body's fields freely, as with res.json()
export async function checkedJson<T = any>(res: Response, method = 'GET'): Promise<T> {
  const path = new URL(res.url).pathname;
  const body: unknown = await res.json();
  const result = documentedSchema(method, path, res.status).safeParse(body);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${method} ${path} ${res.status}: the answer does not match the OpenAPI document: ${issues}\n${JSON.stringify(body).slice(0, 800)}`);
  }
  return body as T;
}

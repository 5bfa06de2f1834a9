import type { z } from 'zod';
import type { OpenApiMeta } from 'trpc-to-openapi';
import type { AnyRouter } from '@trpc/server';

/** A router procedure exposed as a REST path by its `meta.openapi`. */
export interface RestProcedure {
  /** tRPC path, e.g. "market.ticker" */
  name: string;
  method: 'GET';
  /** OpenAPI path, e.g. "/api/ticker/{exchange}/{symbol}" */
  path: string;
  /** Names of the `{…}` segments of `path`. */
  pathParams: string[];
  input: z.ZodObject | undefined;
  output: z.ZodType;
  meta: NonNullable<OpenApiMeta['openapi']>;
}

interface ProcedureDef {
  type: 'query' | 'mutation' | 'subscription';
  meta?: OpenApiMeta;
  inputs: unknown[];
  output?: unknown;
}

function isZodObject(schema: unknown): schema is z.ZodObject {
  return (schema as { _zod?: { def?: { type?: string } } } | undefined)?._zod?.def?.type === 'object';
}

/**
 * Every procedure of the router with `meta.openapi`, in router order. Only GET queries with a zod
 * object input (or none) and a zod output are allowed: anything else is a wiring bug and throws at start.
 */
export function restProcedures(router: AnyRouter): RestProcedure[] {
  const procedures = router._def.procedures as Record<string, { _def: ProcedureDef }>;
  const found: RestProcedure[] = [];
  for (const [name, procedure] of Object.entries(procedures)) {
    const def = procedure._def;
    const meta = def.meta?.openapi;
    if (!meta || meta.enabled === false) continue;
    const fail = (why: string) => new Error(`REST route of ${name}: ${why}`);
    if (def.type !== 'query' || meta.method !== 'GET') throw fail('only GET queries are exposed');
    if (!meta.path.startsWith('/api/') && meta.path !== '/api') throw fail('path must start with /api/');
    if (def.inputs.length > 1) throw fail('one input parser at most');
    const input = def.inputs[0];
    if (input !== undefined && !isZodObject(input)) throw fail('input must be a zod object');
    if (!def.output) throw fail('an output schema is required');
    const pathParams = [...meta.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    for (const param of pathParams) {
      if (!input?.shape[param]) throw fail(`path parameter {${param}} is not an input field`);
    }
    found.push({
      name,
      method: 'GET',
      path: meta.path,
      pathParams,
      input,
      output: def.output as z.ZodType,
      meta,
    });
  }
  return found;
}

/** The JSON type a field of an input object takes once optional/default wrappers are peeled. */
export function fieldKind(schema: unknown): string {
  let current = schema as { _zod: { def: { type: string; innerType?: unknown } } };
  while (['optional', 'default', 'nullable', 'prefault', 'readonly'].includes(current._zod.def.type)) {
    current = current._zod.def.innerType as typeof current;
  }
  return current._zod.def.type;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Query strings and path segments are text: turn them into the JSON the tRPC input expects,
 * so the same schema validates both. Numbers and booleans are converted only when they look like
 * one (otherwise zod names the field in its error); arrays take `a,b` and repeated keys.
 */
export function restInput(
  procedure: RestProcedure,
  params: Record<string, string>,
  query: Record<string, string | string[] | undefined>,
): Record<string, unknown> | undefined {
  if (!procedure.input) return undefined;
  const input: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(procedure.input.shape)) {
    const raw = procedure.pathParams.includes(key) ? params[key] : query[key];
    if (raw === undefined) continue;
    // an empty `?limit=` means "not given", as HTML forms and Swagger UI send it
    const values = (Array.isArray(raw) ? raw : [raw]).filter((v) => v !== '');
    if (values.length === 0) continue;
    switch (fieldKind(field)) {
      case 'array':
        input[key] = values
          .flatMap((v) => v.split(','))
          .map((v) => v.trim())
          .filter((v) => v.length > 0);
        break;
      case 'number':
      case 'int': {
        const v = values[0]!.trim();
        input[key] = NUMBER.test(v) ? Number(v) : v;
        break;
      }
      case 'boolean': {
        const v = values[0]!.trim().toLowerCase();
        input[key] = v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v;
        break;
      }
      default:
        input[key] = values[0];
    }
  }
  return input;
}

import { z } from 'zod';
import type { ApiRoute } from './routes';
import { ErrorOut, FacetOut, ProductDetailOut, ProductListOut, ProductSummaryOut, RentalQuoteOut } from './schemas';

/**
 * OpenAPI 3.1 for /api, generated from the route table and the zod schemas
 * the handlers validate and answer with (JSON Schema 2020-12, as 3.1 uses).
 */

const COMPONENTS: Array<[z.ZodType, string]> = [
  [ProductSummaryOut, 'ProductSummary'],
  [FacetOut, 'Facet'],
  [ProductListOut, 'ProductList'],
  [ProductDetailOut, 'ProductDetail'],
  [RentalQuoteOut, 'RentalQuote'],
  [ErrorOut, 'Error'],
];

type Json = Record<string, any>;

function strip(schema: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

function componentSchemas(): { schemas: Record<string, Json>; ref: (s: z.ZodType) => Json } {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of COMPONENTS) registry.add(schema, { id });
  const out = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, Json> };
  const schemas = Object.fromEntries(Object.entries(out.schemas).map(([id, s]) => [id, strip(s)]));
  return {
    schemas,
    ref: (s) => {
      const id = COMPONENTS.find(([c]) => c === s)?.[1];
      if (!id) throw new Error('Response schema is not registered as an OpenAPI component');
      return { $ref: `#/components/schemas/${id}` };
    },
  };
}

/** Query or path parameters from an object schema, described by their wire (input) form. */
function parameters(schema: z.ZodObject | undefined, where: 'query' | 'path'): Json[] {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => {
    const js = strip(z.toJSONSchema(field as z.ZodType, { io: 'input', unrepresentable: 'any' }) as Json);
    const { description, ...rest } = js;
    const repeated = Array.isArray(rest.anyOf) ? rest.anyOf.find((s: Json) => s.type === 'array') : undefined;
    return {
      name,
      in: where,
      required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success,
      ...(description ? { description } : {}),
      ...(repeated ? { schema: repeated, style: 'form', explode: true } : { schema: rest }),
    };
  });
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

export function openApiDocument(routes: ApiRoute[], baseUrl: string): Json {
  const { schemas, ref } = componentSchemas();
  const paths: Json = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = {
      get: {
        summary: route.summary,
        operationId: operationId(route.path),
        parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
        responses: {
          200: { description: 'OK', content: { 'application/json': { schema: ref(route.response) } } },
          400: errorResponse('A parameter was not valid; details.fields names each one.'),
          ...(route.params ? { 404: errorResponse('No such product.') } : {}),
        },
      },
    };
  }
  paths['/openapi.json'] = {
    get: {
      summary: 'This document.',
      operationId: 'getOpenApi',
      responses: { 200: { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'GigGatek catalog API',
      version: '1.0.0',
      description: 'Read-only catalog of refurbished hardware and rent-to-own quotes. Money is in integer cents.',
    },
    servers: [{ url: `${baseUrl}/api` }],
    paths,
    components: { schemas },
  };
}

function operationId(path: string): string {
  const words = path.split('/').filter(Boolean).map((w) => (w.startsWith(':') ? 'ById' : w.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase())));
  return `get${words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}`;
}

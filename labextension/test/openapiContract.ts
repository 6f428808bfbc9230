/**
 * The server's OpenAPI document (tito_jupyter/server/openapi.json) as a checker for the jest fake server: every
 * answer the fake gives, and every error it throws, must be one the document allows for that route and status.
 * So a fixture that drifts from what the real server sends (a field it lacks, a state it never has) fails jest.
 *
 * The document is OpenAPI 3.0 (`nullable`), Ajv speaks JSON Schema: `nullable` is rewritten as a null type.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import Ajv, { ValidateFunction } from 'ajv';

export const DOCUMENT_PATH = join(__dirname, '..', '..', 'tito_jupyter', 'server', 'openapi.json');

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A schema with OpenAPI 3.0's `nullable: true` as JSON Schema says it: null is one more value it takes. */
function asJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(asJsonSchema);
  }
  if (!isObject(node)) {
    return node;
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === 'example' || key === 'examples' ? value : asJsonSchema(value);
  }
  if (out.nullable !== true) {
    return out;
  }
  delete out.nullable;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) {
      out.enum = [...(out.enum as unknown[]), null];
    }
    return out;
  }
  const constrained = Object.keys(out).some(k => !['description', 'default', 'example', 'title'].includes(k));
  return constrained ? { anyOf: [out, { type: 'null' }] } : out;
}

const document = asJsonSchema(JSON.parse(readFileSync(DOCUMENT_PATH, 'utf-8'))) as Json;
const paths = document.paths as Record<string, Record<string, Json>>;
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema({ ...document, $id: 'openapi' });

/** `/modules/{module}/{action}` as a pattern over `modules/01_x/test`. */
const routes = Object.keys(paths).map(template => ({
  template,
  pattern: new RegExp('^' + template.slice(1).replace(/\{[^}]+\}/g, '[^/]+') + '$')
}));

const validators = new Map<string, ValidateFunction>();

function pointer(...parts: string[]): string {
  return parts.map(p => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

/**
 * Why `body` is not what the document allows `method path` to answer with `status`, or null when it is.
 * `path` is below tito/api/ without a query (`jobs/job-1`).
 */
export function contractViolation(method: string, path: string, status: number, body: unknown): string | null {
  const route = routes.find(r => r.pattern.test(path));
  const where = `${method} ${path}`;
  if (!route) {
    return `${where}: the document has no such route`;
  }
  const operation = paths[route.template][method.toLowerCase()];
  if (!operation) {
    return `${where}: the document has no ${method} on ${route.template}`;
  }
  const responses = operation.responses as Record<string, Json>;
  const response = responses[String(status)];
  if (!response) {
    return `${where}: the document lists no ${status} answer (it has ${Object.keys(responses).join(', ')})`;
  }
  const key = `${route.template} ${method} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    const ref = pointer('paths', route.template, method.toLowerCase(), 'responses', String(status));
    validate = ajv.compile({ $ref: `openapi#/${ref}/content/application~1json/schema` });
    validators.set(key, validate);
  }
  if (validate(body)) {
    return null;
  }
  const errors = (validate.errors ?? []).map(e => `${e.instancePath || '(body)'} ${e.message ?? ''}`);
  return `${where} ${status}: ${errors.join('; ')}`;
}

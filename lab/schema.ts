import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { InputError } from './input-error.ts';

const SCHEMA_DIR = new URL('../fixtures/schemas/', import.meta.url);

// ajv-formats is CommonJS: its default export arrives wrapped under ESM
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
const cache = new Map<string, ValidateFunction>();

function load(file: string): object {
  return JSON.parse(readFileSync(new URL(file, SCHEMA_DIR), 'utf8')) as object;
}

/** A validator for one schema in fixtures/schemas/, or for one definition in it (`file#/$defs/name`). */
export function validatorFor(ref: string): ValidateFunction {
  let v = cache.get(ref);
  if (!v) {
    const [file, fragment] = ref.split('#') as [string, string | undefined];
    if (fragment === undefined) v = ajv.compile(load(file));
    else {
      if (!ajv.getSchema(file)) ajv.addSchema(load(file), file);
      v = ajv.getSchema(ref);
      if (!v) throw new Error(`no schema definition ${ref}`);
    }
    cache.set(ref, v);
  }
  return v;
}

/** ajv's errors as lines: the JSON path, then what was expected there. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const allowed = e.params && 'allowedValues' in e.params ? (e.params.allowedValues as unknown[]) : undefined;
    return `${e.instancePath || '/'}: ${e.message}${allowed ? ` (${allowed.join(', ')})` : ''}`;
  });
}

export class SchemaError extends InputError {
  constructor(
    what: string,
    readonly problems: string[],
  ) {
    super(`${what} is invalid:\n  ${problems.join('\n  ')}`);
  }
}

export function assertValid<T>(file: string, data: unknown, what: string): T {
  const v = validatorFor(file);
  if (!v(data)) throw new SchemaError(what, describeErrors(v.errors));
  return data as T;
}

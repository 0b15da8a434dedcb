import fc from 'fast-check';
import { schemaFor, type Call, type SchemaNode } from '../../drivers/remote/protocol.ts';
import { baselines, CIDRS, fuzzCases, MACS, STRINGS, WRONG_TYPES, type FuzzIds } from './fuzz-cases.ts';
import { RAW_BODIES } from './malformed-bodies.ts';

/** A request the fuzzer sends: an object (sent as JSON) or a raw body. */
export type FuzzBody = object | string;

/**
 * Values for a field by its name: the ones that reach into the plugin (the existing network's and
 * endpoint's IDs, a real sandbox key, a free pool) beside the boundary values of its kind.
 */
function hintsFor(name: string, ids: FuzzIds): string[] {
  switch (name) {
    case 'NetworkID':
      return [ids.networkId, ids.freshId];
    case 'EndpointID':
      return [ids.endpointId, ids.freshId];
    case 'SandboxKey':
      return [ids.sandboxKey, '/proc/1/ns/net'];
    case 'Pool':
      return [ids.freshPool, ...CIDRS];
    case 'Gateway':
      return ['', `${ids.freshGateway}/24`, ...CIDRS];
    case 'Address':
      return ['', `${ids.address}/24`, ...CIDRS];
    case 'MacAddress':
      return ['', ...MACS];
    default:
      return [];
  }
}

const wrongType = fc.constantFrom(...WRONG_TYPES);
/** Long strings come from a length, so that a failing one shrinks to the shortest that still fails. */
const longString = fc.integer({ min: 1, max: 65_536 }).map((n) => 'x'.repeat(n));
const oddString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(...STRINGS.filter((x) => x.length <= 256)),
  fc.string({ unit: 'grapheme' }),
  longString,
);

/** An arbitrary for a schema node: mostly values of its type (hinted by the field's name), sometimes the wrong type. */
function fromSchema(node: SchemaNode, ids: FuzzIds, name = ''): fc.Arbitrary<unknown> {
  const typed = typedArbitrary(node, ids, name);
  return fc.oneof({ weight: 8, arbitrary: typed }, { weight: 1, arbitrary: wrongType });
}

function typedArbitrary(node: SchemaNode, ids: FuzzIds, name: string): fc.Arbitrary<unknown> {
  if (node.const !== undefined) return fc.constant(node.const);
  if (node.anyOf) return fc.oneof(...node.anyOf.map((n) => typedArbitrary(n, ids, name)));
  const types = Array.isArray(node.type) ? node.type : node.type ? [node.type] : ['string'];
  return fc.oneof(
    ...types.map((type): fc.Arbitrary<unknown> => {
      switch (type) {
        case 'string': {
          const hints = hintsFor(name, ids);
          return hints.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...hints) }, oddString) : oddString;
        }
        case 'integer':
        case 'number':
          return fc.oneof(fc.integer(), fc.constantFrom(0, -1, 65_535, 65_536, 1.5e308));
        case 'boolean':
          return fc.boolean();
        case 'null':
          return fc.constant(null);
        case 'array':
          return fc.array(node.items ? fromSchema(node.items, ids) : fc.anything(), { maxLength: 3 });
        default:
          return objectArbitrary(node, ids);
      }
    }),
  );
}

const ABSENT = Symbol('absent');

function objectArbitrary(node: SchemaNode, ids: FuzzIds): fc.Arbitrary<unknown> {
  // each field mostly there (requests that get past the first check), now and then missing; a
  // failing request shrinks by dropping the fields it does not need
  const props = Object.fromEntries(
    Object.entries(node.properties ?? {}).map(([k, v]) => [
      k,
      fc.option(fromSchema(v, ids, k), { nil: ABSENT, freq: 6 }),
    ]),
  );
  const extra =
    typeof node.additionalProperties === 'object'
      ? fc.dictionary(fc.string({ maxLength: 24 }), fromSchema(node.additionalProperties, ids), { maxKeys: 3 })
      : fc.constant({});
  return fc.tuple(fc.record(props), extra).map(([fields, more]) => ({
    ...more,
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== ABSENT)),
  }));
}

/**
 * Requests for one call, generated three ways: from the call's request schema (values of each
 * field's type, hinted by its name, now and then of the wrong type or missing), the catalogue of
 * known-interesting mutations of a valid request (fuzz-cases.ts), and raw bodies that are not JSON
 * objects. Everything shrinks: a failing request is cut down to the smallest that still fails.
 */
export function requestArbitrary(call: Call, ids: FuzzIds): fc.Arbitrary<FuzzBody> {
  const schema = schemaFor(call, 'request');
  const catalogue = fuzzCases(ids)
    .filter((c) => c.call === call)
    .map((c) => c.body);
  const raw = fc.oneof(fc.constantFrom(...RAW_BODIES.map(([, body]) => body)), fc.string({ maxLength: 200 }));
  const parts: fc.WeightedArbitrary<FuzzBody>[] = [];
  if (schema) parts.push({ weight: 5, arbitrary: objectArbitrary(schema, ids) as fc.Arbitrary<object> });
  if (catalogue.length) parts.push({ weight: 3, arbitrary: fc.constantFrom(...catalogue) });
  else if (!schema && baselines(ids)[call]) parts.push({ weight: 3, arbitrary: fc.constant(baselines(ids)[call]!) });
  parts.push({ weight: 1, arbitrary: raw });
  return fc.oneof(...parts);
}

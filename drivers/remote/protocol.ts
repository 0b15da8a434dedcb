import { readFileSync } from 'node:fs';
import { describeErrors, validatorFor } from '../../lab/schema.ts';

/** The NetworkDriver calls of the libnetwork remote protocol (docs/remote-protocol.md), in lifecycle order. */
export const NETWORK_METHODS = [
  'GetCapabilities',
  'CreateNetwork',
  'AllocateNetwork',
  'FreeNetwork',
  'DeleteNetwork',
  'CreateEndpoint',
  'EndpointOperInfo',
  'DeleteEndpoint',
  'Join',
  'Leave',
  'ProgramExternalConnectivity',
  'RevokeExternalConnectivity',
  'DiscoverNew',
  'DiscoverDelete',
] as const;
export type NetworkMethod = (typeof NETWORK_METHODS)[number];

export const IPAM_METHODS = [
  'GetCapabilities',
  'GetDefaultAddressSpaces',
  'RequestPool',
  'ReleasePool',
  'RequestAddress',
  'ReleaseAddress',
] as const;
export type IpamMethod = (typeof IPAM_METHODS)[number];

export type Subsystem = 'NetworkDriver' | 'IpamDriver';
/** `Plugin.Activate`, `NetworkDriver.Join`, `IpamDriver.RequestPool` … */
export type Call = 'Plugin.Activate' | `NetworkDriver.${NetworkMethod}` | `IpamDriver.${IpamMethod}`;

export const SCHEMA_FILE = 'remote-protocol.schema.json';
/** The media type Docker sends in Accept, and the one a plugin should answer with. */
export const PLUGIN_MEDIA_TYPE = 'application/vnd.docker.plugins.v1.2+json';

export interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  anyOf?: SchemaNode[];
  const?: unknown;
}

const defs = (
  JSON.parse(readFileSync(new URL(`../../fixtures/schemas/${SCHEMA_FILE}`, import.meta.url), 'utf8')) as {
    $defs: Record<string, SchemaNode>;
  }
).$defs;

export function schemaFor(
  call: Call | 'Error' | 'IpamError',
  direction: 'request' | 'response',
): SchemaNode | undefined {
  return defs[`${call}.${direction}`];
}

/** Calls with a request body of their own (the others are sent with an empty body). */
export function hasRequestBody(call: Call): boolean {
  return schemaFor(call, 'request') !== undefined;
}

/**
 * Renames keys to the schema's spelling where they match case-insensitively, as Go's JSON decoder
 * matches them; keys the schema does not know are kept as they are.
 */
export function canonicalize(value: unknown, node: SchemaNode | undefined): unknown {
  if (!node || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return node.items ? value.map((v) => canonicalize(v, node.items)) : value;
  const props = node.properties ?? {};
  const byLower = new Map(Object.keys(props).map((k) => [k.toLowerCase(), k]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const name = props[k] ? k : (byLower.get(k.toLowerCase()) ?? k);
    const child =
      props[name] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
    out[name] = canonicalize(v, child);
  }
  return out;
}

/** Schema problems of one message, as `JSON path: what was expected` lines (empty when it is valid). */
export function problemsOf(
  call: Call | 'Error' | 'IpamError',
  direction: 'request' | 'response',
  message: unknown,
): string[] {
  const v = validatorFor(`${SCHEMA_FILE}#/$defs/${call}.${direction}`);
  return v(message) ? [] : describeErrors(v.errors);
}

/** The error text of a reply body (`Err` for NetworkDriver and Plugin, `Error` for IpamDriver), if any. */
export function errorOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const e = b.Err ?? b.Error ?? b.err ?? b.error;
  return typeof e === 'string' && e !== '' ? e : undefined;
}

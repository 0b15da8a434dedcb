import { RAW_BODIES } from './malformed-bodies.ts';
/**
 * Requests generated from the protocol's request shapes: for each call, a valid baseline, then every
 * field (to three levels deep) missing, of the wrong type, oversized, at a boundary, or odd; plus raw
 * bodies that are not JSON objects at all. Deterministic: the same inputs give the same cases.
 */

export interface FuzzCase {
  call: string;
  /** What was changed, for the evidence: `Interface.Address = "1.2.3.4/33"`. */
  what: string;
  body: object | string;
}

export interface FuzzIds {
  /** A network that exists on the plugin (CreateEndpoint, Join … go deeper with it). */
  networkId: string;
  /** An endpoint on it, created and not joined. */
  endpointId: string;
  /** A pool no network uses (CreateNetwork cases may really create networks on it). */
  freshPool: string;
  freshGateway: string;
  /** An address of the existing network's pool. */
  address: string;
  sandboxKey: string;
  freshId: string;
}

export const WRONG_TYPES: unknown[] = [null, 0, -1, 1.5e308, true, [], {}, ''];
export const STRINGS: string[] = [
  'x'.repeat(65_536),
  '../../../../etc/passwd',
  '\u0000\u0001\u001b[31m',
  'é€😀\u202e',
  ' ',
  'a'.repeat(256),
  '%s%n%x',
  '${jndi:x}',
];
export const CIDRS: string[] = [
  '0.0.0.0/0',
  '255.255.255.255/32',
  '10.0.0.0/8',
  '10.205.0.0/31',
  '1.2.3.4/33',
  '300.1.1.1/24',
  '::1/128',
  '10.205.0.1',
  '10.205.0.1/24 ',
];
export const MACS: string[] = ['ff:ff:ff:ff:ff:ff', '00:00:00:00:00:00', 'zz:zz:zz:zz:zz:zz', '02:42:0a:0b:0c'];

export function baselines(ids: FuzzIds): Record<string, object> {
  const ne = { NetworkID: ids.networkId, EndpointID: ids.endpointId };
  return {
    'NetworkDriver.CreateNetwork': {
      NetworkID: ids.freshId,
      Options: {
        'com.docker.network.enable_ipv6': false,
        'com.docker.network.generic': { 'com.docker.network.driver.mtu': '1400' },
      },
      IPv4Data: [
        { AddressSpace: 'LocalDefault', Pool: ids.freshPool, Gateway: `${ids.freshGateway}/24`, AuxAddresses: {} },
      ],
      IPv6Data: [],
    },
    'NetworkDriver.CreateEndpoint': {
      NetworkID: ids.networkId,
      EndpointID: ids.freshId,
      Interface: { Address: `${ids.address}/24`, AddressIPv6: '', MacAddress: '' },
      Options: {},
    },
    'NetworkDriver.Join': { ...ne, SandboxKey: ids.sandboxKey, Options: {} },
    'NetworkDriver.Leave': ne,
    'NetworkDriver.EndpointOperInfo': ne,
    'NetworkDriver.ProgramExternalConnectivity': {
      ...ne,
      Options: {
        'com.docker.network.portmap': [{ Proto: 6, IP: '', Port: 80, HostIP: '', HostPort: 18081, HostPortEnd: 18081 }],
      },
    },
    'NetworkDriver.RevokeExternalConnectivity': ne,
    'NetworkDriver.DiscoverNew': {
      DiscoveryType: 1,
      DiscoveryData: { Address: '127.0.0.1', BindAddress: '127.0.0.1', Self: true },
    },
    'NetworkDriver.DeleteEndpoint': { NetworkID: ids.networkId, EndpointID: ids.freshId },
    'NetworkDriver.DeleteNetwork': { NetworkID: ids.freshId },
  };
}

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = [], depth = 0): Path[] {
  if (depth >= 3 || value === null || typeof value !== 'object') return [];
  const out: Path[] = [];
  for (const [k, v] of Object.entries(value)) {
    const p = [...prefix, Array.isArray(value) ? Number(k) : k];
    out.push(p, ...paths(v, p, depth + 1));
  }
  return out;
}

function withValue(base: object, path: Path, value: unknown, remove = false): object {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (remove) delete node[last];
  else node[last] = value;
  return copy;
}

function show(value: unknown): string {
  const text =
    typeof value === 'string' && value.length > 40
      ? `"${value.slice(0, 12)}…" (${value.length} chars)`
      : JSON.stringify(value);
  return text ?? 'undefined';
}

/** Every generated case, de-duplicated, in a stable order. */
export function fuzzCases(ids: FuzzIds): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const seen = new Set<string>();
  const add = (c: FuzzCase) => {
    const key = `${c.call} ${typeof c.body === 'string' ? c.body : JSON.stringify(c.body)}`;
    if (!seen.has(key)) {
      seen.add(key);
      cases.push(c);
    }
  };
  for (const [call, base] of Object.entries(baselines(ids))) {
    add({ call, what: 'baseline', body: base });
    for (const path of paths(base)) {
      const name = path.join('.');
      const leaf = String(path.at(-1));
      add({ call, what: `${name} missing`, body: withValue(base, path, undefined, true) });
      const values = [
        ...WRONG_TYPES,
        ...STRINGS,
        ...(/Pool|Gateway|Address$/.test(leaf) ? CIDRS : []),
        ...(/MacAddress/.test(leaf) ? MACS : []),
      ];
      for (const v of values) add({ call, what: `${name} = ${show(v)}`, body: withValue(base, path, v) });
    }
    for (const [what, body] of RAW_BODIES) add({ call, what, body });
  }
  add({ call: 'NetworkDriver.NoSuchMethod', what: 'unknown method', body: {} });
  add({ call: 'Plugin.Deactivate', what: 'unknown subsystem call', body: {} });
  return cases;
}

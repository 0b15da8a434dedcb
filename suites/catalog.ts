import crossHostByName from './connectivity/cross-host-by-name.ts';
import crossHost from './connectivity/cross-host.ts';
import sameHostByName from './connectivity/same-host-by-name.ts';
import sameHost from './connectivity/same-host.ts';
import convergenceCrossHost from './convergence/cross-host.ts';
import type { Check } from './framework/check.ts';
import containerMissingPeer from './identity/container-missing-peer.ts';
import identityContainer from './identity/container.ts';
import identityHost from './identity/host.ts';
import identityNone from './identity/none.ts';
import containerSharesStack from './isolation/container-shares-stack.ts';
import hostNotIsolated from './isolation/host-not-isolated.ts';
import isolationIccDisabled from './isolation/icc-disabled.ts';
import isolationNetworks from './isolation/networks.ts';
import isolationNone from './isolation/none.ts';
import lifecycleConnectDisconnect from './lifecycle/connect-disconnect.ts';
import mtuDfBoundary from './mtu/df-boundary.ts';
import mtuInterface from './mtu/interface.ts';
import natEgressMasquerade from './nat/egress-masquerade.ts';
import natHostNoNat from './nat/host-no-nat.ts';
import natInternalNoEgress from './nat/internal-no-egress.ts';
import natOverlayRealAddresses from './nat/overlay-real-addresses.ts';
import natPrivateUnreachable from './nat/private-unreachable.ts';
import natPublishedPort from './nat/published-port.ts';
import protocolActivate from './protocol/activate.ts';
import protocolCapabilities from './protocol/capabilities.ts';
import protocolEndpointAddress from './protocol/endpoint-address.ts';
import protocolFuzz from './protocol/fuzz.ts';
import protocolGenericOptions from './protocol/generic-options.ts';
import protocolIdempotentDeletes from './protocol/idempotent-deletes.ts';
import protocolJoinInterface from './protocol/join-interface.ts';
import protocolLatency from './protocol/latency.ts';
import protocolMalformedRequests from './protocol/malformed-requests.ts';
import protocolRepliesValid from './protocol/replies-valid.ts';
import protocolTeardown from './protocol/teardown.ts';
import protocolUnknownIds from './protocol/unknown-ids.ts';
import resilienceEngineRestart from './resilience/engine-restart.ts';
import resilienceKvOutage from './resilience/kv-outage.ts';
import resiliencePartition from './resilience/partition.ts';
import resiliencePluginRestart from './resilience/plugin-restart.ts';
import resilienceUnderlayImpairment from './resilience/underlay-impairment.ts';
import vniAllocation from './vni/allocation.ts';
import vniExhaustion from './vni/exhaustion.ts';
import vniOnWire from './vni/on-wire.ts';
import vniRelease from './vni/release.ts';

/** Every check, in run order. Adding a check is one file plus one line here. */
export const CHECKS: Check[] = [
  identityNone,
  identityHost,
  identityContainer,
  containerMissingPeer,
  sameHost,
  sameHostByName,
  crossHost,
  crossHostByName,
  isolationNetworks,
  isolationIccDisabled,
  isolationNone,
  hostNotIsolated,
  containerSharesStack,
  natEgressMasquerade,
  natPrivateUnreachable,
  natPublishedPort,
  natInternalNoEgress,
  natHostNoNat,
  natOverlayRealAddresses,
  mtuInterface,
  mtuDfBoundary,
  vniAllocation,
  vniRelease,
  vniExhaustion,
  vniOnWire,
  lifecycleConnectDisconnect,
  convergenceCrossHost,
  protocolActivate,
  protocolCapabilities,
  protocolRepliesValid,
  protocolEndpointAddress,
  protocolJoinInterface,
  protocolTeardown,
  protocolIdempotentDeletes,
  protocolUnknownIds,
  protocolMalformedRequests,
  protocolGenericOptions,
  protocolLatency,
  protocolFuzz,
  resiliencePluginRestart,
  resilienceEngineRestart,
  resilienceKvOutage,
  resilienceUnderlayImpairment,
  resiliencePartition,
];

/**
 * What a run checks when it is not told: every check but those that inject faults into the lab
 * (resilience/*), which take minutes, run the drivers one after another, and are asked for by name
 * (`--checks resilience`) or by a claimed `resilience` level.
 */
export const DEFAULT_CHECKS: Check[] = CHECKS.filter((c) => !c.injectsFaults);

/** Checks whose id matches a comma-separated list of patterns (`*` is a wildcard; `isolation` means `isolation/*`). */
export function selectChecks(patterns?: string): Check[] {
  if (!patterns) return DEFAULT_CHECKS;
  const regexes = patterns
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const full = p.includes('/') ? p : `${p}/*`;
      return new RegExp(`^${full.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`);
    });
  return CHECKS.filter((c) => regexes.some((r) => r.test(c.id)));
}

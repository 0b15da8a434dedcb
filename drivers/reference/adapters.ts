import type { Driver, Profile } from '../contract.ts';
import { overlayNetworks, startOverlay } from './overlay-driver.ts';
import {
  bridgeNetworks,
  NEEDS_NETNS_LAB,
  REFERENCE_VNI_ALLOCATOR,
  RefStartedDriver,
  type NetworkFactory,
} from './ref-driver.ts';

function reference(id: string, description: string, profile: Profile, networks?: NetworkFactory): Driver {
  const driver: Driver = {
    id,
    implementation: `reference:${profile.mode}`,
    description,
    profile,
    unsupportedReason: NEEDS_NETNS_LAB,
    start: async (lab) => new RefStartedDriver(driver, lab, profile.mode, networks),
  };
  return driver;
}

export const refNone = reference('ref-none', 'reference none mode: a namespace with loopback only', {
  mode: 'none',
  scope: 'local',
  isolated: true,
  nat: false,
  dns: false,
  multiHost: false,
});

export const refHost = reference('ref-host', "reference host mode: the host's own namespace", {
  mode: 'host',
  scope: 'local',
  isolated: false,
  nat: false,
  dns: false,
  multiHost: false,
});

export const refContainer = reference(
  'ref-container',
  "reference container mode: a sandbox sharing another's namespace",
  {
    mode: 'container',
    scope: 'local',
    isolated: true,
    nat: true,
    dns: false,
    multiHost: false,
  },
  bridgeNetworks,
);

export const refBridge = reference(
  'ref-bridge',
  'reference bridge: Linux bridge + veth, iptables NAT, published ports, ICC, internal',
  {
    mode: 'bridge',
    scope: 'local',
    isolated: true,
    nat: true,
    dns: false,
    multiHost: false,
    mtu: 1500,
    mtuOption: true,
    publish: true,
    internal: true,
    iccOff: { icc: 'false' },
  },
  bridgeNetworks,
);

export const refOverlay: Driver = {
  id: 'ref-overlay',
  implementation: 'reference:overlay',
  description: 'reference overlay: bridge + VXLAN per network, VNIs and endpoints in etcd',
  profile: {
    mode: 'overlay',
    scope: 'global',
    isolated: true,
    nat: false,
    dns: false,
    multiHost: true,
    vniRange: [256, 1000],
    mtu: 1450,
    configurableVniRange: true,
  },
  vniAllocator: REFERENCE_VNI_ALLOCATOR,
  keepsStateInLabKv: true,
  unsupportedReason: (lab) => NEEDS_NETNS_LAB(lab) ?? (lab.hasKv ? undefined : 'needs the lab etcd'),
  start: (lab) => startOverlay(refOverlay, lab, overlayNetworks),
};

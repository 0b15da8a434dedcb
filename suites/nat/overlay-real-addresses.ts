import { peerConnectivity } from '../connectivity/peer-connectivity.ts';

/** Overlay peers on different hosts see each other's real addresses (no NAT on the overlay). */
export default peerConnectivity({
  id: 'nat/overlay-real-addresses',
  title: "Overlay peers across hosts see each other's real addresses",
  hosts: 'every',
  by: 'address',
  modes: ['overlay'],
});

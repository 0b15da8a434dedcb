import { peerConnectivity } from './peer-connectivity.ts';

export default peerConnectivity({
  id: 'connectivity/cross-host',
  title: 'Peers on one network on different hosts reach each other (by address)',
  hosts: 'every',
  by: 'address',
});

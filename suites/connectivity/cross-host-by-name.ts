import { peerConnectivity } from './peer-connectivity.ts';

export default peerConnectivity({
  id: 'connectivity/cross-host-by-name',
  title: 'Peers on one network on different hosts reach each other by name',
  hosts: 'every',
  by: 'name',
});

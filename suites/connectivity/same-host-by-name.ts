import { peerConnectivity } from './peer-connectivity.ts';

export default peerConnectivity({
  id: 'connectivity/same-host-by-name',
  title: 'Peers on one network and one host reach each other by name',
  hosts: 'one',
  by: 'name',
});

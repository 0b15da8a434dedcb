import { peerConnectivity } from './peer-connectivity.ts';

export default peerConnectivity({
  id: 'connectivity/same-host',
  title: 'Peers on one network and one host reach each other (by address)',
  hosts: 'one',
  by: 'address',
});

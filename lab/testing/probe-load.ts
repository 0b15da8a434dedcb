/**
 * A load generator for the probe servers, run inside a lab namespace (nsenter … node --import tsx):
 * `count` concurrent TCP connections and `count` concurrent UDP requests to `target`, each retried
 * as the real probes retry (UDP: up to 3 datagrams, 1 s apart). Prints one JSON line: how many of
 * each got an answer (an address line), and how long it took.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

const [target = '127.0.0.1', tcpPort = '47000', udpPort = '47001', countArg = '1000'] = process.argv.slice(2);
const count = Number(countArg);
const ADDRESS = /^[0-9a-f.:]+$/i;

function tcpOnce(): Promise<boolean> {
  return new Promise((resolve) => {
    let text = '';
    const socket = connect({ host: target, port: Number(tcpPort) });
    socket.setTimeout(20_000, () => socket.destroy());
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('close', () => resolve(ADDRESS.test(text.trim())));
    socket.on('error', () => undefined);
  });
}

function udpOnce(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    let tries = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const send = () => {
      if (tries++ >= 3) return finish(false);
      socket.send('probe\n', Number(udpPort), target);
      timer = setTimeout(send, 1_000);
    };
    socket.on('message', (m) => finish(ADDRESS.test(m.toString().trim())));
    socket.on('error', () => finish(false));
    send();
  });
}

const t0 = Date.now();
const [tcp, udp] = await Promise.all([
  Promise.all(Array.from({ length: count }, tcpOnce)),
  Promise.all(Array.from({ length: count }, udpOnce)),
]);
console.log(
  JSON.stringify({
    count,
    tcpAnswered: tcp.filter(Boolean).length,
    udpAnswered: udp.filter(Boolean).length,
    ms: Date.now() - t0,
  }),
);

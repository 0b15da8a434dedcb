/**
 * A shell loop that exits 0 once every given port has a listener in the namespace it runs in, and
 * 1 after `seconds` (by the clock, not by a count of tries: a loaded machine runs fewer of them),
 * saying what is missing and what does listen. It uses busybox's netstat, which the probe image and
 * the machine both have, so the same script waits in a container and in a native sandbox.
 */
export function listeningScript(ports: { tcp?: number[]; udp?: number[] }, what = 'servers', seconds = 10): string {
  const tests = [
    ...(ports.tcp ?? []).map((p) => `busybox netstat -ltn | grep -q ':${p} '`),
    ...(ports.udp ?? []).map((p) => `busybox netstat -lun | grep -q ':${p} '`),
  ];
  if (!tests.length) throw new Error('listeningScript needs at least one port');
  const loop =
    `end=$(($(date +%s) + ${seconds})); ` +
    `while :; do ${tests.join(' && ')} && exit 0; [ "$(date +%s)" -ge "$end" ] && break; sleep 0.05; done`;
  return `${loop}; echo "${what} not listening after ${seconds} s; listening:"; busybox netstat -ltun; exit 1`;
}

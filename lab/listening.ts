/**
 * A shell loop that exits 0 once every given port has a listener in the namespace it runs in, and
 * 1 (saying what is missing) after about 5 s. It uses busybox's netstat, which the probe image and
 * the machine both have, so the same script waits in a container and in a native sandbox.
 */
export function listeningScript(ports: { tcp?: number[]; udp?: number[] }, what = 'servers'): string {
  const tests = [
    ...(ports.tcp ?? []).map((p) => `busybox netstat -ltn | grep -q ':${p} '`),
    ...(ports.udp ?? []).map((p) => `busybox netstat -lun | grep -q ':${p} '`),
  ];
  if (!tests.length) throw new Error('listeningScript needs at least one port');
  const loop = `for i in $(seq 100); do ${tests.join(' && ')} && exit 0; sleep 0.05; done`;
  return `${loop}; echo ${what} not listening; exit 1`;
}

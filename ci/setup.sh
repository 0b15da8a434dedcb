#!/usr/bin/env bash
# Idempotent set-up for cnm-harness on Debian 12 as root: OS packages, npm dependencies, a running
# Docker engine and the local probe image. Takes seconds when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s%N)
say() { echo "[setup] $*"; }

if [ "$(id -u)" != 0 ]; then
  echo "[setup] cnm-harness makes namespaces, engines and firewall rules: run it as root (sudo npm start)." >&2
  exit 2
fi

# chromium: the HTML report is tested in a real (headless) browser
# gcc, libc6-dev: the probe server (lab/probe-server/probe-server.c) is built here, static
# stress-ng: the tests load both CPUs while probe servers answer bursts
# openssh-server, openssl: the remote-lab tests reach lab engines over SSH and TLS (per-test keys and
# certificates; the sshd runs only inside a lab host's namespace, never as the machine's service)
PACKAGES="docker.io iperf3 iptables iproute2 tcpdump busybox-static etcd-server etcd-client socat iputils-ping chromium containernetworking-plugins gcc libc6-dev stress-ng openssh-server openssl"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  say "installing Debian packages:$missing"
  apt-get update -qq
  # no service starts at install (policy-rc.d, 101 = "not allowed"): an sshd listening on the
  # machine's port 22 is not ours to start; the engine is started below either way
  own_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  if [ -n "$own_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

engine_answers() { timeout 5 docker -H unix:///var/run/docker.sock version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if ! engine_answers; then
  say "starting the Docker engine (log: /var/log/cnm-harness-dockerd.log)"
  setsid dockerd >>/var/log/cnm-harness-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 150); do engine_answers && break; sleep 0.2; done
  engine_answers || { echo "[setup] dockerd did not answer within 30s; see /var/log/cnm-harness-dockerd.log" >&2; tail -20 /var/log/cnm-harness-dockerd.log >&2; exit 1; }
fi

node bin/cnm-harness.mjs setup-probe-image
say "ready in $(( ($(date +%s%N) - started) / 1000000 )) ms"

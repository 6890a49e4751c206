# Sourced by the test commands: how they get the Debian packages they need, so that they work
# on a fresh Debian 12 and change the host as little as they can (README "What the test
# commands change on this machine").
#
#   host_packages PKG...     installs, with apt, the packages of the list that are missing
#   build_tools              the C toolchain, pkg-config, CA certificates and a Python with venv,
#                            installed before the first cargo or python3 call
#   private_apt ARGS...      apt-get over lvs's own apt state (sources, lists, archives) under
#                            the VM cache: downloads packages without touching the host's apt
#                            sources or lists
#   private_apt_cache ARGS... apt-cache over the same state
#
# Every function installs only what is missing, so a prepared machine never calls apt.

# The cache root: everything downloaded for the guest lives there (tests/vm/README.md).
LVS_CACHE_ROOT=${LVS_VM_CACHE:-$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")/vm/cache}

_pkg_log() { echo "packages: $*" >&2; }

_pkg_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

_HOST_APT_UPDATED=
host_packages() {
  local missing=() p
  for p in "$@"; do _pkg_installed "$p" || missing+=("$p"); done
  [ ${#missing[@]} -gt 0 ] || return 0
  [ "$(id -u)" -eq 0 ] || { _pkg_log "needs root to install ${missing[*]}"; return 1; }
  _pkg_log "installing ${missing[*]}"
  if [ -z "$_HOST_APT_UPDATED" ]; then
    # A fresh machine has no package lists; a kept one may have stale ones.
    apt-get update -qq || return 1
    _HOST_APT_UPDATED=1
  fi
  # --no-install-recommends keeps the footprint to what the listed tools need.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    > /dev/null || return 1
}

build_tools() {
  local need=()
  # cargo links with cc; a minimal Debian has neither gcc nor the C library's headers and
  # start files (libc6-dev: "cannot open Scrt1.o" otherwise).
  command -v cc > /dev/null || need+=(gcc)
  [ -e /usr/include/stdio.h ] || need+=(libc6-dev)
  command -v pkg-config > /dev/null || need+=(pkg-config)
  # crates.io and PyPI are reached over https.
  [ -s /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates)
  # The scripts parse cargo's JSON with python3; the Python face is tested in a venv, which
  # Debian's python3 can make only with python3-venv (ensurepip).
  if ! command -v python3 > /dev/null || ! python3 -c 'import ensurepip, venv' 2> /dev/null; then
    need+=(python3 python3-venv)
  fi
  [ ${#need[@]} -eq 0 ] || host_packages "${need[@]}"
}

# debian_mirror [SUITE]: the mirror of the machine's Debian entry for SUITE (default bookworm;
# deb822 or one-line format), so that lvs downloads from where the machine already does.
debian_mirror() {
  local suite=${1:-bookworm}
  {
    awk -v suite="$suite" 'BEGIN { RS = ""; FS = "\n" }
         $0 ~ "Suites:[^\n]*[ \t]" suite "([ \t\n]|$)" && /Types:[^\n]*deb([ \t\n]|$)/ {
           for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { split($i, u, /[ \t]+/); print u[2]; exit } }' \
      /etc/apt/sources.list.d/*.sources 2> /dev/null || true
    awk -v suite="$suite" '$1 == "deb" { o = ($2 ~ /^\[/) ? 1 : 0; if ($(3 + o) == suite) { print $(2 + o); exit } }' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2> /dev/null
  } | head -n1 || true
}

# lvs's own apt state: bookworm and bookworm-backports, binary and source, on the machine's
# mirror. The host's /etc/apt stays as it was: no source entry is added there, ever.
_PRIVATE_APT=$LVS_CACHE_ROOT/apt
_private_apt_opts() {
  printf '%s\n' -o "Dir::Etc::SourceList=$_PRIVATE_APT/sources.list" -o "Dir::Etc::SourceParts=-" \
    -o "Dir::State::Lists=$_PRIVATE_APT/lists" -o "Dir::Cache=$_PRIVATE_APT/cache" \
    -o "Dir::State::Status=/var/lib/dpkg/status" -o "APT::Sandbox::User=root" \
    -o "Debug::NoLocking=1"
}
_private_apt_ready() {
  # Lists a day old are read again, so a new kernel or a security update is seen.
  if [ -s "$_PRIVATE_APT/updated" ] && [ -n "$(find "$_PRIVATE_APT/updated" -mmin -1440)" ]; then
    return 0
  fi
  local mirror security
  mirror=$(debian_mirror)
  security=$(debian_mirror bookworm-security)
  [ -n "$mirror" ] || { _pkg_log "no Debian bookworm entry in the apt sources to take a mirror from"; return 1; }
  mkdir -p "$_PRIVATE_APT/lists/partial" "$_PRIVATE_APT/cache/archives/partial"
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  {
    echo "deb [signed-by=$keyring] $mirror bookworm main"
    echo "deb [signed-by=$keyring] $mirror bookworm-backports main"
    echo "deb-src [signed-by=$keyring] $mirror bookworm main"
    # Security updates of the stable kernel are published there first.
    [ -z "$security" ] || echo "deb [signed-by=$keyring] $security bookworm-security main"
  } > "$_PRIVATE_APT/sources.list"
  _pkg_log "reading bookworm and bookworm-backports package lists from $mirror into $_PRIVATE_APT"
  local opts
  mapfile -t opts < <(_private_apt_opts)
  apt-get "${opts[@]}" update -qq || return 1
  date -u +%FT%TZ > "$_PRIVATE_APT/updated"
}
# private_apt_refresh: read the lists again (a package named by an old list may be gone).
private_apt_refresh() { rm -f "$_PRIVATE_APT/updated"; _private_apt_ready; }
private_apt() {
  _private_apt_ready || return 1
  local opts
  mapfile -t opts < <(_private_apt_opts)
  apt-get "${opts[@]}" "$@"
}
private_apt_cache() {
  _private_apt_ready || return 1
  local opts
  mapfile -t opts < <(_private_apt_opts)
  apt-cache "${opts[@]}" "$@"
}

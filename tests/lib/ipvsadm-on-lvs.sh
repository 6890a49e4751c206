# ipvsadm 1.31 from Debian's source package, its .c files unchanged, built against lvs's
# header and libipvs.a instead of its own libipvs. Sourced by tests/suites/ffi/host (which
# tests it) and tests/bench (which measures it); needs tests/lib/packages.sh sourced first
# (for private_apt), gcc, pkg-config and libpopt-dev.
#
#   fetch_ipvsadm_source DIR          leaves DIR/ipvsadm_1.31.orig.tar.gz (kept once there)
#   build_ipvsadm_on_lvs DIR PREFIX   builds DIR/ipvsadm/bin/ipvsadm against the libipvs
#                                     installed in PREFIX (lvs-ffi/install --prefix PREFIX)

fetch_ipvsadm_source() {
  local out=$1
  local tarball=$out/ipvsadm_1.31.orig.tar.gz
  [ -f "$tarball" ] && return 0
  # From lvs's own apt lists (a deb-src entry for bookworm on the machine's mirror), so the
  # host's apt sources stay as they are.
  mkdir -p "$out/src"
  # Only the upstream tarball is needed; the Debian patch tarball may be gone from the
  # mirror, which makes apt-get fail after the tarball arrived.
  (cd "$out/src" && chmod 755 . && private_apt source -q --download-only ipvsadm) || true
  mv "$out/src/ipvsadm_1.31.orig.tar.gz" "$tarball"
}

build_ipvsadm_on_lvs() {
  local out=$1 prefix=$2
  local dir=$out/ipvsadm
  # Each step returns on failure: callers run this under `if` or `||`, where set -e is off.
  rm -rf "$dir"
  mkdir -p "$dir/include/libipvs" "$dir/bin"
  tar -xzf "$out/ipvsadm_1.31.orig.tar.gz" -C "$dir" || return 1
  local src=$dir/ipvsadm-1.31
  # ipvsadm.c includes "libipvs/libipvs.h" relative to itself: remove its own libipvs so
  # the compiler finds lvs's header through -I instead. No .c file is touched.
  rm -rf "$src/libipvs"
  ln -s "$prefix/include/libipvs.h" "$dir/include/libipvs/libipvs.h"
  local f
  # Optimised as Debian builds its ipvsadm (dpkg-buildflags' -O2), not as the Makefile's
  # bare -g, so the bench compares ipvsadm on lvs with Debian's like for like.
  for f in ipvsadm config_stream dynamic_array; do
    gcc -Wall -Wunused -Wstrict-prototypes -O2 -g -I"$dir/include" \
      -DVERSION=\"1.31\" -DSCHEDULERS="\"$(cat "$src/SCHEDULERS")\"" \
      -DPE_LIST="\"$(cat "$src/PERSISTENCE_ENGINES")\"" -DHAVE_NET_IP_VS_H \
      -c -o "$src/$f.o" "$src/$f.c" || return 1
  done
  # Statically, like ipvsadm's own Makefile links its libipvs.a.
  # shellcheck disable=SC2046
  gcc -O2 -g -o "$dir/bin/ipvsadm" "$src/ipvsadm.o" "$src/config_stream.o" "$src/dynamic_array.o" \
    "$prefix/lib/libipvs.a" \
    $(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --libs-only-l --static libipvs | sed 's/-lipvs//') \
    -lpopt
}

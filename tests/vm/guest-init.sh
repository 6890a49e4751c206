#!/bin/busybox sh
# PID 1 of the test guest (packed into the initramfs by mkinitrd.sh as /init).
#
# It stays in the initramfs as a supervisor while the job runs in a chroot:
#   1. loads virtio/9p/overlay, mounts the host's root read-only over 9p with a tmpfs overlay
#      on top (writes in the guest land in RAM and vanish with it);
#   2. mounts the job directory (read-write 9p) at the same path as on the host, plus any
#      extra read-write shares listed in JOB/rwmap;
#   3. bind-mounts the kernel's full module tree so every module can be autoloaded, and
#      loads IPVS with all its schedulers and the sip persistence engine;
#   4. runs JOB/cmd in the chroot with stdout/stderr going to files in JOB;
#   5. writes the exit code to JOB/rc and powers off through isa-debug-exit.
# Every failure of the harness itself ends in a poweroff without JOB/rc, which the host
# reports as a harness failure (exit 125) with the console's last lines.

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

say() { echo "lvs-vm: $*" > /dev/ttyS0; }
die() { say "FATAL: $*"; poweroff -f; sleep 10; }

JOB=
KMOD=
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    lvs.job=*) JOB=${arg#*=} ;;
    lvs.kmod=*) KMOD=${arg#*=} ;;
  esac
done
[ -n "$JOB" ] || die "no lvs.job= on the kernel command line"
KV=$(uname -r)
# Kernel-initiated module loads (e.g. `ip link add type gre`) use this modprobe, which
# lives in the initramfs and so keeps working from inside the chroot.
echo /bin/modprobe > /proc/sys/kernel/modprobe

modprobe -a virtio_pci 9pnet_virtio 9p overlay || die "cannot load virtio/9p/overlay"
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /mnt \
  || die "cannot mount the host root over 9p"
mkdir -p /rw && mount -t tmpfs -o mode=755 tmpfs /rw && mkdir -p /rw/upper /rw/work
R=/newroot
mount -t overlay overlay -o lowerdir=/mnt,upperdir=/rw/upper,workdir=/rw/work $R \
  || die "cannot mount the overlay"

for d in proc sys dev run; do mkdir -p $R/$d; done
mount -t proc proc $R/proc
mount -t sysfs sysfs $R/sys
mount -t devtmpfs devtmpfs $R/dev
# What udev makes on a booted system: bash's process substitution (<(...)) opens /dev/fd/N.
ln -sf /proc/self/fd $R/dev/fd
ln -sf /proc/self/fd/0 $R/dev/stdin
ln -sf /proc/self/fd/1 $R/dev/stdout
ln -sf /proc/self/fd/2 $R/dev/stderr
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts $R/dev/pts
mount -t tmpfs tmpfs $R/dev/shm
# /run must be a fresh tmpfs: `ip netns` keeps its namespaces under /run/netns.
mount -t tmpfs -o mode=755 tmpfs $R/run
mkdir -p $R/run/netns
mount -t cgroup2 cgroup2 $R/sys/fs/cgroup 2>/dev/null

mkdir -p "$R$JOB"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 job "$R$JOB" \
  || die "cannot mount the job directory"
if [ -f "$R$JOB/rwmap" ]; then
  while read -r tag path; do
    mkdir -p "$R$path"
    mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 "$tag" "$R$path" \
      || die "cannot mount the read-write share $path"
  done < "$R$JOB/rwmap"
fi

if [ -n "$KMOD" ] && [ -d "/mnt$KMOD" ]; then
  mount --bind "/mnt$KMOD" /lib/modules/$KV
  mkdir -p $R/lib/modules/$KV
  mount --bind "/mnt$KMOD" $R/lib/modules/$KV
fi
# IPVS with every scheduler the kernel ships and the sip persistence engine; veth and dummy
# for the namespaces tests build. A missing module here is a broken harness, not a test
# failure to discover later.
modprobe -a crc32c_generic ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc \
  ip_vs_lblcr ip_vs_dh ip_vs_sh ip_vs_sed ip_vs_nq ip_vs_fo ip_vs_ovf ip_vs_mh \
  ip_vs_pe_sip veth dummy || die "cannot load the IPVS modules"
ip link set lo up
hostname lvs-vm
# Report tasks stuck in the kernel for a minute (vmrun prints their stacks), not two.
echo 60 > /proc/sys/kernel/hung_task_timeout_secs 2>/dev/null

chroot $R /bin/sh -c 'exec "$1/cmd"' job "$JOB" \
  < /dev/null > "$R$JOB/stdout" 2> "$R$JOB/stderr"
rc=$?
dmesg > "$R$JOB/dmesg" 2>/dev/null
echo "$rc" > "$R$JOB/rc"
sync
# isa-debug-exit (port 0xf4): QEMU exits at once with status (value << 1) | 1.
v=$rc; [ "$v" -gt 127 ] && v=127
printf "\\$(printf %o "$v")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
poweroff -f

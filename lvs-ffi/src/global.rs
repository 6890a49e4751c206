//! libipvs's process-wide state: the kernel handle behind `ipvs_init`/`ipvs_close`, and the
//! exported `ipvs_info`.
//!
//! libipvs opens a new netlink socket for every call; lvs keeps one `NetlinkIpvs` for the
//! process, opened by `ipvs_init` (or on first use, since libipvs's calls work without it)
//! and dropped by `ipvs_close`. The handle is shared under a read lock that is held only to
//! clone an `Arc`, so calls from several threads never wait on each other here; the handle
//! itself matches every answer to its request.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use lvs_core::KernelInfo;
use lvs_sys::{NetlinkIpvs, Options};

use crate::abi::ip_vs_getinfo;

/// The process-wide handle and the process that opened it. A child made by `fork()` inherits
/// the parent's socket; if both used it, each could read the other's answers. So a handle
/// counts only in the process that opened it, and a child opens its own on first use (the
/// inherited one is closed in the child; the parent's stays open).
static HANDLE: RwLock<Option<(u32, Arc<NetlinkIpvs>)>> = RwLock::new(None);

/// How long a libipvs call waits for the kernel's answer. libipvs waits without limit, and
/// the kernel can be slow to answer: stopping a sync daemon waits for its thread, which took
/// more than 10 s (lvs-sys's default) on a loaded test VM. An hour keeps libipvs's "wait for
/// the kernel" while a kernel that never answers still ends in ETIMEDOUT.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(3600);

fn open() -> Result<NetlinkIpvs, lvs_sys::Error> {
    NetlinkIpvs::open_with(&Options::default().timeout(ANSWER_TIMEOUT))
}

/// What `ipvs_init` and `ipvs_getinfo` learn about the kernel's IPVS (`extern struct
/// ip_vs_getinfo ipvs_info`). `num_services` is never filled: libipvs does not fill it over
/// netlink either.
#[no_mangle]
#[allow(non_upper_case_globals)]
pub static mut ipvs_info: ip_vs_getinfo = ip_vs_getinfo {
    version: 0,
    size: 0,
    num_services: 0,
};

/// Stores what the kernel said in `ipvs_info`, each field with one atomic store so a C
/// reader on another thread never sees half a number.
pub(crate) fn store_info(info: &KernelInfo) {
    // SAFETY: ipvs_info is a static that lives for the whole program; lvs writes its fields
    // only through these atomic views (never through references), and a u32 field has the
    // size and alignment of an AtomicU32.
    unsafe {
        let version = AtomicU32::from_ptr(&raw mut ipvs_info.version);
        let size = AtomicU32::from_ptr(&raw mut ipvs_info.size);
        version.store(info.version, Ordering::Relaxed);
        size.store(info.conn_table_size, Ordering::Relaxed);
    }
}

/// `ipvs_info.version`, read the way it is written.
pub(crate) fn info_version() -> u32 {
    // SAFETY: as in store_info; the field is only written atomically.
    unsafe { AtomicU32::from_ptr(&raw mut ipvs_info.version).load(Ordering::Relaxed) }
}

/// The process-wide handle, opened in the caller's network namespace when this process has
/// none.
pub(crate) fn handle() -> Result<Arc<NetlinkIpvs>, lvs_sys::Error> {
    let me = std::process::id();
    if let Some((_, h)) = HANDLE
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .filter(|(opener, _)| *opener == me)
    {
        return Ok(Arc::clone(h));
    }
    let mut slot = HANDLE.write().unwrap_or_else(PoisonError::into_inner);
    if let Some((opener, h)) = slot.as_ref() {
        if *opener == me {
            return Ok(Arc::clone(h));
        }
    }
    let h = Arc::new(open()?);
    *slot = Some((me, Arc::clone(&h)));
    Ok(h)
}

/// Opens a new process-wide handle in the calling thread's network namespace, replacing the
/// old one (as libipvs's `ipvs_init` probes afresh each time). Calls in flight finish on
/// the old handle.
pub(crate) fn reopen() -> Result<Arc<NetlinkIpvs>, lvs_sys::Error> {
    let h = Arc::new(open()?);
    *HANDLE.write().unwrap_or_else(PoisonError::into_inner) =
        Some((std::process::id(), Arc::clone(&h)));
    Ok(h)
}

/// Drops the process-wide handle; its socket closes when the last call using it returns.
pub(crate) fn close() {
    HANDLE
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
}

//! libipvs's process-wide state: the kernel handles behind `ipvs_init`/`ipvs_close`, and the
//! exported `ipvs_info`.
//!
//! libipvs opens a new netlink socket for every call, in the calling thread's network
//! namespace. lvs keeps a `NetlinkIpvs` per namespace instead (the last few used), opened
//! on first use in that namespace (or by `ipvs_init`) and dropped by `ipvs_close`: each call
//! looks up the calling thread's namespace (one `readlinkat`, see [`crate::netns`]) and
//! uses that namespace's handle, so a program that moves between namespaces with `setns()`
//! changes the table of the namespace it is in, as with libipvs.
//!
//! The handles are kept under a lock held only to look one up or store one (never while a
//! socket opens or the kernel answers), and the lock records which process holds it: a child
//! made by `fork()` while a thread of its parent held it (that thread does not exist in the
//! child) takes it over instead of waiting for it, and starts with no handles of its own.
//! Handles count only in the process that opened them: a child opens its own on first use
//! (closing its copies of the inherited ones), so parent and child never share a socket.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use lvs_core::KernelInfo;
use lvs_sys::{NetlinkIpvs, Options};

use crate::abi::ip_vs_getinfo;

/// A network namespace, as its inode number; `None` when /proc cannot say (then every call
/// shares one handle, as before namespaces were followed).
type NetnsId = Option<u64>;

/// The most namespaces a handle is kept for. Each kept handle holds its namespace alive
/// (a socket keeps its namespace), so few are kept: the least recently opened goes first.
const KEPT_NAMESPACES: usize = 4;

/// The handles of one process.
struct Handles {
    /// The process (see [`process_token`]) they belong to.
    owner: u64,
    /// One handle per namespace, oldest first.
    by_netns: Vec<(NetnsId, Arc<NetlinkIpvs>)>,
}

/// The process-wide handles behind a lock that records its holder's process.
struct Shared {
    /// 0 when free, else the [`process_token`] of the process whose thread holds it.
    lock: AtomicU64,
    handles: UnsafeCell<Handles>,
}

// SAFETY: `handles` is only reached through `with_handles`, which holds `lock` (by a thread
// of this process) for the whole access, so no two threads touch it at once.
unsafe impl Sync for Shared {}

static SHARED: Shared = Shared {
    lock: AtomicU64::new(0),
    handles: UnsafeCell::new(Handles {
        owner: 0,
        by_netns: Vec::new(),
    }),
};

/// Forks seen by this process and its ancestors (incremented in each child by a
/// `pthread_atfork` handler), so a child's token differs from its parent's even where pids
/// alone could be equal (a child that is pid 1 of a new pid namespace, like its parent).
static FORKS: AtomicU32 = AtomicU32::new(0);
static ATFORK: AtomicU32 = AtomicU32::new(0);

extern "C" fn after_fork_in_child() {
    // Async-signal-safe: one atomic increment.
    FORKS.fetch_add(1, Ordering::Relaxed);
}

/// A number that identifies this process among those sharing memory with it by `fork()`:
/// its pid and how many forks led to it. Never 0.
fn process_token() -> u64 {
    if ATFORK.swap(1, Ordering::Relaxed) == 0 {
        // SAFETY: registers a handler with no preconditions; the handler only increments an
        // atomic, which is async-signal-safe as a child handler must be.
        unsafe { libc::pthread_atfork(None, None, Some(after_fork_in_child)) };
    }
    // lvs-sys keeps the id (no getpid per call) and forgets it in forked children.
    (u64::from(lvs_sys::process_id()) << 32) | u64::from(FORKS.load(Ordering::Relaxed))
}

/// Runs `f` on this process's handles, holding the lock for no longer than `f` (which must
/// not block: it only looks up, stores or takes handles).
fn with_handles<T>(f: impl FnOnce(&mut Handles) -> T) -> T {
    let me = process_token();
    let mut inherited = false;
    loop {
        match SHARED
            .lock
            .compare_exchange_weak(0, me, Ordering::Acquire, Ordering::Relaxed)
        {
            Ok(_) => break,
            Err(0) => continue,
            Err(holder) if holder != me => {
                // Held by a thread of the process this one was forked from, which does not
                // exist here and will never let go: take it over. What it was changing may
                // be half changed, so it is left alone (leaked), not read.
                if SHARED
                    .lock
                    .compare_exchange(holder, me, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
                {
                    inherited = true;
                    break;
                }
            }
            // Another thread of this process, for the few instructions of a look-up.
            Err(_) => std::thread::yield_now(),
        }
    }
    struct Unlock;
    impl Drop for Unlock {
        fn drop(&mut self) {
            SHARED.lock.store(0, Ordering::Release);
        }
    }
    let _unlock = Unlock;
    // SAFETY: this thread holds the lock (see `Shared`), so the reference is the only one
    // for its life, which ends before the lock is released.
    let handles = unsafe { &mut *SHARED.handles.get() };
    if inherited {
        std::mem::forget(std::mem::replace(
            handles,
            Handles {
                owner: me,
                by_netns: Vec::new(),
            },
        ));
    }
    let mut stale = Vec::new();
    if handles.owner != me {
        // Inherited from the parent: not ours to use. Dropped below, outside the lock (only
        // this process's copies of their sockets close).
        stale = std::mem::take(&mut handles.by_netns);
        handles.owner = me;
    }
    let result = f(handles);
    drop(_unlock);
    drop(stale);
    result
}

/// The calling thread's network namespace.
fn current_netns() -> NetnsId {
    crate::netns::current(process_token())
}

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

/// The process-wide handle of the calling thread's network namespace, opened there when
/// this process has none for it.
pub(crate) fn handle() -> Result<Arc<NetlinkIpvs>, lvs_sys::Error> {
    let netns = current_netns();
    let found = with_handles(|h| {
        h.by_netns
            .iter()
            .find(|(ns, _)| *ns == netns)
            .map(|(_, handle)| Arc::clone(handle))
    });
    if let Some(handle) = found {
        return Ok(handle);
    }
    // Opened without the lock: a fork meanwhile leaves the child nothing to wait for.
    let opened = Arc::new(open()?);
    Ok(keep(netns, opened, false))
}

/// Keeps `opened` as the handle of `netns` and returns the one kept: the one another thread
/// stored meanwhile unless `replace`. Handles let go close once no call uses them.
fn keep(netns: NetnsId, opened: Arc<NetlinkIpvs>, replace: bool) -> Arc<NetlinkIpvs> {
    let mut dropped = None;
    let kept = with_handles(|h| {
        if let Some(i) = h.by_netns.iter().position(|(ns, _)| *ns == netns) {
            if !replace {
                return Arc::clone(&h.by_netns[i].1);
            }
            dropped = Some(h.by_netns.remove(i));
        } else if h.by_netns.len() >= KEPT_NAMESPACES {
            dropped = Some(h.by_netns.remove(0));
        }
        h.by_netns.push((netns, Arc::clone(&opened)));
        opened
    });
    drop(dropped); // outside the lock
    kept
}

/// Opens a new handle in the calling thread's network namespace, replacing that
/// namespace's old one (as libipvs's `ipvs_init` probes afresh each time). Calls in flight
/// finish on the old handle.
pub(crate) fn reopen() -> Result<Arc<NetlinkIpvs>, lvs_sys::Error> {
    let netns = current_netns();
    let opened = Arc::new(open()?);
    Ok(keep(netns, opened, true))
}

/// Drops the process-wide handles; each socket closes when the last call using it returns.
pub(crate) fn close() {
    let handles = with_handles(|h| std::mem::take(&mut h.by_netns));
    drop(handles);
    // The calling thread's namespace directory too, so that a program closing its session
    // holds no descriptor of lvs's (other threads keep theirs until they end or call again).
    crate::netns::forget();
}

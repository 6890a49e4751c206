//! The calling thread's network namespace, read on every libipvs call (a thread may enter
//! another with `setns()` between two calls) as cheaply as the kernel allows.
//!
//! A call reads the link `net` in the thread's own `/proc/thread-self/ns` directory, which
//! the kernel resolves at each read to the namespace the thread is in at that moment. The
//! directory is opened once per thread and kept (close-on-exec, closed when the thread
//! ends), so a call is one `readlinkat` of `net` in it: no walk of `/proc/thread-self/...`
//! and no `stat` of the namespace itself (for which the kernel makes a new inode each
//! time). In the test VM (Debian's 6.1 under QEMU without KVM) that read takes 38 µs where
//! `stat("/proc/thread-self/ns/net")` took 118 µs, the largest part of a libipvs call after
//! the kernel's own work; on the host 2.7 µs against 7.8 µs.
//!
//! A namespace is named by its inode number, which the link's text (`net:[4026531840]`)
//! carries: namespaces live in one internal filesystem, so the number alone tells two
//! live namespaces apart.
//!
//! The kept directory belongs to the process that opened it: a child made by `fork()`
//! inherits its parent's thread's directory in the forking thread's storage, so it opens its
//! own. A kept descriptor that no longer is what was opened (a program that closes every
//! descriptor, then opens others, may have reused its number) is never closed by lvs, only
//! forgotten, so lvs closes no descriptor of the program's.

use std::cell::RefCell;
use std::fs::File;
use std::os::fd::{AsRawFd, IntoRawFd};
use std::os::unix::fs::MetadataExt;

/// The directory whose `net` link names the calling thread's namespace.
const THREAD_NS_DIR: &str = "/proc/thread-self/ns";

/// The same link by its full path, for a thread whose storage is gone (a call from a
/// thread-local destructor).
const THREAD_NETNS: &str = "/proc/thread-self/ns/net";

/// A thread's open namespace directory.
struct Kept {
    /// `None` only while it is dropped.
    dir: Option<File>,
    /// The directory's device and inode when it was opened, to tell that the descriptor is
    /// still the one opened before closing it.
    id: (u64, u64),
    /// The process (`global::process_token`) it was opened in.
    process: u64,
}

impl Kept {
    fn open(process: u64) -> Option<Kept> {
        let dir = File::open(THREAD_NS_DIR).ok()?;
        let meta = dir.metadata().ok()?;
        Some(Kept {
            dir: Some(dir),
            id: (meta.dev(), meta.ino()),
            process,
        })
    }

    fn read(&self) -> Option<u64> {
        self.dir.as_ref().and_then(read_net)
    }
}

impl Drop for Kept {
    fn drop(&mut self) {
        let Some(dir) = self.dir.take() else { return };
        match dir.metadata() {
            Ok(meta) if (meta.dev(), meta.ino()) == self.id => drop(dir),
            // Not the directory opened (closed behind lvs's back, the number reused): the
            // descriptor is someone else's now, so it is left open.
            _ => {
                let _ = dir.into_raw_fd();
            }
        }
    }
}

thread_local! {
    static KEPT: RefCell<Option<Kept>> = const { RefCell::new(None) };
}

/// The calling thread's network namespace (its inode number), or `None` when /proc cannot
/// say. `process` is the calling process's token, so a forked child opens its own
/// directory.
pub(crate) fn current(process: u64) -> Option<u64> {
    let kept = KEPT.try_with(|kept| {
        let mut kept = kept.try_borrow_mut().ok()?;
        if let Some(ns) = kept
            .as_ref()
            .filter(|k| k.process == process)
            .and_then(Kept::read)
        {
            return Some(ns);
        }
        // First call on this thread, a forked child, or a directory that stopped
        // answering: the old one goes (closed only if it is still lvs's), a new one is
        // kept if it answers.
        *kept = None;
        let fresh = Kept::open(process)?;
        let ns = fresh.read()?;
        *kept = Some(fresh);
        Some(ns)
    });
    kept.ok().flatten().or_else(|| {
        let link = std::fs::read_link(THREAD_NETNS).ok()?;
        parse_link(link.as_os_str().as_encoded_bytes())
    })
}

/// Closes the calling thread's kept directory, if it has one (`ipvs_close`); the next call
/// opens it again.
pub(crate) fn forget() {
    let _ = KEPT.try_with(|kept| {
        if let Ok(mut kept) = kept.try_borrow_mut() {
            *kept = None;
        }
    });
}

/// The namespace named by the `net` link in a namespace directory.
fn read_net(dir: &File) -> Option<u64> {
    let mut buf = [0u8; 64];
    // SAFETY: the path is a NUL-terminated literal, `buf` is writable for the length
    // passed, and the descriptor is open for the life of `dir`.
    let n = unsafe {
        libc::readlinkat(
            dir.as_raw_fd(),
            c"net".as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    parse_link(buf.get(..usize::try_from(n).ok()?)?)
}

/// The inode number in a namespace link's text, `net:[NUMBER]`.
fn parse_link(text: &[u8]) -> Option<u64> {
    let digits = text.strip_prefix(b"net:[")?.strip_suffix(b"]")?;
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_text_gives_its_inode_and_nothing_else_does() {
        assert_eq!(parse_link(b"net:[4026531840]"), Some(4026531840));
        for bad in [
            &b"net:[]"[..],
            b"net:[12",
            b"mnt:[4026531840]",
            b"net:[-1]",
            b"net:[+1]",
            b"net:[99999999999999999999999]",
            b"",
        ] {
            assert_eq!(parse_link(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    /// The inode number of the calling thread's namespace as `stat` gives it.
    fn stat_inode() -> u64 {
        std::fs::metadata(THREAD_NETNS).unwrap().ino()
    }

    #[test]
    fn the_namespace_is_the_one_stat_names_on_every_thread() {
        let ns = current(1).expect("/proc names the namespace");
        assert_eq!(ns, stat_inode());
        assert_eq!(current(1), Some(ns), "kept");
        // As if this were a forked child: a new directory, the same answer.
        assert_eq!(current(2), Some(ns));
        std::thread::spawn(move || assert_eq!(current(1), Some(ns)))
            .join()
            .unwrap();
    }

    #[test]
    fn a_thread_that_enters_another_namespace_is_seen_in_it_at_once() {
        std::thread::spawn(|| {
            let before = current(1).expect("/proc names the namespace");
            // SAFETY: unshare(CLONE_NEWNET) moves only the calling thread (this test's
            // own, which ends right after) into a new namespace, or fails.
            if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
                eprintln!("skipped: no new network namespace without CAP_SYS_ADMIN");
                return;
            }
            let after = current(1).expect("/proc names the new namespace");
            assert_ne!(
                before, after,
                "the kept directory answered the old namespace"
            );
            assert_eq!(after, stat_inode());
        })
        .join()
        .unwrap();
    }

    /// The descriptor of the calling thread's kept directory and the directory's identity,
    /// if it has one.
    fn kept() -> Option<(i32, (u64, u64))> {
        KEPT.with(|k| {
            let k = k.borrow();
            let k = k.as_ref()?;
            Some((k.dir.as_ref()?.as_raw_fd(), k.id))
        })
    }

    /// Whether `fd` is open on the directory `id` names (tests in other threads may reuse
    /// a closed number, but for other files or their own threads' directories).
    fn is_open_on(fd: i32, id: (u64, u64)) -> bool {
        std::fs::metadata(format!("/proc/self/fd/{fd}")).is_ok_and(|m| (m.dev(), m.ino()) == id)
    }

    #[test]
    fn forgetting_closes_the_threads_directory_and_the_next_call_opens_it_again() {
        std::thread::spawn(|| {
            let ns = current(1).expect("/proc names the namespace");
            let (fd, id) = kept().expect("the directory is kept");
            assert!(is_open_on(fd, id));
            forget();
            assert_eq!(kept(), None);
            assert!(!is_open_on(fd, id), "forget closes it");
            assert_eq!(current(1), Some(ns));
            assert!(kept().is_some(), "kept again");
        })
        .join()
        .unwrap();
    }

    #[test]
    fn a_kept_descriptor_that_is_not_the_directory_is_left_open() {
        let file = File::open("/proc/self/status").unwrap();
        let fd = file.as_raw_fd();
        let mut kept = Kept::open(1).unwrap();
        // Point the kept entry at another open file, as when its number was reused.
        let dir = kept.dir.replace(file).unwrap();
        drop(dir);
        assert_eq!(kept.read(), None, "not a namespace directory");
        drop(kept);
        // SAFETY: only asks whether `fd` is open (F_GETFD takes no argument).
        let open = unsafe { libc::fcntl(fd, libc::F_GETFD) } >= 0;
        assert!(open, "lvs closed a descriptor that was not its own");
        // SAFETY: `fd` was left open by the drop above and nothing else owns it now.
        unsafe { libc::close(fd) };
    }
}

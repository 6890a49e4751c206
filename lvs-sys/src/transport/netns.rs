//! Work inside a network namespace without moving any thread of the caller: netlink sockets
//! and the kernel's per-namespace files (`/proc/net/ip_vs_conn`, `/proc/sys/net/ipv4/vs/*`).
//!
//! A socket keeps the namespace it was made in, and so does an open `/proc` file: the
//! kernel binds `/proc/thread-self/net/*` to the opening thread's namespace and
//! `/proc/sys/net/*` to the namespace it was looked up in. So each of them is made (or
//! opened) by a short-lived thread that entered the namespace and is used from any thread
//! afterwards. When the calling thread is in the namespace already (the usual case), the
//! work is done on it directly.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// The calling thread's network namespace as a file (per thread: a thread may have moved).
const THREAD_NETNS: &str = "/proc/thread-self/ns/net";

/// An open network namespace: the one a handle works in.
#[derive(Debug)]
pub(crate) struct Namespace {
    file: File,
    /// The namespace's identity (device and inode of its file), to tell whether the calling
    /// thread is in it.
    id: (u64, u64),
}

impl Namespace {
    /// The calling thread's namespace.
    pub(crate) fn current() -> io::Result<Namespace> {
        Namespace::from_file(File::open(THREAD_NETNS)?)
    }

    /// A namespace from an open namespace file (`/run/netns/NAME`, `/proc/PID/ns/net`).
    pub(crate) fn from_file(file: File) -> io::Result<Namespace> {
        let meta = file.metadata()?;
        Ok(Namespace {
            file,
            id: (meta.dev(), meta.ino()),
        })
    }

    /// Whether the calling thread is in this namespace now.
    fn is_current(&self) -> bool {
        std::fs::metadata(THREAD_NETNS)
            .map(|m| (m.dev(), m.ino()) == self.id)
            .unwrap_or(false)
    }

    /// Opens `path` (read-only, or for writing) as seen from inside the namespace.
    pub(crate) fn open(&self, path: &Path, write: bool) -> io::Result<File> {
        let open = || OpenOptions::new().read(!write).write(write).open(path);
        if self.is_current() {
            return open();
        }
        in_namespace(&self.file, open)?
    }

    /// The names in the directory `path` as seen from inside the namespace: opened and read
    /// there whole, as the kernel resolves a `/proc/sys/net` path (directory or file) in the
    /// namespace of the thread that looks it up.
    pub(crate) fn read_dir(&self, path: &Path) -> io::Result<Vec<OsString>> {
        let list = || {
            std::fs::read_dir(path)?
                .map(|entry| entry.map(|e| e.file_name()))
                .collect::<io::Result<Vec<_>>>()
        };
        if self.is_current() {
            return list();
        }
        in_namespace(&self.file, list)?
    }
}

/// Runs `work` on a throw-away thread that entered the namespace `ns`, and returns what it
/// returned; the caller's threads never change namespace.
pub(crate) fn in_namespace<R: Send>(ns: &File, work: impl FnOnce() -> R + Send) -> io::Result<R> {
    let fd = ns.as_raw_fd();
    std::thread::scope(|scope| {
        scope
            .spawn(move || {
                // SAFETY: `fd` is an open namespace file owned by `ns`, which outlives this
                // scoped thread; setns only changes the namespace of the calling thread,
                // which is this throw-away thread and ends right after `work`.
                if unsafe { libc::setns(fd, libc::CLONE_NEWNET) } != 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(work())
            })
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the namespace thread panicked")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_namespace_is_current_and_opens_files_directly() {
        let ns = Namespace::current().expect("/proc is mounted");
        assert!(ns.is_current());
        let mut text = String::new();
        use std::io::Read as _;
        ns.open(Path::new("/proc/thread-self/net/dev"), false)
            .expect("the thread's network devices")
            .read_to_string(&mut text)
            .unwrap();
        assert!(text.contains("lo:"), "{text}");
    }

    #[test]
    fn the_current_namespace_lists_directories_directly() {
        let ns = Namespace::current().expect("/proc is mounted");
        let names = ns.read_dir(Path::new("/proc/thread-self/net")).unwrap();
        assert!(names.iter().any(|n| n == "dev"), "{names:?}");
    }
}

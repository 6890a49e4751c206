//! One scrape: every namespace's IPVS table read through its handle and written into an
//! [`Exposition`] as it is read.

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use lvs_core::Ipvs as _;
use lvs_sys::NetlinkIpvs;

use crate::metrics::Exposition;

/// A namespace the exporter reads, with its handle while it has a working one.
#[derive(Debug)]
pub struct Namespace {
    /// The `netns` label: what `--netns` said, or empty for the exporter's own namespace.
    pub label: String,
    /// The namespace file; `None` for the exporter's own namespace.
    path: Option<PathBuf>,
    /// Open since start-up or the last reopening; `None` after a failed reopening.
    handle: Option<NetlinkIpvs>,
    /// The namespace file's identity (device, inode) when the handle was opened.
    opened: Option<(u64, u64)>,
}

impl Namespace {
    /// The exporter's own namespace, its handle opened now.
    pub fn own() -> Result<Namespace, lvs_sys::Error> {
        Namespace::open(String::new(), None)
    }

    /// The namespace `--netns ARG` names: a name under `/run/netns`, or a path if it has a
    /// `/`; its handle opened now.
    pub fn named(arg: &str) -> Result<Namespace, lvs_sys::Error> {
        let path = if arg.contains('/') {
            PathBuf::from(arg)
        } else {
            PathBuf::from("/run/netns").join(arg)
        };
        Namespace::open(arg.to_owned(), Some(path))
    }

    fn open(label: String, path: Option<PathBuf>) -> Result<Namespace, lvs_sys::Error> {
        let mut ns = Namespace {
            label,
            path,
            handle: None,
            opened: None,
        };
        ns.handle = Some(ns.open_handle()?);
        ns.opened = ns.path.as_deref().and_then(identity);
        Ok(ns)
    }

    fn open_handle(&self) -> Result<NetlinkIpvs, lvs_sys::Error> {
        match &self.path {
            Some(path) => NetlinkIpvs::open_in_netns(path),
            None => NetlinkIpvs::open(),
        }
    }

    /// Reopens the handle if the last one failed, or if the namespace file is no longer
    /// the namespace it was opened in: a handle keeps its namespace alive, and would go on
    /// reading it after `ip netns del` (and `ip netns add` of the same name) without ever
    /// failing. False if there is no handle now.
    fn reopen_if_failed(&mut self) -> bool {
        if let Some(path) = &self.path {
            if self.handle.is_some() && identity(path) != self.opened {
                eprintln!(
                    "lvs-exporter: netns {:?}: the namespace file changed",
                    self.label
                );
                self.handle = None;
            }
        }
        if self.handle.is_none() {
            match self.open_handle() {
                Ok(handle) => {
                    self.handle = Some(handle);
                    self.opened = self.path.as_deref().and_then(identity);
                }
                Err(e) => eprintln!("lvs-exporter: netns {:?}: reopen: {e}", self.label),
            }
        }
        self.handle.is_some()
    }

    /// Writes this namespace's services and real servers into `out`, and its `lvs_up`,
    /// duration and counts. A read that fails drops the handle (a socket in a bad state)
    /// and is tried once more on a new one; what a failed read had written is taken back,
    /// so a namespace is all there or `lvs_up` 0.
    pub fn scrape(&mut self, out: &mut Exposition) {
        let start = Instant::now();
        for attempt in 0..2 {
            let mark = out.mark();
            self.reopen_if_failed();
            let Some(handle) = &self.handle else { break };
            let (mut services, mut servers) = (0u64, 0u64);
            let label = &self.label;
            let read = handle.for_each_service(|entry, entry_servers| {
                services += 1;
                servers += entry_servers.len() as u64;
                out.service(label, &entry, &entry_servers);
            });
            match read {
                Ok(()) => {
                    out.namespace(&self.label, true, start.elapsed(), services, servers);
                    return;
                }
                Err(e) => {
                    eprintln!(
                        "lvs-exporter: netns {:?}: read (attempt {}): {e}",
                        self.label,
                        attempt + 1
                    );
                    out.rollback(&mark);
                    self.handle = None;
                }
            }
        }
        out.namespace(&self.label, false, start.elapsed(), 0, 0);
    }

    /// The kernel's IPVS information, if this namespace has a handle (after its read in
    /// this scrape) to ask with.
    fn kernel_info(&self) -> Option<lvs_core::KernelInfo> {
        self.handle.as_ref()?.info().ok()
    }
}

/// A file's device and inode: a namespace file's identity, the same for every path to it.
fn identity(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// A whole scrape's text: the kernel's information (from the first namespace that gives
/// it: it is the same in every one), then every namespace in the order given.
pub fn scrape(namespaces: &mut [Namespace]) -> Exposition {
    let mut out = Exposition::new();
    for ns in namespaces.iter_mut() {
        ns.scrape(&mut out);
    }
    if let Some(info) = namespaces.iter().find_map(Namespace::kernel_info) {
        out.kernel(&info);
    }
    out
}

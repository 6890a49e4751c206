//! One scrape: every namespace's IPVS table read through its handle and written into an
//! [`Exposition`] as it is read.

use std::path::PathBuf;
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
        };
        ns.handle = Some(ns.open_handle()?);
        Ok(ns)
    }

    fn open_handle(&self) -> Result<NetlinkIpvs, lvs_sys::Error> {
        match &self.path {
            Some(path) => NetlinkIpvs::open_in_netns(path),
            None => NetlinkIpvs::open(),
        }
    }

    /// Reopens the handle if the last one failed; false if it cannot be.
    fn reopen_if_failed(&mut self) -> bool {
        if self.handle.is_none() {
            match self.open_handle() {
                Ok(handle) => self.handle = Some(handle),
                Err(e) => eprintln!("lvs-exporter: netns {:?}: reopen: {e}", self.label),
            }
        }
        self.handle.is_some()
    }

    /// Writes this namespace's services and real servers into `out`, and its `lvs_up`,
    /// duration and counts. A read that fails drops the handle (a namespace deleted and
    /// made again, a socket in a bad state) and is tried once more on a new one; what a
    /// failed read had written is taken back, so a namespace is all there or `lvs_up` 0.
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

    /// The kernel's IPVS information, if this namespace's handle can ask for it.
    fn kernel_info(&mut self) -> Option<lvs_core::KernelInfo> {
        self.reopen_if_failed();
        self.handle.as_ref()?.info().ok()
    }
}

/// A whole scrape's text: the kernel's information (from the first namespace that gives
/// it: it is the same in every one), then every namespace in the order given.
pub fn scrape(namespaces: &mut [Namespace]) -> String {
    let mut out = Exposition::new();
    for ns in namespaces.iter_mut() {
        ns.scrape(&mut out);
    }
    if let Some(info) = namespaces.iter_mut().find_map(Namespace::kernel_info) {
        out.kernel(&info);
    }
    out.finish()
}

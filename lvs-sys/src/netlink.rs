//! `NetlinkIpvs`: lvs-core's operations over the kernel's IPVS generic-netlink family.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::mpsc::{self, SyncSender};
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::Duration;

use lvs_core::listing::{
    ConnReadError, Connection as ConnectionEntry, ConnectionFilter, ConnectionReader, ProcTable,
};
use lvs_core::ops::APPLY_GROUP;
use lvs_core::validate::validate_request_limits;
use lvs_core::{
    ApplyError, DaemonRole, Ipvs, KernelInfo, Operation, Outcome, RealServer, RealServerEntry,
    Service, ServiceEntry, ServiceKey, SyncDaemon, SysctlSetting, SysctlValue, Table, Timeouts,
    VirtualService,
};

use crate::codec::consts::attr;
use crate::codec::message::{attrs, find_attr, OperationRequest, Request};
use crate::codec::{config, daemon, dest, service, DecodeError};
use crate::errno::{error_for, op_name as errno_name, Context};
use crate::error::Error;
#[cfg(feature = "kernel-tests")]
pub use crate::transport::TransportStats;
use crate::transport::{Connection, Namespace, Outgoing, Payload};

/// The least wait for the answer to starting or stopping a sync daemon, whatever the
/// handle's timeout: the kernel answers only once its sync threads have started or
/// stopped, which took over 10 s on a loaded machine (a timeout would leave the caller not
/// knowing whether the daemon runs).
const DAEMON_TIMEOUT: Duration = Duration::from_secs(120);

/// The entries of a connection table as they are read (see
/// [`NetlinkIpvs::connections_iter`]); after an error it yields nothing more.
#[derive(Debug)]
pub struct Connections {
    reader: ConnectionReader<BufReader<File>>,
    filter: ConnectionFilter,
}

impl Iterator for Connections {
    type Item = Result<ConnectionEntry, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let op = "read the connection table";
        loop {
            let entry = match self.reader.next()? {
                Ok(entry) => entry,
                Err(ConnReadError::Parse(source)) => {
                    return Some(Err(Error::ConnectionTable { source }))
                }
                Err(ConnReadError::Io(source)) => return Some(Err(Error::Io { op, source })),
                Err(other) => {
                    return Some(Err(Error::Io {
                        op,
                        source: std::io::Error::other(other.to_string()),
                    }))
                }
            };
            if self.filter.matches(&entry) {
                return Some(Ok(entry));
            }
        }
    }
}

/// Whether an operation makes the kernel start or stop threads before it answers.
fn waits_for_threads(op: &Operation) -> bool {
    matches!(op, Operation::StartDaemon(_) | Operation::StopDaemon(_))
}

/// How to open a [`NetlinkIpvs`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// The longest wait for any one answer from the kernel (default 10 s; starting and
    /// stopping a sync daemon waits at least 2 minutes, as the kernel answers only once
    /// its threads have started or stopped).
    pub timeout: Duration,
    /// The network namespace to work in (a path like `/run/netns/NAME`); the caller's when
    /// `None`.
    pub netns: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            timeout: Duration::from_secs(10),
            netns: None,
        }
    }
}

impl Options {
    /// Sets the longest wait for an answer.
    pub fn timeout(mut self, timeout: Duration) -> Options {
        self.timeout = timeout;
        self
    }

    /// Works in the network namespace at `path`.
    pub fn netns(mut self, path: impl Into<PathBuf>) -> Options {
        self.netns = Some(path.into());
        self
    }
}

/// Services from which a whole-table read lists real servers over several sockets at once.
const PARALLEL_READ_MIN: usize = 256;

/// The most extra sockets a whole-table read lists real servers over.
const MAX_READERS: usize = 4;

/// Services a reader claims at a time: few enough to share the work out evenly, enough
/// that readers rarely meet on the shared counter.
const READ_CLAIM: usize = 16;

/// A handle on the kernel's IPVS table of one network namespace.
///
/// It owns one netlink socket (close-on-exec, connected to the kernel, taking answers from
/// the kernel only) with the family resolved once, and can be shared between threads:
/// requests are serialised and every answer is matched to its request. Reading a large
/// table opens a few more sockets in the same namespace, once, so that the kernel lists
/// several services' real servers at a time (a socket runs one dump at a time, and the
/// kernel answers one dump per service).
///
/// Each socket asks for a 4 MiB receive buffer, past `net.core.rmem_max` when the caller
/// has CAP_NET_ADMIN, so that the answers to a batch fit; a dump that loses answers all
/// the same is read again whole on a new socket.
///
/// # After `fork()`
///
/// A handle belongs to the process that opened it. Used in a child made by `fork()`, it
/// first opens new sockets of its own, in the namespace the handle was opened in (the
/// inherited socket's, whichever namespace the child is in by then), so parent and child
/// can both go on using their copies at once: neither takes the other's answers. If
/// another thread of the parent was inside a call on the handle at the moment of the fork,
/// the child's copy stays locked by a thread the child does not have; its calls then fail
/// at once with [`Error::LockedAcrossFork`] instead of waiting forever (open a new handle
/// in the child).
#[derive(Debug)]
pub struct NetlinkIpvs {
    conn: Mutex<Connection>,
    /// The process whose thread holds `conn`, 0 when none does (see [`NetlinkIpvs::lock`]).
    holder: AtomicU32,
    /// The extra sockets for whole-table reads, opened on the first large read.
    readers: Mutex<Vec<Connection>>,
    /// The namespace the handle was opened in, kept open so the extra sockets are made in
    /// that one even if its path is gone or points elsewhere by then.
    netns: Option<File>,
    /// The same namespace (the caller's at open, when none was given), for the kernel's
    /// per-namespace files; `None` if `/proc` could not tell it at open.
    home: Option<Namespace>,
    timeout: Duration,
}

impl NetlinkIpvs {
    /// Opens a handle in the caller's network namespace with default options.
    pub fn open() -> Result<NetlinkIpvs, Error> {
        NetlinkIpvs::open_with(&Options::default())
    }

    /// Opens a handle in the network namespace at `path` (e.g. `/run/netns/NAME`), without
    /// moving any thread of the caller into it.
    pub fn open_in_netns(path: impl AsRef<Path>) -> Result<NetlinkIpvs, Error> {
        NetlinkIpvs::open_with(&Options::default().netns(path.as_ref()))
    }

    /// Opens a handle with options.
    pub fn open_with(options: &Options) -> Result<NetlinkIpvs, Error> {
        let netns = options
            .netns
            .as_deref()
            .map(|path| {
                File::open(path).map_err(|source| Error::Netns {
                    path: path.to_owned(),
                    source,
                })
            })
            .transpose()?;
        let conn = Connection::open(netns.as_ref(), options.timeout)?;
        let home = match &netns {
            Some(file) => file.try_clone().and_then(Namespace::from_file).ok(),
            None => Namespace::current().ok(),
        };
        Ok(NetlinkIpvs {
            conn: Mutex::new(conn),
            holder: AtomicU32::new(0),
            readers: Mutex::new(Vec::new()),
            netns,
            home,
            timeout: options.timeout,
        })
    }

    /// Opens one of the kernel's per-namespace files (`/proc/thread-self/net/...`,
    /// `/proc/sys/net/...`) as the handle's network namespace has it, from any thread.
    pub(crate) fn open_namespace_file(
        &self,
        path: &Path,
        write: bool,
        op: &'static str,
    ) -> Result<File, Error> {
        self.home(op)?
            .open(path, write)
            .map_err(namespace_io_error(op))
    }

    /// The entries of the connection table that `filter` chooses, read as they are
    /// iterated: the kernel's `/proc/net/ip_vs_conn` (or `ip_vs_conn_sync`, see
    /// [`ConnectionFilter::with_origin`]) of the handle's network namespace, opened there
    /// and read 64 KiB at a time, so memory stays that of one read whatever the table's
    /// size. The iterator owns an open file, not the handle: it may outlive calls on it.
    ///
    /// The kernel writes the file as it walks its connection hash table, so a table that
    /// changes meanwhile may show an entry twice or miss one, as `ipvsadm -L -c` does.
    pub fn connections_iter(&self, filter: &ConnectionFilter) -> Result<Connections, Error> {
        let op = "read the connection table";
        let path = Path::new("/proc/thread-self/net").join(filter.file().proc_name());
        let file = self.open_namespace_file(&path, false, op)?;
        Ok(Connections {
            reader: ConnectionReader::new(BufReader::with_capacity(64 * 1024, file)),
            filter: filter.clone(),
        })
    }

    /// The names in one of the kernel's per-namespace directories (`/proc/sys/net/...`) as
    /// the handle's network namespace has it, from any thread.
    pub(crate) fn list_namespace_dir(
        &self,
        path: &Path,
        op: &'static str,
    ) -> Result<Vec<std::ffi::OsString>, Error> {
        self.home(op)?
            .read_dir(path)
            .map_err(namespace_io_error(op))
    }

    /// The handle's network namespace, for reaching its files from any thread.
    fn home(&self, op: &'static str) -> Result<&Namespace, Error> {
        self.home.as_ref().ok_or_else(|| Error::Io {
            op,
            source: std::io::Error::other("/proc did not tell the handle's network namespace"),
        })
    }

    /// The kernel's own text of the sysctl `net.ipv4.vs.NAME` of the handle's namespace
    /// (its final newline removed), for any name: what `sysctl -n` prints, without lvs's
    /// reading of it ([`Ipvs::sysctl`] gives the typed value).
    pub fn sysctl_text(&self, name: &str) -> Result<String, Error> {
        crate::sysctl::read_text(self, name)
    }

    /// Writes text to the sysctl `net.ipv4.vs.NAME` of the handle's namespace as it is,
    /// for any name, without lvs's check of the value: what `sysctl -w` does, so the kernel
    /// alone decides (a refusal is [`lvs_core::Error::SysctlRefused`] with its errno).
    /// [`Ipvs::set_sysctl`] checks first.
    pub fn set_sysctl_text(&self, name: &str, text: &str) -> Result<(), Error> {
        crate::sysctl::write_text(self, name, text)
    }

    /// Takes the main socket. A poisoned lock only means another thread panicked
    /// mid-exchange; the connection skips stale answers by sequence number, so it stays
    /// usable. A lock held by a thread of another process (the parent this one was forked
    /// from, while it was in a call) will never be released here: that is an error, not a
    /// wait without end.
    fn lock(&self, op: &'static str) -> Result<ConnGuard<'_>, Error> {
        let me = crate::transport::process::id();
        let guard = match self.conn.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => {
                let holder = self.holder.load(Ordering::Acquire);
                if holder != 0 && holder != me {
                    return Err(Error::LockedAcrossFork { op });
                }
                self.conn.lock().unwrap_or_else(|p| p.into_inner())
            }
        };
        self.holder.store(me, Ordering::Release);
        Ok(ConnGuard {
            guard,
            holder: &self.holder,
        })
    }

    /// Sets the sequence number of the main socket's last request, so a test can have the
    /// next batch cross the wrap of the 32-bit counter. Not part of the API.
    #[cfg(feature = "kernel-tests")]
    #[doc(hidden)]
    pub fn set_sequence_for_tests(&self, seq: u32) -> Result<(), Error> {
        self.lock("set sequence")?.set_seq(seq);
        Ok(())
    }

    /// The main socket's receive buffer as the kernel counts it (`SO_RCVBUF`, twice what
    /// was granted). Not part of the API.
    #[cfg(feature = "kernel-tests")]
    #[doc(hidden)]
    pub fn recv_buffer_for_tests(&self) -> Result<usize, Error> {
        self.lock("read the receive buffer size")?.recv_buffer()
    }

    /// Sets the main socket's receive buffer with `SO_RCVBUF` (capped by
    /// `net.core.rmem_max`, at least the kernel's minimum) and says what it became, so a
    /// test can measure with the default cap or make the kernel drop answers. A socket
    /// that replaces it gets the usual size again. Not part of the API.
    #[cfg(feature = "kernel-tests")]
    #[doc(hidden)]
    pub fn set_recv_buffer_for_tests(&self, bytes: usize) -> Result<usize, Error> {
        self.lock("set the receive buffer size")?
            .set_recv_buffer(bytes)
    }

    /// Makes the main socket's next dump, once its first part is read, send `requests`
    /// requests whose answers no one reads (with a small receive buffer, an overrun while
    /// the dump runs). Not part of the API.
    #[cfg(feature = "kernel-tests")]
    #[doc(hidden)]
    pub fn flood_next_dump_for_tests(&self, requests: usize) -> Result<(), Error> {
        self.lock("flood the next dump")?.flood_next_dump(requests);
        Ok(())
    }

    /// What the handle's sockets (the main one and the kept read sockets) went through:
    /// overruns, dumps read again, sockets replaced, answers lost. Not part of the API.
    #[cfg(feature = "kernel-tests")]
    #[doc(hidden)]
    pub fn transport_stats_for_tests(&self) -> Result<TransportStats, Error> {
        let mut stats = self.lock("read transport stats")?.stats();
        let readers = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        for reader in readers.iter() {
            stats += reader.stats();
        }
        Ok(stats)
    }

    /// [`Ipvs::apply`] with `group` requests per system call instead of
    /// [`APPLY_GROUP`], to measure what larger batches would do. Not part of the API.
    #[cfg(feature = "kernel-tests")]
    #[doc(hidden)]
    pub fn apply_in_groups_for_tests(
        &self,
        operations: &[Operation],
        group: usize,
    ) -> Result<(), ApplyError<Error>> {
        self.apply_in_groups(operations, group)
    }

    /// [`NetlinkIpvs::apply_in_groups_for_tests`] without the pipeline (the next group
    /// framed on a second thread), to compare the two. Not part of the API.
    #[cfg(feature = "kernel-tests")]
    #[doc(hidden)]
    pub fn apply_group_by_group_for_tests(
        &self,
        operations: &[Operation],
        group: usize,
    ) -> Result<(), ApplyError<Error>> {
        self.apply_grouped(operations, group, false)
    }

    fn exchange(
        &self,
        request: &dyn Outgoing,
        context: Context<'_>,
    ) -> Result<Vec<Payload>, Error> {
        let mut conn = self.lock(context.name())?;
        let answer = match context {
            Context::Op(op) if waits_for_threads(op) => {
                conn.waiting_at_least(DAEMON_TIMEOUT, |c| c.exchange(request, context.name()))
            }
            _ => conn.exchange(request, context.name()),
        };
        answer?.map_err(|(errno, message)| error_for(context, errno, message))
    }

    fn run(&self, op: &Operation) -> Result<(), Error> {
        validate_request_limits(op)?;
        match (op, OperationRequest::new(op)) {
            (_, Some(request)) => self.exchange(&request, Context::Op(op)).map(drop),
            (Operation::SetSysctl(s), None) => crate::sysctl::write(self, &s.name, &s.value),
            (_, None) => Err(Error::Io {
                op: errno_name(op),
                source: std::io::Error::other("an operation with no request"),
            }),
        }
    }

    /// `last` (a service dump) with each service one of the `earlier` dumps listed and it
    /// skipped, asked for by its key and put in its place; those gone meanwhile are left out.
    fn with_skipped_services(
        &self,
        last: Vec<ServiceEntry>,
        earlier: &[Vec<ServiceKey>],
    ) -> Result<Vec<ServiceEntry>, Error> {
        let keys: Vec<ServiceKey> = last.iter().map(|e| e.service.key).collect();
        let mut recovered = Vec::new();
        for skipped in crate::skipped::skipped(&keys, earlier) {
            match self.service(&skipped.key) {
                Ok(entry) => recovered.push((skipped.after, entry)),
                Err(e) if lvs_core::Classify::kind(&e) == lvs_core::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(crate::skipped::merge(last, recovered))
    }

    /// One dump of the services, without repeated keys; says whether there were any.
    /// Each message is decoded as it arrives, so a large table is never held twice;
    /// `expected` is how many a previous read found, to size the list once instead of
    /// growing it by copies.
    fn dump_services(&self, expected: usize) -> Result<(Vec<ServiceEntry>, bool), Error> {
        let op = "list services";
        // The keys' hashes, not the keys: the set is a third of the size. A hash seen
        // before is a repeat only if an entry has the key (a collision is not).
        let hasher = std::collections::hash_map::RandomState::new();
        let mut seen = std::collections::HashSet::new();
        let mut repeated = false;
        let mut entries = Vec::with_capacity(expected);
        let mut conn = self.lock(op)?;
        let answer = conn.exchange_each(&Request::dump_services(), op, &mut |restart, data| {
            if restart {
                seen.clear();
                entries.clear();
                repeated = false;
            }
            if let Some((_, payload)) = data {
                let n = nest(payload, attr::SERVICE, op, "SERVICE")?;
                let entry = service::decode(&n).map_err(decode_err(op))?.entry;
                let key = entry.service.key;
                if seen.insert(std::hash::BuildHasher::hash_one(&hasher, key))
                    || !entries.iter().any(|e: &ServiceEntry| e.service.key == key)
                {
                    entries.push(entry);
                } else {
                    repeated = true;
                }
            }
            Ok(())
        })?;
        answer.map_err(|(errno, message)| error_for(Context::Read(op), errno, message))?;
        entries.shrink_to_fit();
        Ok((entries, repeated))
    }

    /// Every service with its real servers, in as few round trips as the kernel allows:
    /// one dump of services, then one dump per service, spread over several sockets for
    /// a large table.
    pub fn table_with_stats(&self) -> Result<Vec<(ServiceEntry, Vec<RealServerEntry>)>, Error> {
        let mut table = Vec::new();
        self.for_each_service(|service, servers| table.push((service, servers)))?;
        Ok(table)
    }

    /// Every service with the real servers as a plain listing shows them (`ipvsadm -L -n`
    /// without `--stats`, `--rate`, `--thresholds`, `--persistent-conn` or `--tun-info`), in
    /// two reads whatever the table's size: the services dump, and the kernel's
    /// `/proc/net/ip_vs` of the handle's namespace for the real servers
    /// ([`ProcTable`]). At 10,000 services that is several times faster than one dump per
    /// service ([`NetlinkIpvs::table_with_stats`]).
    ///
    /// The real servers carry their address, forwarding method (a tunnel as IP-in-IP: the
    /// file does not tell its kind), weight and active and inactive counts; thresholds,
    /// persistent counts and counters are 0. A service the file does not list (added
    /// between the two reads, or skipped by a read that other namespaces' changes moved),
    /// shows twice, or cannot tell apart (one firewall mark with an IPv4 and an IPv6
    /// service) has its real servers dumped over netlink; a service gone by then is
    /// left out; a file that cannot be opened or read as expected makes this read the
    /// table as [`NetlinkIpvs::table_with_stats`] does.
    pub fn table_for_listing(&self) -> Result<Vec<(ServiceEntry, Vec<RealServerEntry>)>, Error> {
        let mut table = Vec::new();
        self.for_each_listed_service(false, |entry, servers| table.push((entry, servers)))?;
        Ok(table)
    }

    /// [`NetlinkIpvs::table_for_listing`] handed to `visit` a service at a time, in lvs's
    /// listing order ([`lvs_core::order::cmp_services`]) when `sorted`, else the kernel's:
    /// what a caller that prints a large listing as it goes wants. It holds the services'
    /// entries and what the file tells of each real server (a third of the entries it
    /// hands over), not the file's text.
    pub fn for_each_listed_service(
        &self,
        sorted: bool,
        mut visit: impl FnMut(ServiceEntry, Vec<RealServerEntry>),
    ) -> Result<(), Error> {
        let mut services = self.services()?;
        let Some(mut proc) = self.proc_table(services.len()) else {
            // The services are read already: only the real servers are dumped.
            if sorted {
                sort_services(&mut services);
            }
            return self.visit_services(services, visit);
        };
        // A mark both families use cannot be told apart in the file, even when the file
        // shows it once (its read can skip a service while other namespaces change theirs).
        let mut families: std::collections::HashMap<u32, lvs_core::Family> = Default::default();
        for entry in &services {
            if let ServiceKey::Fwmark { mark, family } = entry.service.key {
                if *families.entry(mark).or_insert(family) != family {
                    proc.mark_ambiguous(mark);
                }
            }
        }
        drop(families);
        if sorted {
            sort_services(&mut services);
        }
        for entry in services {
            let servers = match proc.take_servers(&entry.service.key) {
                Some(servers) => servers,
                None => match Ipvs::servers(self, &entry.service.key) {
                    Ok(servers) => servers,
                    Err(e) if lvs_core::Classify::kind(&e) == lvs_core::ErrorKind::NotFound => {
                        continue
                    }
                    Err(e) => return Err(e),
                },
            };
            visit(entry, servers);
        }
        Ok(())
    }

    /// The handle's namespace's `/proc/net/ip_vs` (with room for `services`, the count the
    /// services dump gave), or `None` if it cannot be read as lvs expects it.
    fn proc_table(&self, services: usize) -> Option<ProcTable> {
        let op = "read /proc/net/ip_vs";
        let mut file = self
            .open_namespace_file(Path::new("/proc/thread-self/net/ip_vs"), false, op)
            .ok()?;
        // A line at a time: the text of a large table is megabytes.
        let mut reader = std::io::BufReader::with_capacity(64 * 1024, &mut file);
        let mut table = ProcTable::with_capacity(services);
        let mut line = String::new();
        loop {
            line.clear();
            if std::io::BufRead::read_line(&mut reader, &mut line).ok()? == 0 {
                return Some(table);
            }
            let text = line.strip_suffix('\n').unwrap_or(&line);
            table.push_line(text).ok()?;
        }
    }

    /// Hands every service with its real servers and stats to `visit`, in the order the
    /// kernel lists the services, without keeping all the real servers: what a caller
    /// that prints or exports a large table wants.
    ///
    /// Like [`NetlinkIpvs::table_with_stats`], a large table (256 services or more) has
    /// its real servers listed over up to 4 extra sockets at once (no more than the CPUs),
    /// each read by a thread of its own; the extra sockets are opened in the handle's
    /// namespace on the first large read and kept. If no extra socket can be had, it reads
    /// with the handle's own.
    ///
    /// `visit` runs on the calling thread with no lock of the handle held, so it may use
    /// the handle itself (even read the table again): the extra sockets are this read's
    /// alone while it lasts, and the handle's own socket is taken only for each request,
    /// never across a call of `visit`.
    pub fn for_each_service(
        &self,
        visit: impl FnMut(ServiceEntry, Vec<RealServerEntry>),
    ) -> Result<(), Error> {
        self.visit_services(self.services()?, visit)
    }

    /// [`NetlinkIpvs::for_each_service`] in lvs's listing order
    /// ([`lvs_core::order::cmp_services`]), the order [`lvs_core::rules::save`] writes:
    /// what [`lvs_core::rules::SaveWriter`] wants, to save a large table as it is read.
    /// Only the services' entries are held, not the real servers.
    pub fn for_each_service_sorted(
        &self,
        visit: impl FnMut(ServiceEntry, Vec<RealServerEntry>),
    ) -> Result<(), Error> {
        let mut services = self.services()?;
        sort_services(&mut services);
        self.visit_services(services, visit)
    }

    /// Reads the real servers of `services` and hands each over in the order given.
    fn visit_services(
        &self,
        services: Vec<ServiceEntry>,
        mut visit: impl FnMut(ServiceEntry, Vec<RealServerEntry>),
    ) -> Result<(), Error> {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        if services.len() >= PARALLEL_READ_MIN && cpus > 1 {
            let mut readers = self.take_readers();
            while readers.len() < cpus.min(MAX_READERS) {
                match Connection::open(self.netns.as_ref(), self.timeout) {
                    Ok(conn) => readers.push(conn),
                    Err(_) => break, // read with the sockets there are
                }
            }
            if !readers.is_empty() {
                let read = read_parallel(&mut readers, services, &mut visit);
                self.return_readers(readers);
                return read;
            }
        }
        for service in services {
            let servers =
                dump_servers(&mut *self.lock("list real servers")?, &service.service.key)?;
            visit(service, servers);
        }
        Ok(())
    }

    /// The kept extra sockets, for one read to use alone; none if another thread is
    /// taking or returning them right now (or was when this process was forked).
    fn take_readers(&self) -> Vec<Connection> {
        match self.readers.try_lock() {
            Ok(mut kept) => std::mem::take(&mut *kept),
            Err(TryLockError::Poisoned(p)) => std::mem::take(&mut *p.into_inner()),
            Err(TryLockError::WouldBlock) => Vec::new(),
        }
    }

    /// Keeps a read's extra sockets for the next read, up to [`MAX_READERS`]; the rest
    /// (opened by reads that ran at the same time) close.
    fn return_readers(&self, mut readers: Vec<Connection>) {
        let kept = match self.readers.try_lock() {
            Ok(kept) => Some(kept),
            Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        };
        if let Some(mut kept) = kept {
            let room = MAX_READERS.saturating_sub(kept.len());
            readers.truncate(room);
            kept.append(&mut readers);
        }
    }
}

/// The main socket, with the record of which process holds it.
struct ConnGuard<'a> {
    guard: MutexGuard<'a, Connection>,
    holder: &'a AtomicU32,
}

impl std::ops::Deref for ConnGuard<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.guard
    }
}

impl std::ops::DerefMut for ConnGuard<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.guard
    }
}

impl Drop for ConnGuard<'_> {
    fn drop(&mut self) {
        // Cleared before the mutex is released (the guard field drops after this).
        self.holder.store(0, Ordering::Release);
    }
}

/// Lists the real servers of `services` over `readers`, a thread each, and visits them in
/// the kernel's order on the calling thread.
fn read_parallel(
    readers: &mut [Connection],
    services: Vec<ServiceEntry>,
    visit: &mut impl FnMut(ServiceEntry, Vec<RealServerEntry>),
) -> Result<(), Error> {
    let keys: Vec<ServiceKey> = services.iter().map(|s| s.service.key).collect();
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    // Each reader sends the real servers of the services it claimed, a chunk at a time;
    // the bound keeps readers from running far ahead of `visit`.
    let (sender, receiver) = mpsc::sync_channel::<Chunk>(2 * readers.len());
    let work = |conn: &mut Connection, sender: SyncSender<Chunk>| {
        while !failed.load(Ordering::Relaxed) {
            let start = next.fetch_add(READ_CLAIM, Ordering::Relaxed);
            if start >= keys.len() {
                break;
            }
            let end = (start + READ_CLAIM).min(keys.len());
            let chunk: Result<Vec<_>, Error> = keys[start..end]
                .iter()
                .map(|key| dump_servers(conn, key))
                .collect();
            if chunk.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
            if sender.send(chunk.map(|c| (start, c))).is_err() {
                break; // the caller gave up
            }
        }
    };
    let work = &work;
    std::thread::scope(|scope| {
        let mut spawned = 0;
        let mut spawn_error = None;
        for conn in readers.iter_mut() {
            let sender = sender.clone();
            match std::thread::Builder::new()
                .name("lvs-read".into())
                .spawn_scoped(scope, move || work(conn, sender))
            {
                Ok(_) => spawned += 1,
                Err(source) => spawn_error = Some(source),
            }
        }
        drop(sender);
        if spawned == 0 {
            return Err(Error::Io {
                op: "start reader threads",
                source: spawn_error.unwrap_or_else(|| std::io::Error::other("none started")),
            });
        }
        // Chunks arrive in any order; services are visited in the kernel's.
        let mut services = services.into_iter();
        let mut waiting = BTreeMap::new();
        let mut visited = 0;
        for chunk in receiver {
            let (start, servers) = chunk?; // dropping the receiver stops the readers
            waiting.insert(start, servers);
            while let Some(servers) = waiting.remove(&visited) {
                visited += servers.len();
                // The chunk's lists first: zip takes from its first iterator first, so no
                // service is taken past the chunk's end.
                for (servers, service) in servers.into_iter().zip(services.by_ref()) {
                    visit(service, servers);
                }
            }
        }
        if visited < keys.len() {
            return Err(Error::Io {
                op: "list real servers",
                source: std::io::Error::other("a reader thread stopped early"),
            });
        }
        Ok(())
    })
}

/// What a reader thread sends: the index of its first service and each service's real
/// servers, or the error that stopped it.
type Chunk = Result<(usize, Vec<Vec<RealServerEntry>>), Error>;

/// One dump of a service's real servers on `conn`, decoded as the messages arrive.
fn dump_servers(conn: &mut Connection, key: &ServiceKey) -> Result<Vec<RealServerEntry>, Error> {
    let op = "list real servers";
    let mut entries = Vec::new();
    let answer = conn.exchange_each(&Request::dump_servers(key), op, &mut |restart, data| {
        if restart {
            entries.clear();
        }
        if let Some((_, payload)) = data {
            let n = nest(payload, attr::DEST, op, "DEST")?;
            entries.push(
                dest::decode(&n, key.family())
                    .map_err(decode_err(op))?
                    .entry,
            );
        }
        Ok(())
    })?;
    answer.map_err(|(errno, message)| error_for(Context::Read(op), errno, message))?;
    Ok(entries)
}

fn decode_err(op: &'static str) -> impl Fn(DecodeError) -> Error {
    move |source| Error::Decode { op, source }
}

fn nest<'a>(
    payload: &'a [u8],
    kind: u16,
    op: &'static str,
    name: &'static str,
) -> Result<crate::codec::nla::Attr<'a>, Error> {
    find_attr(payload, kind)
        .map_err(decode_err(op))?
        .ok_or(Error::Decode {
            op,
            source: DecodeError::Missing {
                what: "reply",
                attr: name,
            },
        })
}

impl Ipvs for NetlinkIpvs {
    type Error = Error;

    fn info(&self) -> Result<KernelInfo, Error> {
        let op = "get info";
        let replies = self.exchange(&Request::get_info(), Context::Read(op))?;
        let (_, payload) = replies.first().ok_or(Error::Decode {
            op,
            source: DecodeError::Missing {
                what: "reply",
                attr: "INFO",
            },
        })?;
        config::decode_info(attrs(payload)).map_err(decode_err(op))
    }

    fn add_service(&self, s: &Service) -> Result<(), Error> {
        self.run(&Operation::AddService(s.clone()))
    }

    fn edit_service(&self, s: &Service) -> Result<(), Error> {
        self.run(&Operation::EditService(s.clone()))
    }

    fn delete_service(&self, key: &ServiceKey) -> Result<(), Error> {
        self.run(&Operation::DeleteService(*key))
    }

    fn service(&self, key: &ServiceKey) -> Result<ServiceEntry, Error> {
        let op = "get service";
        let replies = self.exchange(&Request::get_service(key), Context::GetService(key))?;
        let (_, payload) = replies
            .first()
            .ok_or_else(|| error_for(Context::GetService(key), libc::ESRCH, None))?;
        let n = nest(payload, attr::SERVICE, op, "SERVICE")?;
        Ok(service::decode(&n).map_err(decode_err(op))?.entry)
    }

    fn services(&self) -> Result<Vec<ServiceEntry>, Error> {
        // The kernel resumes a multi-part service dump by counting services in hash tables
        // shared by every network namespace, so services added or removed in another
        // namespace meanwhile make a dump repeat or skip some of ours (seen on 6.12 with
        // tests running in parallel). A repeat shows as a duplicate key and is dropped; a
        // skip cannot be seen in one dump, so a dump that may have come in several parts is
        // read until two reads agree. Under sustained churn every read can skip a
        // different service: after the last attempt, each service an earlier read listed
        // and the last did not is asked for by its key (a get is not resumed, so it cannot
        // skip) and kept if it is there, in the place the read that listed it gave it
        // (crate::skipped), so the table still comes in the kernel's order.
        // Only the earlier reads' keys are kept, not their entries: a large table's
        // entries are megabytes.
        let mut previous: Option<Vec<ServiceKey>> = None;
        let mut earlier: Vec<Vec<ServiceKey>> = Vec::new();
        let mut attempt = 1;
        loop {
            let expected = previous.as_ref().map_or(0, Vec::len);
            let (entries, repeated) = self.dump_services(expected)?;
            if !repeated && entries.len() <= SINGLE_PART_SERVICES {
                return Ok(entries);
            }
            let keys = sorted_keys(&entries);
            if previous.as_ref() == Some(&keys) {
                return Ok(entries);
            }
            if attempt >= DUMP_ATTEMPTS {
                return self.with_skipped_services(entries, &earlier);
            }
            earlier.push(entries.iter().map(|e| e.service.key).collect());
            previous = Some(keys);
            attempt += 1;
        }
    }

    fn servers(&self, key: &ServiceKey) -> Result<Vec<RealServerEntry>, Error> {
        let mut conn = self.lock("list real servers")?;
        dump_servers(&mut conn, key)
    }

    /// Like the provided method, with the real servers read over several sockets for a
    /// large table.
    fn read_table(&self) -> Result<Table, Error> {
        let mut services = Vec::new();
        self.for_each_service(|s, servers| {
            services.push(VirtualService::new(
                s.service,
                servers.into_iter().map(|e| e.server).collect(),
            ))
        })?;
        Ok(Table::new(services))
    }

    fn add_server(&self, key: &ServiceKey, server: &RealServer) -> Result<(), Error> {
        self.run(&Operation::AddServer(*key, *server))
    }

    fn edit_server(&self, key: &ServiceKey, server: &RealServer) -> Result<(), Error> {
        self.run(&Operation::EditServer(*key, *server))
    }

    fn delete_server(&self, key: &ServiceKey, server: &SocketAddr) -> Result<(), Error> {
        self.run(&Operation::DeleteServer(*key, *server))
    }

    fn flush(&self) -> Result<(), Error> {
        self.run(&Operation::Flush)
    }

    fn zero(&self, key: Option<&ServiceKey>) -> Result<(), Error> {
        self.run(&Operation::Zero(key.copied()))
    }

    fn timeouts(&self) -> Result<Timeouts, Error> {
        let op = "get timeouts";
        let replies = self.exchange(&Request::get_timeouts(), Context::Read(op))?;
        let (_, payload) = replies.first().ok_or(Error::Decode {
            op,
            source: DecodeError::Missing {
                what: "reply",
                attr: "TIMEOUT_TCP",
            },
        })?;
        config::decode_timeouts(attrs(payload)).map_err(decode_err(op))
    }

    fn set_timeouts(&self, timeouts: &Timeouts) -> Result<(), Error> {
        self.run(&Operation::SetTimeouts(*timeouts))
    }

    fn start_daemon(&self, d: &SyncDaemon) -> Result<(), Error> {
        self.run(&Operation::StartDaemon(d.clone()))
    }

    fn stop_daemon(&self, role: DaemonRole) -> Result<(), Error> {
        self.run(&Operation::StopDaemon(role))
    }

    /// Reads the connection table with [`NetlinkIpvs::connections_iter`]. Taking no lock
    /// of the handle, `visit` may use the handle.
    fn for_each_connection(
        &self,
        filter: &ConnectionFilter,
        visit: &mut dyn FnMut(ConnectionEntry) -> ControlFlow<()>,
    ) -> Result<(), Error> {
        for entry in self.connections_iter(filter)? {
            if visit(entry?).is_break() {
                break;
            }
        }
        Ok(())
    }

    /// Reads `/proc/sys/net/ipv4/vs/NAME` as the handle's network namespace has it (opened
    /// there, read from the calling thread).
    fn sysctl(&self, name: &str) -> Result<SysctlValue, Error> {
        crate::sysctl::read(self, name)
    }

    /// Checks the value ([`lvs_core::sysctl::check`]), then writes it to
    /// `/proc/sys/net/ipv4/vs/NAME` of the handle's network namespace, with a newline.
    fn set_sysctl(&self, name: &str, value: &SysctlValue) -> Result<(), Error> {
        crate::sysctl::write(self, name, value)
    }

    /// Lists `/proc/sys/net/ipv4/vs/` inside the handle's network namespace and reads each
    /// knob.
    fn sysctls(&self) -> Result<Vec<SysctlSetting>, Error> {
        crate::sysctl::list(self)
    }

    fn daemons(&self) -> Result<Vec<SyncDaemon>, Error> {
        let op = "list daemons";
        let replies = self.exchange(&Request::dump_daemons(), Context::Read(op))?;
        replies
            .iter()
            .map(|(_, payload)| {
                let n = nest(payload, attr::DAEMON, op, "DAEMON")?;
                Ok(daemon::decode(&n).map_err(decode_err(op))?.daemon)
            })
            .collect()
    }

    /// Applies operations in groups of [`APPLY_GROUP`] requests per system call, every
    /// answer matched to its request. The kernel carries out every request of a group it
    /// received, so the operations after a failing one in the same group have their own
    /// outcomes (applied or failed); after a group in which one failed, nothing more is
    /// sent ([`Ipvs::apply`]'s rule, which `MemoryIpvs` follows too). An operation the
    /// kernel could not even parse (a name too long for its attribute) is refused here with
    /// the kernel's meaning and not sent; the rest of its group is. An operation whose
    /// answer the kernel dropped (a receive buffer too small for the group's answers,
    /// which lvs sizes so that a group's fit) is [`Outcome::Unknown`]: read the table to
    /// learn whether it took effect.
    fn apply(&self, operations: &[Operation]) -> Result<(), ApplyError<Error>> {
        match operations {
            [op] => self.apply_single(op),
            _ => self.apply_in_groups(operations, APPLY_GROUP),
        }
    }
}

impl NetlinkIpvs {
    /// [`NetlinkIpvs::apply_in_groups`] of one operation, the common case of callers that
    /// apply operations one by one (a C program on libipvs makes one call per rule): the
    /// same request, outcome and error, without the grouping's lists and with the request
    /// framed straight into the socket's send buffer.
    fn apply_single(&self, op: &Operation) -> Result<(), ApplyError<Error>> {
        let outcome = match self.lock("apply") {
            Err(e) => Outcome::Failed(e),
            Ok(mut conn) => match validate_request_limits(op) {
                Err(e) => Outcome::Failed(Error::from(e)),
                Ok(()) => match OperationRequest::new(op) {
                    Some(request) => {
                        let answer = if waits_for_threads(op) {
                            conn.waiting_at_least(DAEMON_TIMEOUT, |c| {
                                c.exchange_batch_of_one(&request)
                            })
                        } else {
                            conn.exchange_batch_of_one(&request)
                        };
                        match answer {
                            Ok(Some(Ok(()))) => Outcome::Applied,
                            Ok(Some(Err((errno, message)))) => {
                                Outcome::Failed(error_for(Context::Op(op), errno, message))
                            }
                            // Lost to an overrun: it may or may not have taken effect.
                            Ok(None) => Outcome::Unknown,
                            Err(e) => Outcome::Failed(e),
                        }
                    }
                    // Written with the socket held, as in a group.
                    None => self.apply_without_request(op),
                },
            },
        };
        match outcome {
            Outcome::Applied => Ok(()),
            failed => Err(ApplyError {
                outcomes: vec![failed],
            }),
        }
    }

    /// The outcome of an operation that is no netlink request: a sysctl is written to its
    /// file; anything else cannot be applied.
    fn apply_without_request(&self, op: &Operation) -> Outcome<Error> {
        match op {
            Operation::SetSysctl(s) => match crate::sysctl::write(self, &s.name, &s.value) {
                Ok(()) => Outcome::Applied,
                Err(e) => Outcome::Failed(e),
            },
            other => Outcome::Failed(Error::Io {
                op: errno_name(other),
                source: std::io::Error::other("an operation with no request"),
            }),
        }
    }

    /// [`Ipvs::apply`] with `group` requests per system call: through the pipeline where
    /// it [suits](crate::pipeline::suits) them, with the same requests and outcomes.
    fn apply_in_groups(
        &self,
        operations: &[Operation],
        group_size: usize,
    ) -> Result<(), ApplyError<Error>> {
        let pipelined = crate::pipeline::suits(operations, group_size);
        self.apply_grouped(operations, group_size, pipelined)
    }

    fn apply_grouped(
        &self,
        operations: &[Operation],
        group_size: usize,
        pipelined: bool,
    ) -> Result<(), ApplyError<Error>> {
        let mut outcomes: Vec<Outcome<Error>> = Vec::with_capacity(operations.len());
        let mut conn = match self.lock("apply") {
            Ok(conn) => conn,
            Err(e) => {
                let mut outcomes: Vec<Outcome<Error>> =
                    operations.iter().map(|_| Outcome::NotSent).collect();
                if let Some(first) = outcomes.first_mut() {
                    *first = Outcome::Failed(e);
                }
                return Err(ApplyError { outcomes });
            }
        };
        if pipelined {
            let failed = crate::pipeline::apply(&mut conn, operations, group_size, &mut outcomes);
            drop(conn);
            return if failed {
                Err(ApplyError { outcomes })
            } else {
                Ok(())
            };
        }
        let mut failed = false;
        for group in operations.chunks(group_size.max(1)) {
            if failed {
                outcomes.extend(group.iter().map(|_| Outcome::NotSent));
                continue;
            }
            let first = outcomes.len();
            outcomes.extend(group.iter().map(|_| Outcome::NotSent));
            let (refused, sendable) = split_by_limits(group);
            for (i, e) in refused {
                outcomes[first + i] = Outcome::Failed(e);
                failed = true;
            }
            // In order: runs of netlink requests, one system call each, between the sysctl
            // writes (files, not requests), so every operation of the group is attempted
            // in its place, as in one batch.
            // Each request is framed straight into the send buffer, not copied from one
            // of its own.
            let mut run: Vec<(usize, OperationRequest<'_>)> = Vec::with_capacity(sendable.len());
            let mut broken = false;
            for &i in &sendable {
                match OperationRequest::new(&group[i]) {
                    Some(request) => run.push((i, request)),
                    None => {
                        if !send_run(&mut conn, group, &mut run, &mut outcomes[first..]) {
                            broken = true;
                            break;
                        }
                        outcomes[first + i] = self.apply_without_request(&group[i]);
                    }
                }
            }
            if !broken && !send_run(&mut conn, group, &mut run, &mut outcomes[first..]) {
                broken = true;
            }
            // A broken exchange leaves the rest of the group unsent.
            failed = failed || broken || group_failed(&outcomes[first..]);
        }
        drop(conn);
        if failed {
            Err(ApplyError { outcomes })
        } else {
            Ok(())
        }
    }
}

/// The operations of `group` over the kernel's limits (by index in the group, with the
/// error) and the indexes of the others, to send: how both applies check a group.
pub(crate) fn split_by_limits(group: &[Operation]) -> (Vec<(usize, Error)>, Vec<usize>) {
    let mut refused = Vec::new();
    let mut sendable = Vec::with_capacity(group.len());
    for (i, op) in group.iter().enumerate() {
        match validate_request_limits(op) {
            Ok(()) => sendable.push(i),
            Err(e) => refused.push((i, Error::from(e))),
        }
    }
    (refused, sendable)
}

/// Whether a group's outcomes end the apply: one failed, or may have (its answer was lost).
pub(crate) fn group_failed(outcomes: &[Outcome<Error>]) -> bool {
    outcomes
        .iter()
        .any(|o| matches!(o, Outcome::Failed(_) | Outcome::Unknown))
}

/// The error of a file of the handle's namespace that could not be opened or listed.
fn namespace_io_error(op: &'static str) -> impl Fn(std::io::Error) -> Error {
    move |source| match source.raw_os_error() {
        Some(libc::EACCES) | Some(libc::EPERM) => Error::PermissionDenied { op },
        _ => Error::Io { op, source },
    }
}

/// Sends a run of requests of one group in one system call and records each answer in
/// `outcomes` ([`record_exchange`]); empties the run. Returns false when the exchange broke.
fn send_run(
    conn: &mut Connection,
    group: &[Operation],
    run: &mut Vec<(usize, OperationRequest<'_>)>,
    outcomes: &mut [Outcome<Error>],
) -> bool {
    if run.is_empty() {
        return true;
    }
    let (indices, requests): (Vec<usize>, Vec<OperationRequest<'_>>) = run.drain(..).unzip();
    let answers = if indices.iter().any(|&i| waits_for_threads(&group[i])) {
        conn.waiting_at_least(DAEMON_TIMEOUT, |c| c.exchange_batch(&requests))
    } else {
        conn.exchange_batch(&requests)
    };
    record_exchange(group, &indices, answers, outcomes)
}

/// Records the answers of an exchange of the operations of `group` at `indices` in
/// `outcomes` (the group's, by index in the group; an answer the kernel dropped is
/// unknown). Returns false when the exchange broke: the first of them then has the error
/// and the others are unknown.
pub(crate) fn record_exchange(
    group: &[Operation],
    indices: &[usize],
    answers: Result<Vec<Option<crate::transport::Answer>>, Error>,
    outcomes: &mut [Outcome<Error>],
) -> bool {
    match answers {
        Ok(answers) => {
            for (&i, answer) in indices.iter().zip(answers) {
                outcomes[i] = match answer {
                    Some(Ok(_)) => Outcome::Applied,
                    Some(Err((errno, message))) => {
                        Outcome::Failed(error_for(Context::Op(&group[i]), errno, message))
                    }
                    // Lost to an overrun: it may or may not have taken effect.
                    None => Outcome::Unknown,
                };
            }
            true
        }
        Err(e) => {
            // The run was sent but its answers were not all read.
            outcomes[indices[0]] = Outcome::Failed(e);
            for &i in &indices[1..] {
                outcomes[i] = Outcome::Unknown;
            }
            false
        }
    }
}

/// How many times a service dump is read before settling for the last read and what the
/// earlier ones listed that it did not.
const DUMP_ATTEMPTS: usize = 4;

/// Services that fit in the first part of a dump (the kernel's first dump buffer is at least
/// a page less overhead, a service with its counters about 300 bytes): a dump of at most
/// this many without a repeat was not resumed, so nothing was skipped.
const SINGLE_PART_SERVICES: usize = 8;

/// Sorts a read's services into lvs's listing order. Their keys are unique (a dump's
/// repeats are dropped), so an unstable sort gives the stable sort's order without its
/// scratch copy of the entries (megabytes at 10,000 services).
fn sort_services(services: &mut [ServiceEntry]) {
    services.sort_unstable_by(|a, b| lvs_core::order::cmp_services(&a.service.key, &b.service.key));
}

fn sorted_keys(entries: &[ServiceEntry]) -> Vec<ServiceKey> {
    let mut keys: Vec<ServiceKey> = entries.iter().map(|e| e.service.key).collect();
    keys.sort_by(lvs_core::order::cmp_services);
    keys
}

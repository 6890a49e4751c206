//! Writing a table as rule text: lossless ([`save`]) or as `ipvsadm -S -n` does
//! ([`save_ipvsadm`]), and one operation as the line that performs it.

use std::fmt::{self, Write as _};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::error::{Problem, RuleError};
use super::line::{MAX_NAME, MAX_PE_NAME, MAX_TIMEOUT};
use crate::model::{
    DaemonRole, Family, ForwardMethod, Protocol, RealServer, SchedFlags, Scheduler, Service,
    ServiceFlags, ServiceKey, SyncDaemon, Timeouts, Tunnel, TunnelChecksum, TunnelKind,
};
use crate::ops::Operation;
#[cfg(doc)]
use crate::order::cmp_services;
use crate::order::{cmp_servers, sort_by_service};
use crate::sysctl::{self, SysctlSetting};
use crate::table::{Table, VirtualService};

/// The rule text of a table, lossless: reading it back with [`table_from_rules`] gives
/// the same table, and a plan between the two is empty, for every table the kernel (or
/// [`crate::MemoryIpvs`]) can hold.
///
/// The text is `ipvsadm -S -n`'s where ipvsadm can say the value, with what it leaves out
/// added in its own options (`-x`, `-y`; `-M` and `--pe` on services that are not
/// persistent), and lvs's `--lvs-...` extensions (see the [module docs](super)) where
/// ipvsadm has no word for the value. When the table states them, the sysctls come first as
/// `--lvs-sysctl NAME=VALUE` lines (in the table's order, each value as
/// [`sysctl::check`] returns it; before the daemons, since some are read when a daemon
/// starts), the timeouts as a `--set` line and the sync daemons as `--start-daemon` lines,
/// then the services in [`cmp_services`] order, each followed by its real servers in
/// [`cmp_servers`] order.
///
/// A name that the text could not carry safely (empty, longer than the kernel's field, with
/// a blank or a control character, or `ipvsadm`, a word restore text drops) and a value no
/// kernel can hold (firewall mark 0, a sync id above 255, a daemon role other than master
/// or backup, ...) are refused with a [`RuleError`] whose line and column say where in the
/// text the value would have gone.
///
/// [`table_from_rules`]: super::table_from_rules
pub fn save(table: &Table) -> Result<String, RuleError> {
    let mut saver = SaveWriter::lossless();
    saver.settings(&table.sysctls, table.timeouts.as_ref(), &table.daemons);
    saver.table_services(table);
    saver.take()
}

/// The rule text of a table, byte for byte as `ipvsadm -S -n` (1.31) prints it.
///
/// Services come in [`cmp_services`] order, each followed by its real servers in
/// [`cmp_servers`] order; every line ends with a newline; an empty table gives an empty
/// string. Like ipvsadm, the text leaves out what ipvsadm does not save, so reading it back
/// can give another table; [`save`] is lossless. What this text loses:
/// - the timeouts, sync daemons and sysctls (ipvsadm saves only services);
/// - real-server thresholds (`-x`, `-y`);
/// - the netmask, persistence engine and timeout of services that are not persistent;
/// - the forwarding method `Local` (written as `-g`, read back as direct routing), and the
///   port of a direct-routing or tunnelled real server that differs from its service's
///   (ipvsadm reads the service's port instead);
/// - service flags ipvsadm has no option for;
///
/// and what it writes but no reader takes back: the forwarding method `Bypass` and other
/// numbers as `(null)`, other protocols as `--xxx-service`, tunnel types and checksum modes
/// it does not know as nothing (GRE with remote checksum as plain GRE), weights above
/// 65535, persistence timeouts of 0 or above 31 days, `-o` on TCP and SCTP services, port 0
/// on services that are not persistent. Names are written as they are, even when that
/// breaks the text (a scheduler name with a newline starts a new line).
///
/// Where this differs from ipvsadm 1.31:
/// - firewall marks are printed unsigned (`%u`, as ipvsadm does since 2020); 1.31 prints
///   marks above 2^31 as negative numbers (`%d`);
/// - `flag-3` is printed for `sh` and `mh` services too (ipvsadm leaves it out, and prints a
///   bare `-b` when it is the only flag, which it cannot read back);
/// - the order is lvs's (see [`crate::order`]) where ipvsadm's comparator wraps around.
pub fn save_ipvsadm(table: &Table) -> String {
    let mut saver = SaveWriter::ipvsadm();
    saver.table_services(table);
    saver.take().unwrap_or_default()
}

/// [`save`] or [`save_ipvsadm`] a service at a time, for a caller that reads a large table
/// service by service and writes the text as it goes instead of holding the whole table
/// and its text.
///
/// The text is exactly what the whole-table function gives for the same table when the
/// caller passes the settings first (lossless text only) and then every service in
/// [`cmp_services`] order (what [`sort_by_service`] gives), and takes the text at any
/// service boundary. The writer sorts each service's real servers itself.
///
/// The first value that cannot be written (see [`save`]; the `ipvsadm` text refuses
/// nothing) makes that and every later [`SaveWriter::take`] fail with its [`RuleError`],
/// whose line counts from the start of the whole text. The text taken before it stays
/// written: a caller that must not leave a partial text behind checks the result of each
/// take before it commits what it wrote.
///
/// ```
/// use lvs_core::rules::{save, table_from_rules, SaveWriter};
///
/// let text = "-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 1\n";
/// let table = table_from_rules(text).unwrap();
/// let mut saver = SaveWriter::lossless();
/// let mut written = String::new();
/// for vs in &table.services {
///     saver.service(&vs.service, &vs.servers);
///     written.push_str(&saver.take().unwrap()); // or write it out
/// }
/// assert_eq!(written, save(&table).unwrap());
/// ```
#[derive(Debug)]
pub struct SaveWriter {
    w: Writer,
}

impl SaveWriter {
    /// A writer of [`save`]'s lossless text.
    pub fn lossless() -> SaveWriter {
        SaveWriter {
            w: Writer::new(Mode::Full),
        }
    }

    /// A writer of [`save_ipvsadm`]'s text, byte for byte `ipvsadm -S -n`.
    pub fn ipvsadm() -> SaveWriter {
        SaveWriter {
            w: Writer::new(Mode::Ipvsadm),
        }
    }

    /// Writes the lines that come before the services in [`save`]'s text: the sysctls in
    /// the order given, the timeouts, the sync daemons by role. The `ipvsadm` text has none
    /// of them, and its writer writes nothing here.
    pub fn settings(
        &mut self,
        sysctls: &[SysctlSetting],
        timeouts: Option<&Timeouts>,
        daemons: &[SyncDaemon],
    ) {
        let w = &mut self.w;
        if w.mode == Mode::Ipvsadm {
            return;
        }
        for setting in sysctls {
            w.sysctl(setting);
            w.end_line();
        }
        if let Some(t) = timeouts {
            w.timeouts(t);
            w.end_line();
        }
        let mut daemons: Vec<&SyncDaemon> = daemons.iter().collect();
        daemons.sort_by_key(|d| d.role);
        for daemon in daemons {
            w.daemon(daemon);
            w.end_line();
        }
    }

    /// Writes one service and its real servers (in [`cmp_servers`] order, whatever the
    /// order given).
    pub fn service(&mut self, service: &Service, servers: &[RealServer]) {
        let mut sorted: Vec<&RealServer> = servers.iter().collect();
        sorted.sort_by(|a, b| cmp_servers(a, b));
        self.w.service("-A", service);
        self.w.end_line();
        for server in sorted {
            self.w.server("-a", &service.key, server);
            self.w.end_line();
        }
    }

    /// Every service of a table, in [`cmp_services`] order.
    fn table_services(&mut self, table: &Table) {
        // Sorted by reference: a sorted copy would double what a large save holds.
        let mut services: Vec<&VirtualService> = table.services.iter().collect();
        sort_by_service(&mut services, |vs| &vs.service.key);
        for vs in services {
            self.service(&vs.service, &vs.servers);
        }
    }

    /// The text written since the last take, or the first value that could not be
    /// written.
    pub fn take(&mut self) -> Result<String, RuleError> {
        self.w.take()
    }
}

/// One operation as the rule line that performs it, without a newline: what a dry run
/// prints. Every line reads back ([`super::parse_line`]) as exactly the operation, as the
/// kernel would take it: service and real-server lines are complete (every property, so
/// `-E` and `-e` do not fall back to ipvsadm's defaults), in the same syntax as [`save`],
/// with lvs's extensions where ipvsadm has no word.
///
/// Fails like [`save`] for a name that cannot be written safely or a value no kernel can
/// hold (line 1, at the column of the value).
pub fn operation_line(op: &Operation) -> Result<String, RuleError> {
    let mut w = Writer::new(Mode::Full);
    match op {
        Operation::AddService(s) => w.service("-A", s),
        Operation::EditService(s) => w.service("-E", s),
        Operation::DeleteService(k) => {
            w.push("-D ");
            w.service_option(k, false);
        }
        Operation::AddServer(k, d) => w.server("-a", k, d),
        Operation::EditServer(k, d) => w.server("-e", k, d),
        Operation::DeleteServer(k, a) => {
            w.push("-d ");
            w.service_option(k, false);
            w.push(&format!(" -r {}", socket_addr(a)));
        }
        Operation::Flush => w.push("-C"),
        Operation::Zero(None) => w.push("-Z"),
        Operation::Zero(Some(k)) => {
            w.push("-Z ");
            w.service_option(k, false);
        }
        Operation::SetTimeouts(t) => w.timeouts(t),
        Operation::StartDaemon(d) => w.daemon(d),
        Operation::StopDaemon(role) => {
            w.push("--stop-daemon ");
            w.role(*role);
        }
        Operation::SetSysctl(setting) => w.sysctl(setting),
    }
    w.end_line();
    let mut line = w.take()?;
    line.pop();
    Ok(line)
}

/// Which text a [`Writer`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `ipvsadm -S -n`, byte for byte.
    Ipvsadm,
    /// Everything the kernel keeps, with lvs's extensions where ipvsadm has no word.
    Full,
}

/// Builds rule text line by line, keeping the first value it could not write.
#[derive(Debug)]
struct Writer {
    mode: Mode,
    out: String,
    /// Where the current line starts in `out` (text taken before it is gone).
    line_start: usize,
    /// The number of the current line, from 1.
    line: usize,
    error: Option<RuleError>,
}

impl Writer {
    fn new(mode: Mode) -> Writer {
        Writer {
            mode,
            out: String::new(),
            line_start: 0,
            line: 1,
            error: None,
        }
    }

    fn push(&mut self, text: &str) {
        self.out.push_str(text);
    }

    fn end_line(&mut self) {
        self.out.push('\n');
        self.line += 1;
        self.line_start = self.out.len();
    }

    /// The text so far, emptied, or the first failure. Taken at the end of a line, so
    /// the next line starts at 0 and keeps its number.
    fn take(&mut self) -> Result<String, RuleError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        self.line_start = self.line_start.saturating_sub(self.out.len());
        Ok(std::mem::take(&mut self.out))
    }

    /// Records a problem at the current end of the line (where the value would go).
    fn fail(&mut self, token: &str, problem: Problem) {
        if self.error.is_none() {
            let column = self.out[self.line_start..].chars().count() + 1;
            self.error = Some(RuleError::new(self.line, column, token, problem));
        }
    }

    /// Writes a name, after checking (in lossless mode) that the text can carry it: the
    /// same rules as the reader's, so that what is written reads back.
    fn name(&mut self, what: &'static str, name: &str, max: usize) {
        if self.mode == Mode::Full {
            let problem = if name.is_empty() {
                Some(Problem::EmptyName(what))
            } else if name == "ipvsadm" {
                Some(Problem::ReservedName(what))
            } else if name.len() > max {
                Some(Problem::NameTooLong { what, max })
            } else if name.chars().any(|c| c.is_control() || c.is_whitespace()) {
                Some(Problem::UnsafeName(what))
            } else {
                None
            };
            if let Some(problem) = problem {
                self.fail(name, problem);
                return;
            }
        }
        self.push(name);
    }

    fn unsaveable(&mut self, field: &'static str, value: impl fmt::Debug) {
        let value = format!("{value:?}");
        self.fail(&value.clone(), Problem::Unsaveable { field, value });
    }

    fn timeouts(&mut self, t: &Timeouts) {
        let fits = [t.tcp, t.tcp_fin, t.udp]
            .iter()
            .all(|&v| i64::from(v) <= MAX_TIMEOUT);
        let command = if fits { "--set" } else { "--lvs-set" };
        self.push(&format!("{command} {} {} {}", t.tcp, t.tcp_fin, t.udp));
    }

    /// `--lvs-sysctl NAME=VALUE`, the value as [`sysctl::check`] returns it, its words one
    /// space apart. A name or value the reader would refuse, or a value whose later words
    /// the reader would take for something else (a word starting with `-`, the word
    /// `ipvsadm`, a control character), cannot be written.
    fn sysctl(&mut self, setting: &SysctlSetting) {
        self.push("--lvs-sysctl ");
        let name = sysctl::short_name(&setting.name);
        let value = match sysctl::check(name, &setting.value) {
            Ok(value) => value.to_string(),
            Err(e) => {
                let token = format!("{name}={}", setting.value);
                self.fail(&token, Problem::InvalidSysctl(e.to_string()));
                return;
            }
        };
        let unsafe_word = value
            .split(' ')
            .skip(1)
            .any(|w| w.starts_with('-') || w == "ipvsadm");
        if unsafe_word || value.chars().any(char::is_control) {
            self.unsaveable("sysctl value", &value);
        }
        self.push(&format!("{name}={value}"));
    }

    /// `master`, `backup`; other roles cannot be written (ipvsadm knows only the two).
    fn role(&mut self, role: DaemonRole) {
        match role {
            DaemonRole::Master => self.push("master"),
            DaemonRole::Backup => self.push("backup"),
            other => match self.mode {
                Mode::Full => self.unsaveable("role", other),
                Mode::Ipvsadm => self.push(&other.number().to_string()),
            },
        }
    }

    /// `--start-daemon ROLE --mcast-interface IF --syncid N [...]`.
    fn daemon(&mut self, d: &SyncDaemon) {
        self.push("--start-daemon ");
        self.role(d.role);
        self.push(" --mcast-interface ");
        self.name("interface", &d.interface, MAX_NAME);
        // The kernel keeps the sync id in a byte, and ipvsadm reads 0..=255.
        if d.sync_id > 255 {
            self.unsaveable("sync_id", d.sync_id);
        }
        self.push(&format!(" --syncid {}", d.sync_id));
        if let Some(len) = d.max_len {
            if !(1..=65507).contains(&len) {
                self.unsaveable("max_len", len);
            }
            self.push(&format!(" --sync-maxlen {len}"));
        }
        if let Some(group) = d.group {
            if !group.is_multicast() {
                self.unsaveable("group", group);
            }
            self.push(&format!(" --mcast-group {group}"));
        }
        if let Some(port) = d.port {
            if port == 0 {
                self.unsaveable("port", port);
            }
            self.push(&format!(" --mcast-port {port}"));
        }
        if let Some(ttl) = d.ttl {
            if ttl == 0 {
                self.unsaveable("ttl", ttl);
            }
            self.push(&format!(" --mcast-ttl {ttl}"));
        }
    }

    /// `-A SVC -s SCHED [-p T [-M MASK] [--pe NAME]] [-o] [-b FLAGS]` (or `-E ...`); in
    /// lossless mode the netmask and engine of any service, and lvs's options.
    fn service(&mut self, command: &str, service: &Service) {
        let full = self.mode == Mode::Full;
        self.push(command);
        self.push(" ");
        // ipvsadm refuses port 0 on a service that is not persistent.
        self.service_option(&service.key, !service.is_persistent());
        self.push(" -s ");
        self.name("scheduler", service.scheduler.name(), MAX_NAME);
        let persistent = service.is_persistent();
        if persistent {
            if full && !(1..=MAX_TIMEOUT).contains(&i64::from(service.timeout)) {
                // A bare `-p` makes the service persistent; the value comes after.
                self.push(&format!(" -p --lvs-timeout {}", service.timeout));
            } else {
                self.push(&format!(" -p {}", service.timeout));
            }
        } else if full && service.timeout != 0 {
            self.push(&format!(" --lvs-timeout {}", service.timeout));
        }
        if persistent || full {
            let raw = service.netmask.to_raw();
            match service.key.family() {
                Family::Ipv6 if raw != 128 => {
                    if full && !(1..=128).contains(&raw) {
                        self.unsaveable("netmask", service.netmask);
                    }
                    self.push(&format!(" -M {raw}"));
                }
                Family::Ipv6 => {}
                _ if raw != u32::MAX => {
                    self.push(&format!(" -M {}", Ipv4Addr::from(raw)));
                }
                _ => {}
            }
            if let Some(pe) = service.pe_name.as_deref().filter(|pe| !pe.is_empty()) {
                self.push(" --pe ");
                self.name("persistence engine", pe, MAX_PE_NAME);
            }
        }
        // `-o` is only for UDP and firewall-mark services; lossless text gives it to the
        // others in `--lvs-flags`.
        let ops_allowed = match service.key {
            ServiceKey::Addr { protocol, .. } => protocol.number() == Protocol::Udp.number(),
            ServiceKey::Fwmark { .. } => true,
        };
        let one_packet = service.flags.contains(ServiceFlags::ONE_PACKET);
        if one_packet && (ops_allowed || !full) {
            self.push(" -o");
        }
        let flags = service.sched_flags();
        if !flags.is_empty() {
            let names = sched_flag_names(&service.scheduler, flags);
            self.push(&format!(" -b {names}"));
        }
        if full {
            let mut extra = service.flags.as_configured()
                - ServiceFlags::PERSISTENT
                - ServiceFlags::SCHED1
                - ServiceFlags::SCHED2
                - ServiceFlags::SCHED3;
            if ops_allowed {
                extra -= ServiceFlags::ONE_PACKET;
            }
            if !extra.is_empty() {
                self.push(&format!(" --lvs-flags {:#x}", extra.bits()));
            }
        }
    }

    /// `-a SVC -r DEST FWD -w WEIGHT [tunnel options]` (or `-e ...`); in lossless mode with
    /// thresholds and lvs's options.
    fn server(&mut self, command: &str, key: &ServiceKey, server: &RealServer) {
        self.push(command);
        self.push(" ");
        self.service_option(key, false);
        self.push(&format!(" -r {}", socket_addr(&server.addr)));
        match self.mode {
            Mode::Ipvsadm => self.ipvsadm_forward(server),
            Mode::Full => self.full_forward(key, server),
        }
        if self.mode == Mode::Ipvsadm {
            return;
        }
        if server.upper_threshold != 0 {
            let option = if server.upper_threshold <= i32::MAX as u32 {
                "-x"
            } else {
                "--lvs-u-threshold"
            };
            self.push(&format!(" {option} {}", server.upper_threshold));
        }
        if server.lower_threshold != 0 {
            let option = if server.lower_threshold <= i32::MAX as u32 {
                "-y"
            } else {
                "--lvs-l-threshold"
            };
            self.push(&format!(" {option} {}", server.lower_threshold));
        }
    }

    /// ipvsadm's forwarding, weight and tunnel options, as it prints them.
    fn ipvsadm_forward(&mut self, server: &RealServer) {
        let forward = match server.forward {
            ForwardMethod::Masquerade => "-m",
            ForwardMethod::Tunnel(_) => "-i",
            ForwardMethod::DirectRoute | ForwardMethod::Local => "-g",
            _ => "(null)",
        };
        // ipvsadm prints the weight with %d from a C int.
        let weight = server.weight as i32;
        self.push(&format!(" {forward} -w {weight}"));
        if let Some(tunnel) = server.forward.tunnel() {
            let checksum = match tunnel.checksum {
                TunnelChecksum::None => " --tun-nocsum",
                TunnelChecksum::Checksum => " --tun-csum",
                TunnelChecksum::Remote => " --tun-remcsum",
                _ => "",
            };
            match tunnel.kind {
                TunnelKind::Ipip => self.push(" --tun-type ipip"),
                TunnelKind::Gue { port } => {
                    self.push(&format!(" --tun-type gue --tun-port {port}{checksum}"));
                }
                TunnelKind::Gre => self.push(&format!(" --tun-type gre{checksum}")),
                _ => {}
            }
        }
    }

    /// The forwarding and weight in lossless text: ipvsadm's options where they say the
    /// value and keep the port, else `--lvs-forward`, `--lvs-tunnel`, `--lvs-weight`.
    fn full_forward(&mut self, key: &ServiceKey, server: &RealServer) {
        // ipvsadm gives direct-routing and tunnelled servers of an address service the
        // service's port, whatever was written.
        let port_kept = match key {
            ServiceKey::Addr { addr, .. } => addr.port() == server.addr.port(),
            ServiceKey::Fwmark { .. } => true,
        };
        let mut tunnel_options = String::new();
        let forward = match server.forward {
            ForwardMethod::Masquerade => "-m".to_owned(),
            ForwardMethod::DirectRoute if port_kept => "-g".to_owned(),
            ForwardMethod::DirectRoute => "--lvs-forward route".to_owned(),
            ForwardMethod::Local => "--lvs-forward local".to_owned(),
            ForwardMethod::Bypass => "--lvs-forward bypass".to_owned(),
            // Forwarding number 2 is the tunnel, which the kernel keeps as IP-in-IP.
            ForwardMethod::Other(2) => "--lvs-tunnel 0,0,0".to_owned(),
            ForwardMethod::Other(n) => format!("--lvs-forward {n}"),
            ForwardMethod::Tunnel(t) => match ipvsadm_tunnel(&t) {
                Some(options) if port_kept => {
                    tunnel_options = options;
                    "-i".to_owned()
                }
                _ => format!(
                    "--lvs-tunnel {},{},{}",
                    t.kind.number(),
                    t.kind.port(),
                    t.checksum.flags()
                ),
            },
        };
        // The order of `ipvsadm -S`: forwarding, weight, tunnel options.
        let weight = if server.weight <= 65535 {
            "-w"
        } else {
            "--lvs-weight"
        };
        self.push(&format!(
            " {forward} {weight} {}{tunnel_options}",
            server.weight
        ));
    }

    /// The option naming a service; in lossless mode `--lvs-service` for protocols ipvsadm
    /// has no option for, and for port 0 where `zero_port_refused` (ipvsadm refuses it on
    /// a service line without `-p`).
    fn service_option(&mut self, key: &ServiceKey, zero_port_refused: bool) {
        if self.mode == Mode::Ipvsadm {
            self.push(&service_option(key));
            return;
        }
        match *key {
            ServiceKey::Addr { protocol, addr } => {
                let name = match protocol.number() {
                    6 => "tcp",
                    17 => "udp",
                    132 => "sctp",
                    _ => "",
                };
                let refused = zero_port_refused && addr.port() == 0;
                if !name.is_empty() && !refused {
                    self.push(&service_option(&ServiceKey::Addr {
                        protocol: Protocol::from_number(protocol.number()),
                        addr,
                    }));
                } else if name.is_empty() {
                    let n = protocol.number();
                    self.push(&format!("--lvs-service {n},{}", socket_addr(&addr)));
                } else {
                    self.push(&format!("--lvs-service {name},{}", socket_addr(&addr)));
                }
            }
            ServiceKey::Fwmark { mark: 0, .. } => {
                // The kernel reads mark 0 as no mark; `-f` takes 1..=u32::MAX.
                self.unsaveable("fwmark", 0);
                self.push("-f 0");
            }
            ServiceKey::Fwmark { .. } => self.push(&service_option(key)),
        }
    }
}

/// The ipvsadm options after `-i` for a tunnel ipvsadm can describe.
fn ipvsadm_tunnel(t: &Tunnel) -> Option<String> {
    let checksum = match t.checksum {
        TunnelChecksum::None => "--tun-nocsum",
        TunnelChecksum::Checksum => "--tun-csum",
        TunnelChecksum::Remote => "--tun-remcsum",
        TunnelChecksum::Other(_) => return None,
    };
    match (t.kind, t.checksum) {
        (TunnelKind::Ipip, TunnelChecksum::None) => Some(" --tun-type ipip".to_owned()),
        (TunnelKind::Gue { port }, _) if port != 0 => {
            Some(format!(" --tun-type gue --tun-port {port} {checksum}"))
        }
        (TunnelKind::Gre, TunnelChecksum::None | TunnelChecksum::Checksum) => {
            Some(format!(" --tun-type gre {checksum}"))
        }
        _ => None,
    }
}

/// The `-b` names of scheduler flags, as ipvsadm names them for the scheduler.
fn sched_flag_names(scheduler: &Scheduler, flags: SchedFlags) -> String {
    let names = match scheduler {
        Scheduler::Sh => ["sh-fallback", "sh-port", "flag-3"],
        Scheduler::Mh => ["mh-fallback", "mh-port", "flag-3"],
        _ => ["flag-1", "flag-2", "flag-3"],
    };
    [SchedFlags::FLAG_1, SchedFlags::FLAG_2, SchedFlags::FLAG_3]
        .iter()
        .zip(names)
        .filter(|(flag, _)| flags.contains(**flag))
        .map(|(_, name)| name)
        .collect::<Vec<_>>()
        .join(",")
}

/// The option naming a service: `-t A:P`, `-u A:P`, `--sctp-service A:P`, `-f M [-6]`.
fn service_option(key: &ServiceKey) -> String {
    match key {
        ServiceKey::Addr { protocol, addr } => {
            let option = match protocol {
                Protocol::Tcp => "-t",
                Protocol::Udp => "-u",
                Protocol::Sctp => "--sctp-service",
                _ => "--xxx-service",
            };
            format!("{option} {}", socket_addr(addr))
        }
        ServiceKey::Fwmark {
            mark,
            family: Family::Ipv6,
        } => format!("-f {mark} -6"),
        ServiceKey::Fwmark { mark, .. } => format!("-f {mark}"),
    }
}

/// `a.b.c.d:port` or `[v6]:port`, the IPv6 text as glibc's `inet_ntop` writes it.
fn socket_addr(addr: &SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V4(ip) => format!("{ip}:{}", addr.port()),
        IpAddr::V6(ip) => format!("[{}]:{}", ipv6_text(&ip), addr.port()),
    }
}

/// An IPv6 address as glibc's `inet_ntop` writes it: lowercase hex groups, the first
/// longest run of two or more zero groups as `::`, and the last 32 bits as a dotted IPv4
/// address for IPv4-compatible (`::a.b.c.d`, except `::` and `::w`) and IPv4-mapped
/// (`::ffff:a.b.c.d`) addresses. This differs from Rust's `Display` only for
/// IPv4-compatible addresses.
pub(crate) fn ipv6_text(ip: &Ipv6Addr) -> String {
    let words = ip.segments();
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < 8 {
        if words[i] != 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < 8 && words[i] == 0 {
            i += 1;
        }
        let len = i - start;
        if len >= 2 && best.is_none_or(|(_, l)| len > l) {
            best = Some((start, len));
        }
    }
    let embedded_v4 = matches!(best, Some((0, 6))) || (best == Some((0, 5)) && words[5] == 0xffff);
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if let Some((start, len)) = best {
            if i == start {
                out.push_str(if i == 0 { "::" } else { ":" });
                i += len;
                continue;
            }
        }
        if i == 6 && embedded_v4 {
            let o = ip.octets();
            let _ = write!(out, "{}", Ipv4Addr::new(o[12], o[13], o[14], o[15]));
            break;
        }
        let _ = write!(out, "{:x}", words[i]);
        if i < 7 {
            out.push(':');
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_text_follows_inet_ntop() {
        let t = |s: &str| ipv6_text(&s.parse().unwrap());
        assert_eq!(t("::"), "::");
        assert_eq!(t("::1"), "::1");
        assert_eq!(t("2001:db8::1"), "2001:db8::1");
        assert_eq!(t("2001:db8:0:1:0:0:0:1"), "2001:db8:0:1::1");
        assert_eq!(t("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");
        assert_eq!(t("1:0:0:2:0:0:3:4"), "1::2:0:0:3:4");
        assert_eq!(t("1:2:3:4:5:6:7:0"), "1:2:3:4:5:6:7:0");
        assert_eq!(t("1:0:3:4:5:6:7:8"), "1:0:3:4:5:6:7:8");
        assert_eq!(t("fe80::"), "fe80::");
        assert_eq!(t("::ffff:10.0.0.1"), "::ffff:10.0.0.1");
        assert_eq!(t("::10.0.0.1"), "::10.0.0.1");
        assert_eq!(t("::0.0.0.2"), "::2");
        assert_eq!(t("::1:0:0:0"), "::1:0:0:0");
    }
}

//! The `net.ipv4.vs.*` sysctls: the one table of the knobs lvs knows, their values, and
//! the checks both backends make before a value reaches a kernel.
//!
//! Every network namespace has its own set, under `/proc/sys/net/ipv4/vs/`;
//! [`crate::Ipvs::sysctl`], [`crate::Ipvs::set_sysctl`] and [`crate::Ipvs::sysctls`] work
//! on the namespace of the backend's handle. A name is given with or without its
//! `net.ipv4.vs.` prefix.
//!
//! For a knob lvs knows, a value is read typed ([`SysctlValue::Integer`], `Unsigned`,
//! `Pair`, or `Text` for a CPU list) and a value to set is checked against exactly what the
//! kernel takes, before anything is written: lvs refuses what the kernel would refuse, with
//! an error naming the knob and the range ([`Error::OutOfRange`] or [`Error::Invalid`],
//! whose `field` is the knob's name), and takes everything the kernel takes. A knob lvs
//! does not know is read and written by name, as the kernel's text, unchecked. A knob the
//! namespace does not have is [`Error::SysctlUnavailable`], and a value the kernel refuses
//! after lvs let it through (a CPU the machine lacks) [`Error::SysctlRefused`].
//!
//! # The knobs
//!
//! "C int" is -2147483648..=2147483647. Seconds are kept by the kernel in ticks, so their
//! range is ±(`INT_MAX` / HZ) seconds: ±8589934 at Debian's HZ 250
//! ([`crate::validate::HZ`]). "since" is the first Linux release with the knob; the others
//! are older than any kernel lvs is tested on.
//!
//! | knob | takes | default | meaning | since | needs |
//! |---|---|---|---|---|---|
//! | `am_droprate` | C int | 10 | in drop_packet mode 3, one packet in this many is dropped |  |  |
//! | `amemthresh` | C int | 1024 | free memory, in pages, below which the automatic defense modes switch on |  |  |
//! | `backup_only` | switch | 0 | while a backup sync daemon runs, do not balance (no loops between directors) |  |  |
//! | `cache_bypass` | switch | 0 | with no real server available, send packets on to their original destination |  |  |
//! | `conn_reuse_mode` | bitmap | 1 | a new connection on a known one's ports: bit 1 schedules it anew when safe, bit 2 also in FIN_WAIT; 0 keeps the real server |  |  |
//! | `conntrack` | switch | 0 | keep netfilter connection tracking for IPVS connections (stateful firewall rules) |  | a kernel built with CONFIG_IP_VS_NFCT |
//! | `drop_entry` | mode | 0 | SYN-flood defense: drop half-open connection entries at random |  |  |
//! | `drop_packet` | mode | 0 | defense: drop a share of the packets before they are forwarded |  |  |
//! | `est_cpulist` | CPU list | 0 * | CPUs the rate-estimation threads may run on; empty stops the estimation | 6.2 |  |
//! | `est_nice` | -20..=19 | 0 | nice value of the rate-estimation threads | 6.2 |  |
//! | `expire_nodest_conn` | switch | 0 | expire a connection whose real server is gone at its next packet, instead of dropping packets |  |  |
//! | `expire_quiescent_template` | switch | 0 | expire a persistence template whose real server has weight 0 |  |  |
//! | `ignore_tunneled` | switch | 0 | take packets of protocols IPVS does not handle (tunnels) as its own, so they are not balanced again |  |  |
//! | `lblc_expiration` | seconds | 86400 | how long the lblc scheduler keeps an unused destination entry |  | the ip_vs_lblc module loaded |
//! | `lblcr_expiration` | seconds | 86400 | how long the lblcr scheduler keeps an unused destination set |  | the ip_vs_lblcr module loaded |
//! | `nat_icmp_send` | switch | 0 | answer NAT real servers' packets of no connection with ICMP unreachable |  |  |
//! | `pmtu_disc` | switch | 1 | refuse DF packets above the path MTU; 0 lets tunnelled ones be fragmented |  |  |
//! | `run_estimation` | switch | 1 | keep the rate estimates of services and real servers; 0 stops the estimator | 5.16 |  |
//! | `schedule_icmp` | switch | 0 | schedule ICMP packets of no connection to a real server, like a new connection |  |  |
//! | `secure_tcp` | mode | 0 | defense: a stricter TCP state table (NAT reaches ESTABLISHED after the handshake) |  |  |
//! | `sloppy_sctp` | switch | 0 | create SCTP connection state from any packet, not only INIT (survives failover) |  |  |
//! | `sloppy_tcp` | switch | 0 | create TCP connection state from any packet, not only SYN (survives failover) |  |  |
//! | `snat_reroute` | switch | 1 | route NAT real servers' replies as if the director sent them |  |  |
//! | `sync_persist_mode` | switch | 0 | for persistent services, sync only the persistence templates |  |  |
//! | `sync_ports` | power of two | 1 | sync threads, each on a UDP port from 8848, of a daemon started later |  |  |
//! | `sync_qlen_max` | unsigned long | 16384 * | most sync messages queued for sending |  |  |
//! | `sync_refresh_period` | seconds | 0 | resend an unchanged connection's sync message only after this long; 0 off |  |  |
//! | `sync_retries` | 0..=3 | 0 | resends of a sync message, every sync_refresh_period/8 |  |  |
//! | `sync_sock_size` | C int | 0 | sync socket buffer in bytes, for a daemon started later; 0 keeps the system's |  |  |
//! | `sync_threshold` | threshold period | 3 50 | sync a connection when its incoming packets modulo the period equal the threshold |  |  |
//! | `sync_version` | 0..=1 | 1 | sync protocol the master sends: 0 for old backups, 1 the current one |  |  |
//!
//! What the kinds take: a *switch* any C int, 0 off and any other value on; a *mode*
//! (`drop_entry`, `drop_packet`, `secure_tcp`) 0 off, 3 always on, 1 and 2 automatic: the
//! kernel sets 2 while free memory is below `amemthresh` and 1 otherwise, at once when the
//! value changes and every second after, so a 2 written on a machine with enough memory
//! reads back 1 (the planner takes 1 and 2 as the same); a *bitmap* any C int, of which
//! the kernel uses the bits named; *seconds* ±8589934; a *power of two* 1 to 2^30; an
//! *unsigned long* 0 to 2^64-1; *threshold period* two C ints ≥ 0, the threshold below the
//! period or the period 0 (sync once); a *CPU list* the kernel's syntax (`0-3,8`, `0-N`,
//! `all`, `0-7:1/2`, empty for none), of which the kernel refuses CPUs the machine does not
//! have and keeps only those the writing process may use. A single number written to
//! `sync_threshold` would set only the threshold, and a pair whose period does not fit a C
//! int is refused yet leaves the threshold written (both kernels); lvs always writes both
//! numbers, and checks them first.
//!
//! `*`: the kernel computes this default from the machine: `est_cpulist` is the CPUs
//! kernel threads may use (every CPU unless some are isolated), `sync_qlen_max` 1/32 of the
//! free memory pages when the namespace is made; the table gives what
//! [`crate::MemoryIpvs`] starts with ([`Knob::machine_default`]).
//!
//! # Kernels
//!
//! Debian's 6.1 has 29 of these knobs, 6.12 all 31: `est_cpulist` and `est_nice` came in
//! 6.2 (the kernel suite compares the running kernel's listing with [`knobs_of`]). Both
//! take and refuse the same values for the knobs they share. Knobs that depend on a build
//! option (`conntrack`: `CONFIG_IP_VS_NFCT`, which Debian has) or a module (`lblc_*`,
//! `lblcr_*`: only once that scheduler module is loaded, e.g. by the first service that
//! uses it) are "not available" without it. `debug_level` exists only in kernels built
//! with `CONFIG_IP_VS_DEBUG` (not Debian's), is read-only outside the initial namespace,
//! and is not in lvs's table: it is read by name. A namespace owned by a user namespace
//! other than the initial one has none of these knobs (the kernel does not show them to
//! unprivileged users).

mod cpulist;

use std::fmt;

use crate::error::Error;
use crate::validate::MAX_CONNECTION_TIMEOUT;

pub(crate) use cpulist::{format as format_cpus, CpuList};

/// The prefix of every IPVS sysctl, as `sysctl(8)` names them.
pub const PREFIX: &str = "net.ipv4.vs.";

/// Where the kernel shows a namespace's IPVS sysctls (`/proc/sys/net/ipv4/vs/NAME`).
pub const PROC_DIR: &str = "/proc/sys/net/ipv4/vs";

/// The longest knob name lvs takes: the kernel's are under 30 bytes.
pub const MAX_NAME_LEN: usize = 64;

const C_INT: (i64, i64) = (i32::MIN as i64, i32::MAX as i64);

/// What a knob holds and which values the kernel takes for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SysctlKind {
    /// On or off: 0 is off, any other value on. The kernel takes any C int.
    Switch,
    /// A defense mode, 0..=3: 0 off, 1 and 2 automatic (2 while memory is short), 3 on.
    DefenseMode,
    /// An integer from `min` to `max`.
    Integer {
        /// The least value the kernel takes.
        min: i64,
        /// The greatest value the kernel takes.
        max: i64,
    },
    /// A bitmap of flags in a C int (the kernel keeps bits it does not use).
    Bitmap,
    /// An `unsigned long`: 0..=2^64-1.
    Unsigned,
    /// Seconds, which the kernel keeps in ticks: ±(`INT_MAX` / HZ).
    Seconds,
    /// A power of two from 1 to 2^30.
    PowerOfTwo,
    /// `sync_threshold`: a threshold and a period, both C ints ≥ 0, the threshold below the
    /// period unless the period is 0.
    ThresholdPeriod,
    /// A CPU list in the kernel's syntax.
    CpuList,
}

impl SysctlKind {
    /// The single-integer range the kernel takes, when the kind is one integer.
    fn range(self) -> Option<(i64, i64)> {
        match self {
            SysctlKind::Switch | SysctlKind::Bitmap => Some(C_INT),
            SysctlKind::DefenseMode => Some((0, 3)),
            SysctlKind::Integer { min, max } => Some((min, max)),
            SysctlKind::Seconds => {
                let max = i64::from(MAX_CONNECTION_TIMEOUT);
                Some((-max, max))
            }
            SysctlKind::PowerOfTwo => Some((1, 1 << 30)),
            SysctlKind::Unsigned | SysctlKind::ThresholdPeriod | SysctlKind::CpuList => None,
        }
    }

    /// The kind in a word or two, as the [module's table](self) names it.
    pub fn summary(self) -> String {
        match self {
            SysctlKind::Switch => "switch".into(),
            SysctlKind::DefenseMode => "mode".into(),
            SysctlKind::Integer { min, max } if (min, max) == C_INT => "C int".into(),
            SysctlKind::Integer { min, max } => format!("{min}..={max}"),
            SysctlKind::Bitmap => "bitmap".into(),
            SysctlKind::Unsigned => "unsigned long".into(),
            SysctlKind::Seconds => "seconds".into(),
            SysctlKind::PowerOfTwo => "power of two".into(),
            SysctlKind::ThresholdPeriod => "threshold period".into(),
            SysctlKind::CpuList => "CPU list".into(),
        }
    }

    /// What the kernel takes, in words.
    pub fn accepts(self) -> String {
        match self {
            SysctlKind::Switch => {
                "an integer from -2147483648 to 2147483647 (0 off, any other value on)".into()
            }
            SysctlKind::DefenseMode => {
                "0 (off), 1 or 2 (automatic, 2 while memory is short) or 3 (on)".into()
            }
            SysctlKind::Integer { min, max } => format!("an integer from {min} to {max}"),
            SysctlKind::Bitmap => "flag bits in an integer from -2147483648 to 2147483647".into(),
            SysctlKind::Unsigned => "an integer from 0 to 18446744073709551615".into(),
            SysctlKind::Seconds => format!(
                "seconds from -{MAX_CONNECTION_TIMEOUT} to {MAX_CONNECTION_TIMEOUT} \
                 (INT_MAX / HZ)"
            ),
            SysctlKind::PowerOfTwo => "a power of two from 1 to 1073741824".into(),
            SysctlKind::ThresholdPeriod => "two integers THRESHOLD PERIOD from 0 to \
                 2147483647, the threshold below the period or the period 0"
                .into(),
            SysctlKind::CpuList => {
                "a CPU list such as 0-3,8, 0-N, all or 0-7:1/2 (empty: none)".into()
            }
        }
    }
}

/// One knob lvs knows: a row of the [module's table](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Knob {
    /// The name, without the `net.ipv4.vs.` prefix.
    pub name: &'static str,
    /// What it holds and which values the kernel takes.
    pub kind: SysctlKind,
    /// The kernel's default, as lvs writes the value (for a default the kernel computes
    /// from the machine, see [`Knob::machine_default`], what [`crate::MemoryIpvs`] starts
    /// with).
    pub default: &'static str,
    /// How the kernel computes the default from the machine, for knobs whose default
    /// depends on it.
    pub machine_default: Option<&'static str>,
    /// What it does, in a line.
    pub meaning: &'static str,
    /// The first Linux release with it (major, minor); `None`: older than any kernel lvs is
    /// tested on.
    pub since: Option<(u32, u32)>,
    /// What else the kernel needs to have it (a build option, a loaded module).
    pub requires: Option<&'static str>,
}

const fn knob(name: &'static str, kind: SysctlKind, default: &'static str) -> Knob {
    Knob {
        name,
        kind,
        default,
        machine_default: None,
        meaning: "",
        since: None,
        requires: None,
    }
}

impl Knob {
    const fn means(mut self, meaning: &'static str) -> Knob {
        self.meaning = meaning;
        self
    }
    const fn came_in(mut self, major: u32, minor: u32) -> Knob {
        self.since = Some((major, minor));
        self
    }
    const fn needs(mut self, what: &'static str) -> Knob {
        self.requires = Some(what);
        self
    }
    const fn machine(mut self, how: &'static str) -> Knob {
        self.machine_default = Some(how);
        self
    }

    /// Whether Linux `major.minor` has the knob (given what [`Knob::requires`]).
    pub fn in_kernel(&self, major: u32, minor: u32) -> bool {
        self.since.is_none_or(|since| (major, minor) >= since)
    }

    /// The default as a value ([`Knob::default`] read as the kernel's text).
    pub fn default_value(&self) -> SysctlValue {
        from_kernel(self.name, self.default)
    }
}

use SysctlKind as K;

/// Every knob lvs knows, by name (the order the kernel lists them in).
pub const KNOBS: &[Knob] = &[
    knob("am_droprate", K::Integer { min: C_INT.0, max: C_INT.1 }, "10")
        .means("in drop_packet mode 3, one packet in this many is dropped"),
    knob("amemthresh", K::Integer { min: C_INT.0, max: C_INT.1 }, "1024")
        .means("free memory, in pages, below which the automatic defense modes switch on"),
    knob("backup_only", K::Switch, "0")
        .means("while a backup sync daemon runs, do not balance (no loops between directors)"),
    knob("cache_bypass", K::Switch, "0")
        .means("with no real server available, send packets on to their original destination"),
    knob("conn_reuse_mode", K::Bitmap, "1")
        .means("a new connection on a known one's ports: bit 1 schedules it anew when safe, bit 2 also in FIN_WAIT; 0 keeps the real server"),
    knob("conntrack", K::Switch, "0")
        .means("keep netfilter connection tracking for IPVS connections (stateful firewall rules)")
        .needs("a kernel built with CONFIG_IP_VS_NFCT"),
    knob("drop_entry", K::DefenseMode, "0")
        .means("SYN-flood defense: drop half-open connection entries at random"),
    knob("drop_packet", K::DefenseMode, "0")
        .means("defense: drop a share of the packets before they are forwarded"),
    knob("est_cpulist", K::CpuList, "0")
        .means("CPUs the rate-estimation threads may run on; empty stops the estimation")
        .machine("the CPUs kernel threads may use (every CPU, unless some are isolated)")
        .came_in(6, 2),
    knob("est_nice", K::Integer { min: -20, max: 19 }, "0")
        .means("nice value of the rate-estimation threads")
        .came_in(6, 2),
    knob("expire_nodest_conn", K::Switch, "0")
        .means("expire a connection whose real server is gone at its next packet, instead of dropping packets"),
    knob("expire_quiescent_template", K::Switch, "0")
        .means("expire a persistence template whose real server has weight 0"),
    knob("ignore_tunneled", K::Switch, "0")
        .means("take packets of protocols IPVS does not handle (tunnels) as its own, so they are not balanced again"),
    knob("lblc_expiration", K::Seconds, "86400")
        .means("how long the lblc scheduler keeps an unused destination entry")
        .needs("the ip_vs_lblc module loaded"),
    knob("lblcr_expiration", K::Seconds, "86400")
        .means("how long the lblcr scheduler keeps an unused destination set")
        .needs("the ip_vs_lblcr module loaded"),
    knob("nat_icmp_send", K::Switch, "0")
        .means("answer NAT real servers' packets of no connection with ICMP unreachable"),
    knob("pmtu_disc", K::Switch, "1")
        .means("refuse DF packets above the path MTU; 0 lets tunnelled ones be fragmented"),
    knob("run_estimation", K::Switch, "1")
        .means("keep the rate estimates of services and real servers; 0 stops the estimator")
        .came_in(5, 16),
    knob("schedule_icmp", K::Switch, "0")
        .means("schedule ICMP packets of no connection to a real server, like a new connection"),
    knob("secure_tcp", K::DefenseMode, "0")
        .means("defense: a stricter TCP state table (NAT reaches ESTABLISHED after the handshake)"),
    knob("sloppy_sctp", K::Switch, "0")
        .means("create SCTP connection state from any packet, not only INIT (survives failover)"),
    knob("sloppy_tcp", K::Switch, "0")
        .means("create TCP connection state from any packet, not only SYN (survives failover)"),
    knob("snat_reroute", K::Switch, "1")
        .means("route NAT real servers' replies as if the director sent them"),
    knob("sync_persist_mode", K::Switch, "0")
        .means("for persistent services, sync only the persistence templates"),
    knob("sync_ports", K::PowerOfTwo, "1")
        .means("sync threads, each on a UDP port from 8848, of a daemon started later"),
    knob("sync_qlen_max", K::Unsigned, "16384")
        .means("most sync messages queued for sending")
        .machine("1/32 of the free memory pages when the namespace is made"),
    knob("sync_refresh_period", K::Seconds, "0")
        .means("resend an unchanged connection's sync message only after this long; 0 off"),
    knob("sync_retries", K::Integer { min: 0, max: 3 }, "0")
        .means("resends of a sync message, every sync_refresh_period/8"),
    knob("sync_sock_size", K::Integer { min: C_INT.0, max: C_INT.1 }, "0")
        .means("sync socket buffer in bytes, for a daemon started later; 0 keeps the system's"),
    knob("sync_threshold", K::ThresholdPeriod, "3 50")
        .means("sync a connection when its incoming packets modulo the period equal the threshold"),
    knob("sync_version", K::Integer { min: 0, max: 1 }, "1")
        .means("sync protocol the master sends: 0 for old backups, 1 the current one"),
];

/// The knob lvs knows by this name (with or without the `net.ipv4.vs.` prefix).
pub fn knob_named(name: &str) -> Option<&'static Knob> {
    let name = short_name(name);
    KNOBS.iter().find(|k| k.name == name)
}

/// The knobs of lvs's table that Linux `major.minor` has (given what each
/// [`Knob::requires`]), in name order: what the kernel suite expects to find.
pub fn knobs_of(major: u32, minor: u32) -> Vec<&'static Knob> {
    KNOBS.iter().filter(|k| k.in_kernel(major, minor)).collect()
}

/// The major and minor version of a kernel release such as `6.12.95+deb12-amd64`.
pub fn release_version(release: &str) -> Option<(u32, u32)> {
    let mut parts = release.split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// The name without its `net.ipv4.vs.` (or `net/ipv4/vs/`) prefix.
pub fn short_name(name: &str) -> &str {
    name.strip_prefix(PREFIX)
        .or_else(|| name.strip_prefix("net/ipv4/vs/"))
        .unwrap_or(name)
}

/// The short name, if it can name a knob: 1 to [`MAX_NAME_LEN`] bytes of ASCII letters,
/// digits, `_` and `-` (so it never leaves the knobs' directory).
pub fn check_name(name: &str) -> Result<&str, Error> {
    let short = short_name(name);
    let problem = if short.is_empty() {
        Some("empty".to_owned())
    } else if short.len() > MAX_NAME_LEN {
        Some(format!("longer than {MAX_NAME_LEN} bytes"))
    } else if !short
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Some(format!(
            "`{short}` has characters other than letters, digits, _ and -"
        ))
    } else {
        None
    };
    match problem {
        Some(reason) => Err(Error::invalid("sysctl name", reason)),
        None => Ok(short),
    }
}

/// A sysctl's value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SysctlValue {
    /// One integer (switches, modes, counts, seconds).
    Integer(i64),
    /// One unsigned integer (`sync_qlen_max`, an `unsigned long`).
    Unsigned(u64),
    /// Two integers (`sync_threshold`: threshold and period).
    Pair(i64, i64),
    /// Text: a CPU list, or the value of a knob lvs does not know as the kernel prints it
    /// (runs of blanks as one space).
    Text(String),
}

impl SysctlValue {
    /// The value as one integer, when it is one.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            SysctlValue::Integer(n) => Some(n),
            SysctlValue::Unsigned(n) => i64::try_from(n).ok(),
            _ => None,
        }
    }
}

impl fmt::Display for SysctlValue {
    /// As `sysctl -n` prints it, with one space between the two integers of a pair.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SysctlValue::Integer(n) => write!(f, "{n}"),
            SysctlValue::Unsigned(n) => write!(f, "{n}"),
            SysctlValue::Pair(a, b) => write!(f, "{a} {b}"),
            SysctlValue::Text(t) => f.write_str(t),
        }
    }
}

impl From<i64> for SysctlValue {
    fn from(n: i64) -> SysctlValue {
        SysctlValue::Integer(n)
    }
}

impl From<i32> for SysctlValue {
    fn from(n: i32) -> SysctlValue {
        SysctlValue::Integer(n.into())
    }
}

impl From<u64> for SysctlValue {
    fn from(n: u64) -> SysctlValue {
        SysctlValue::Unsigned(n)
    }
}

impl From<bool> for SysctlValue {
    /// 1 for on, 0 for off.
    fn from(on: bool) -> SysctlValue {
        SysctlValue::Integer(i64::from(on))
    }
}

impl From<(i64, i64)> for SysctlValue {
    fn from((a, b): (i64, i64)) -> SysctlValue {
        SysctlValue::Pair(a, b)
    }
}

impl From<&str> for SysctlValue {
    fn from(text: &str) -> SysctlValue {
        SysctlValue::Text(text.to_owned())
    }
}

impl From<String> for SysctlValue {
    fn from(text: String) -> SysctlValue {
        SysctlValue::Text(text)
    }
}

/// A knob with a value: one line of the desired state (`--lvs-sysctl NAME=VALUE`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SysctlSetting {
    /// The knob's name, without the `net.ipv4.vs.` prefix.
    pub name: String,
    /// The value.
    pub value: SysctlValue,
}

impl SysctlSetting {
    /// A setting; the name loses its `net.ipv4.vs.` prefix, if it has one.
    pub fn new(name: impl AsRef<str>, value: impl Into<SysctlValue>) -> SysctlSetting {
        SysctlSetting {
            name: short_name(name.as_ref()).to_owned(),
            value: value.into(),
        }
    }
}

impl fmt::Display for SysctlSetting {
    /// `NAME=VALUE`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.value)
    }
}

/// Runs of blanks as one space, none at the ends: how text values are kept, so that rule
/// text (which splits on blanks) carries them unchanged.
fn squeeze(text: &str) -> String {
    text.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

fn integer(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Reads a value the kernel printed for the knob `name` (`3\t50\n`, `1\n`, ...): typed for
/// a knob lvs knows, as text (blanks squeezed) for one it does not, or when the kernel
/// printed something lvs cannot read as the knob's kind.
pub fn from_kernel(name: &str, text: &str) -> SysctlValue {
    let typed = knob_named(name).and_then(|k| typed(k.kind, text));
    typed.unwrap_or_else(|| SysctlValue::Text(squeeze(text)))
}

/// The value of `text` as a knob of `kind`, if it is one (decimal integers only).
fn typed(kind: SysctlKind, text: &str) -> Option<SysctlValue> {
    let words: Vec<&str> = text.split_ascii_whitespace().collect();
    match (kind, &words[..]) {
        (SysctlKind::CpuList, _) => Some(SysctlValue::Text(squeeze(text))),
        (SysctlKind::Unsigned, [one]) => {
            let digits = one.bytes().all(|b| b.is_ascii_digit());
            digits
                .then(|| one.parse().ok())
                .flatten()
                .map(SysctlValue::Unsigned)
        }
        (SysctlKind::ThresholdPeriod, [a, b]) => Some(SysctlValue::Pair(integer(a)?, integer(b)?)),
        (SysctlKind::ThresholdPeriod | SysctlKind::Unsigned, _) => None,
        (_, [one]) => integer(one).map(SysctlValue::Integer),
        _ => None,
    }
}

/// Reads a value a person wrote for the knob `name` (`lvsctl sysctl NAME=VALUE`, rule text),
/// checked like [`check`]: a pair may be written `3 50` or `3,50`. For a knob lvs does not
/// know, the text itself (blanks squeezed).
pub fn parse(name: &str, text: &str) -> Result<SysctlValue, Error> {
    let name = check_name(name)?;
    let Some(knob) = knob_named(name) else {
        return Ok(SysctlValue::Text(squeeze(text)));
    };
    let spaced = match knob.kind {
        SysctlKind::ThresholdPeriod => text.replace(',', " "),
        _ => text.to_owned(),
    };
    let value = typed(knob.kind, &spaced).ok_or_else(|| {
        Error::invalid(
            knob.name,
            format!(
                "`{text}` is not a value of net.ipv4.vs.{}, which takes {}",
                knob.name,
                knob.kind.accepts()
            ),
        )
    })?;
    check_known(knob, value)
}

/// Checks a value for the knob `name` against what the kernel takes, before anything is
/// written, and returns it in the knob's kind (text is read as with [`parse`], an integer
/// given for a CPU list or an unsigned knob becomes one).
///
/// A knob lvs does not know takes any value, unchecked; the name is always checked
/// ([`check_name`]).
pub fn check(name: &str, value: &SysctlValue) -> Result<SysctlValue, Error> {
    let short = check_name(name)?;
    match knob_named(short) {
        None => Ok(match value {
            SysctlValue::Text(t) => SysctlValue::Text(squeeze(t)),
            other => other.clone(),
        }),
        Some(knob) => match value {
            SysctlValue::Text(t) => parse(short, t),
            other => check_known(knob, other.clone()),
        },
    }
}

fn check_known(knob: &Knob, value: SysctlValue) -> Result<SysctlValue, Error> {
    let out_of_range = |v: i64| {
        Error::out_of_range(
            knob.name,
            v,
            format!("net.ipv4.vs.{} takes {}", knob.name, knob.kind.accepts()),
        )
    };
    let wrong_form = |what: &str| {
        Error::invalid(
            knob.name,
            format!(
                "net.ipv4.vs.{} takes {}, not {what}",
                knob.name,
                knob.kind.accepts()
            ),
        )
    };
    match (knob.kind, value) {
        (SysctlKind::CpuList, v) => {
            let text = squeeze(&v.to_string());
            CpuList::parse(&text).map_err(|reason| {
                Error::invalid(knob.name, format!("`{text}` is not a CPU list: {reason}"))
            })?;
            Ok(SysctlValue::Text(text))
        }
        (SysctlKind::Unsigned, SysctlValue::Unsigned(n)) => Ok(SysctlValue::Unsigned(n)),
        (SysctlKind::Unsigned, SysctlValue::Integer(n)) => u64::try_from(n)
            .map(SysctlValue::Unsigned)
            .map_err(|_| out_of_range(n)),
        (SysctlKind::ThresholdPeriod, SysctlValue::Pair(threshold, period)) => {
            for v in [threshold, period] {
                if !(0..=C_INT.1).contains(&v) {
                    return Err(out_of_range(v));
                }
            }
            if threshold >= period && period != 0 {
                return Err(Error::invalid(
                    knob.name,
                    format!(
                        "the threshold {threshold} must be below the period {period}, or the \
                         period 0"
                    ),
                ));
            }
            Ok(SysctlValue::Pair(threshold, period))
        }
        (kind, v) => {
            let (Some((min, max)), Some(n)) = (kind.range(), v.as_i64()) else {
                let form = match &v {
                    SysctlValue::Pair(..) => "two integers".to_owned(),
                    SysctlValue::Text(t) => format!("`{t}`"),
                    other => other.to_string(),
                };
                return match v {
                    SysctlValue::Unsigned(n) => Err(Error::out_of_range(
                        knob.name,
                        i64::MAX,
                        format!(
                            "{n}: net.ipv4.vs.{} takes {}",
                            knob.name,
                            knob.kind.accepts()
                        ),
                    )),
                    _ => Err(wrong_form(&form)),
                };
            };
            if !(min..=max).contains(&n) || (kind == SysctlKind::PowerOfTwo && n & (n - 1) != 0) {
                return Err(out_of_range(n));
            }
            Ok(SysctlValue::Integer(n))
        }
    }
}

/// The text to write to the kernel's file for a value (the backend adds a newline).
pub fn kernel_text(value: &SysctlValue) -> String {
    match value {
        SysctlValue::Pair(a, b) => format!("{a}\t{b}"),
        other => other.to_string(),
    }
}

/// Whether two values of the knob `name` set the same thing, as far as lvs can tell
/// without a kernel: checked values compare equal, CPU lists by the CPUs they name (when
/// neither depends on the machine: `N`, `all`), and defense modes 1 and 2 (both automatic)
/// alike. Values that do not check are equal only when identical.
pub fn same_value(name: &str, a: &SysctlValue, b: &SysctlValue) -> bool {
    let (Ok(a), Ok(b)) = (check(name, a), check(name, b)) else {
        return a == b;
    };
    if a == b {
        return true;
    }
    match knob_named(name).map(|k| k.kind) {
        Some(SysctlKind::CpuList) => {
            let canonical = |v: &SysctlValue| {
                CpuList::parse(&v.to_string())
                    .ok()
                    .and_then(|l| l.canonical())
            };
            matches!((canonical(&a), canonical(&b)), (Some(x), Some(y)) if x == y)
        }
        Some(SysctlKind::DefenseMode) => {
            let automatic = |v: &SysctlValue| matches!(v.as_i64(), Some(1 | 2));
            automatic(&a) && automatic(&b)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;

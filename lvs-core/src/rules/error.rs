//! What can be wrong with a line of rule text, and where.

use std::fmt;

use crate::error::{Classify, ErrorKind};
use crate::model::{DaemonRole, ServiceKey};

use super::names::{CommandName, OptionName};

/// A line of rule text that ipvsadm would refuse (or that cannot describe a [`crate::Table`]).
///
/// It says where the problem is (line and column, both counted from 1, the column in
/// characters and pointing at the offending token), which token it is, what is wrong (with
/// ipvsadm's wording where ipvsadm has one) and what was expected instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {problem} (at `{token}`; expected {})", problem.expected())]
#[non_exhaustive]
pub struct RuleError {
    /// The line number, from 1.
    pub line: usize,
    /// The column of the offending token, from 1, in characters.
    pub column: usize,
    /// The offending token (or the part of it that is a value, such as `5x` in `-w5x`).
    pub token: String,
    /// What is wrong.
    pub problem: Problem,
}

impl RuleError {
    /// An error at a token.
    pub fn new(
        line: usize,
        column: usize,
        token: impl Into<String>,
        problem: Problem,
    ) -> RuleError {
        RuleError {
            line,
            column,
            token: token.into(),
            problem,
        }
    }

    /// What would have been accepted at that place, in words.
    pub fn expected(&self) -> String {
        self.problem.expected()
    }
}

impl Classify for RuleError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Syntax
    }
}

/// Which tunnel type a tunnel-option rule was checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TunnelTypeName {
    /// `ipip`.
    Ipip,
    /// `gue`.
    Gue,
    /// `gre`.
    Gre,
}

impl fmt::Display for TunnelTypeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TunnelTypeName::Ipip => "ipip",
            TunnelTypeName::Gue => "gue",
            TunnelTypeName::Gre => "gre",
        })
    }
}

/// What is wrong with a line. The messages follow ipvsadm 1.31's where it has one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Problem {
    /// The line does not start with a command option (ipvsadm prints its usage hint).
    NotACommand,
    /// A second command on the same line.
    SecondCommand(String),
    /// An option ipvsadm does not have (popt: "unknown option").
    UnknownOption(String),
    /// An option that needs a value is last on the line (popt: "missing argument").
    MissingArgument(String),
    /// `--name=value` for an option that takes no value.
    UnwantedArgument(String),
    /// The same option (or two of one group, like `-t` and `-f`) given twice.
    Multiple(OptionName),
    /// A required option is missing.
    Required {
        /// The missing option.
        option: OptionName,
        /// The command that needs it.
        command: CommandName,
    },
    /// An option the command does not take.
    Illegal {
        /// The option given.
        option: OptionName,
        /// The command.
        command: CommandName,
    },
    /// Two options of which the command takes at most one.
    Conflict {
        /// The option given first (in ipvsadm's option order).
        first: OptionName,
        /// The other option.
        second: OptionName,
        /// The command.
        command: CommandName,
    },
    /// A listing option that cannot go with another one (`-c` with `--stats`, ...).
    ListConflict,
    /// A tunnel option the tunnel type needs is missing (`--tun-port` for gue).
    TunnelRequired {
        /// The missing option.
        option: OptionName,
        /// The tunnel type.
        tunnel: TunnelTypeName,
    },
    /// A tunnel option the tunnel type does not take.
    TunnelIllegal {
        /// The option given.
        option: OptionName,
        /// The tunnel type.
        tunnel: TunnelTypeName,
    },
    /// Two checksum options of which the tunnel type takes at most one.
    TunnelConflict {
        /// The option given first (in ipvsadm's option order).
        first: OptionName,
        /// The other option.
        second: OptionName,
        /// The tunnel type.
        tunnel: TunnelTypeName,
    },
    /// Tunnel options on a server that is not tunnelled (`-i`).
    TunnelOptionsWithoutTunnel,
    /// A real server of another address family than its service, without `-i`.
    DifferentFamily,
    /// Port 0 on a service that is not persistent.
    ZeroPort,
    /// `-o` on a TCP or SCTP service.
    OnePacketNotUdp,
    /// `-6` before `-f` (or without it).
    Ipv6BeforeFwmark,
    /// A bad `-w` value.
    IllegalWeight,
    /// A bad `-x` value.
    IllegalUpperThreshold,
    /// A bad `-y` value.
    IllegalLowerThreshold,
    /// A bad `--syncid` value.
    IllegalSyncId,
    /// A bad `-p` or `--set` value.
    InvalidTimeout(String),
    /// A bad `-f` value.
    InvalidFwmark(String),
    /// A bad `-t`/`-u`/`--sctp-service` value.
    IllegalServiceAddress,
    /// A bad `-r` value.
    IllegalServerAddress,
    /// A bad `-M` value for an IPv4 service.
    IllegalNetmask,
    /// A bad `-M` value for an IPv6 service.
    IllegalIpv6Netmask,
    /// `--set` without three values.
    SetNeedsThreeValues,
    /// A value that belongs to no option.
    UnexpectedArgument(String),
    /// `--start-daemon` with something other than `master` or `backup`.
    IllegalStartDaemon,
    /// `--stop-daemon` with something other than `master` or `backup`.
    IllegalStopDaemon,
    /// A bad `--tun-type` value.
    IllegalTunnelType,
    /// A bad `--tun-port` value.
    IllegalTunnelPort,
    /// A bad `--mcast-port` value.
    IllegalMcastPort,
    /// A bad `--mcast-ttl` value.
    IllegalMcastTtl,
    /// A bad `--sync-maxlen` value.
    IllegalSyncMaxlen,
    /// A `--mcast-group` that is not an IPv4 multicast address.
    InvalidIpv4McastGroup(String),
    /// A `--mcast-group` that is not an IPv6 multicast address.
    InvalidIpv6McastGroup(String),
    /// A `-b` name ipvsadm does not know.
    InvalidSchedFlag(String),
    /// A `-b` name of another scheduler (`sh-port` without `-s sh`).
    IncompatibleSchedFlag(String),
    /// A name longer than the kernel keeps (ipvsadm would cut it silently).
    NameTooLong {
        /// What the name is: "scheduler", "persistence engine", "interface".
        what: &'static str,
        /// The longest length accepted, in bytes.
        max: usize,
    },
    /// An empty scheduler, engine or interface name.
    EmptyName(&'static str),
    /// A scheduler, engine or interface named `ipvsadm`: restore text drops every token
    /// `ipvsadm`, so such a name could not be saved and read back.
    ReservedName(&'static str),
    /// `-R` inside restore text.
    NestedRestore,
    /// A command that does not describe a table (only `-A`, `-a`, `--set`, `--start-daemon`
    /// and `--lvs-sysctl` do).
    NotTableCommand(CommandName),
    /// A command that does not change the table (`-L`, `-S`, `-R`, `-h`, `-v`) where only
    /// changes are read.
    NotAChange(CommandName),
    /// A second `-A` for the same service.
    DuplicateService(ServiceKey),
    /// `-a` for a service no earlier `-A` defined.
    ServiceNotDefined(ServiceKey),
    /// A second `-a` for the same real server of a service.
    DuplicateServer(ServiceKey),
    /// A scheduler, engine or interface name with a blank or a control character (a
    /// newline would start a new line of rule text, a blank a new token).
    UnsafeName(&'static str),
    /// A bad value of one of lvs's `--lvs-...` options.
    InvalidExtensionValue {
        /// The option, such as `--lvs-forward`.
        option: &'static str,
        /// What it takes.
        expected: &'static str,
    },
    /// `--tun-...` options with `--lvs-tunnel`, which gives the whole tunnel itself.
    TunnelOptionsWithLvsTunnel,
    /// A value that no rule text can say, because no kernel can hold it (a sync id above
    /// 255, a daemon role other than master or backup, firewall mark 0, ...): only
    /// [`crate::rules::save`] and [`crate::rules::operation_line`] report it.
    Unsaveable {
        /// The model field, such as `sync_id`.
        field: &'static str,
        /// The value, as Rust's `Debug` prints it.
        value: String,
    },
    /// A second `--set` in a table's rule text.
    DuplicateTimeouts,
    /// A second `--start-daemon` of the same role in a table's rule text.
    DuplicateDaemon(DaemonRole),
    /// A `--lvs-sysctl` that is not `NAME=VALUE` with a value the knob takes (the reason
    /// says why, with the range of a knob lvs knows).
    InvalidSysctl(String),
    /// A second `--lvs-sysctl` for the same knob in a table's rule text.
    DuplicateSysctl(String),
}

impl Problem {
    /// What would have been accepted, in words.
    pub fn expected(&self) -> String {
        let text = match self {
            Problem::NotACommand => "a command such as -A, -a, -E, -e, -D, -d, -C, -Z, --set",
            Problem::SecondCommand(_) => "one command per line",
            Problem::UnknownOption(_) => "an ipvsadm option",
            Problem::MissingArgument(_) => "a value after the option",
            Problem::UnwantedArgument(_) => "the option without `=value`",
            Problem::Multiple(_) => "the option once",
            Problem::Required { .. } | Problem::TunnelRequired { .. } => "the missing option",
            Problem::Illegal { .. } | Problem::TunnelIllegal { .. } => "no such option here",
            Problem::Conflict { .. } | Problem::TunnelConflict { .. } => "only one of the two",
            Problem::ListConflict => "one listing kind",
            Problem::TunnelOptionsWithoutTunnel => "tunnel options only with -i",
            Problem::DifferentFamily => "the service's address family, or -i",
            Problem::ZeroPort => "a port 1..65535, or -p",
            Problem::OnePacketNotUdp => "-o only on UDP or firewall-mark services",
            Problem::Ipv6BeforeFwmark => "-6 after -f MARK",
            Problem::IllegalWeight => "an integer 0..65535",
            Problem::IllegalUpperThreshold | Problem::IllegalLowerThreshold => {
                "an integer 0..2147483647"
            }
            Problem::IllegalSyncId => "an integer 0..255",
            Problem::InvalidTimeout(_) => "seconds (-p: 1..2678400, --set: 0..2678400)",
            Problem::InvalidFwmark(_) => "an integer 1..4294967295",
            Problem::IllegalServiceAddress | Problem::IllegalServerAddress => {
                "a.b.c.d[:port], [ipv6]:port or a bare IPv6 address"
            }
            Problem::IllegalNetmask => "a dotted IPv4 netmask such as 255.255.255.0",
            Problem::IllegalIpv6Netmask => "a prefix length 1..128",
            Problem::SetNeedsThreeValues => "three timeouts: tcp tcpfin udp",
            Problem::UnexpectedArgument(_) => "an option",
            Problem::IllegalStartDaemon | Problem::IllegalStopDaemon => "master or backup",
            Problem::IllegalTunnelType => "ipip, gue or gre",
            Problem::IllegalTunnelPort | Problem::IllegalMcastPort => "a port 1..65535",
            Problem::IllegalMcastTtl => "an integer 1..255",
            Problem::IllegalSyncMaxlen => "an integer 1..65507",
            Problem::InvalidIpv4McastGroup(_) => "an IPv4 multicast address",
            Problem::InvalidIpv6McastGroup(_) => "an IPv6 multicast address",
            Problem::InvalidSchedFlag(_) => {
                "flag-1, flag-2, flag-3, sh-fallback, sh-port, mh-fallback or mh-port"
            }
            Problem::IncompatibleSchedFlag(_) => "flags of the service's scheduler",
            Problem::NameTooLong { .. } => "a shorter name",
            Problem::EmptyName(_) => "a name",
            Problem::ReservedName(_) => "a name other than `ipvsadm`",
            Problem::NestedRestore => "no -R inside restore text",
            Problem::NotTableCommand(_) => {
                "only -A, -a, --set, --start-daemon and --lvs-sysctl lines"
            }
            Problem::NotAChange(_) => {
                "a command that changes the table (-A, -E, -D, -a, -e, -d, -C, -Z, --set, \
                 --start-daemon, --stop-daemon, --lvs-sysctl)"
            }
            Problem::DuplicateService(_) => "each service defined once",
            Problem::ServiceNotDefined(_) => "an -A line for the service before its -a lines",
            Problem::DuplicateServer(_) => "each real server added once",
            Problem::UnsafeName(_) => "a name without blanks or control characters",
            Problem::InvalidExtensionValue { expected, .. } => *expected,
            Problem::TunnelOptionsWithLvsTunnel => "either --lvs-tunnel or -i with --tun-...",
            Problem::Unsaveable { .. } => "a value the kernel can hold",
            Problem::DuplicateTimeouts => "one --set line",
            Problem::DuplicateDaemon(_) => "one --start-daemon line per role",
            Problem::InvalidSysctl(_) => "NAME=VALUE with a value the knob takes",
            Problem::DuplicateSysctl(_) => "one --lvs-sysctl line per knob",
        };
        text.to_owned()
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::NotACommand => f.write_str(
                "a line must start with a command; \
                 try `ipvsadm -h' or 'ipvsadm --help' for more information",
            ),
            Problem::SecondCommand(opt) => write!(f, "invalid option `{opt}'"),
            Problem::UnknownOption(opt) => write!(f, "{opt}: unknown option"),
            Problem::MissingArgument(opt) => write!(f, "{opt}: missing argument"),
            Problem::UnwantedArgument(opt) => write!(f, "{opt}: option does not take an argument"),
            Problem::Multiple(opt) => write!(f, "multiple '{opt}' options specified"),
            Problem::Required { option, command } => write!(
                f,
                "You need to supply the '{option}' option for the '{command}' command"
            ),
            Problem::Illegal { option, command } => {
                write!(f, "Illegal '{option}' option with the '{command}' command")
            }
            Problem::Conflict {
                first,
                second,
                command,
            } => write!(
                f,
                "The option '{first}' conflicts with the '{second}' option in the '{command}' command"
            ),
            Problem::ListConflict => f.write_str("options conflicts in the list command"),
            Problem::TunnelRequired { option, tunnel } => write!(
                f,
                "You need to supply the '{option}' option for the '{tunnel}' tunnel type"
            ),
            Problem::TunnelIllegal { option, tunnel } => {
                write!(f, "Illegal '{option}' option with the '{tunnel}' tunnel type")
            }
            Problem::TunnelConflict {
                first,
                second,
                tunnel,
            } => write!(
                f,
                "The option '{first}' conflicts with the '{second}' option in the '{tunnel}' tunnel type"
            ),
            Problem::TunnelOptionsWithoutTunnel => {
                f.write_str("Tunnel options conflict with forward method")
            }
            Problem::DifferentFamily => {
                f.write_str("Different address family is allowed only for tunneling servers")
            }
            Problem::ZeroPort => f.write_str("Zero port specified for non-persistent service"),
            Problem::OnePacketNotUdp => {
                f.write_str("One-Packet Scheduling is only for UDP virtual services")
            }
            Problem::Ipv6BeforeFwmark => f.write_str("-6 used before -f"),
            Problem::IllegalWeight => f.write_str("illegal weight specified"),
            Problem::IllegalUpperThreshold => f.write_str("illegal u_threshold specified"),
            Problem::IllegalLowerThreshold => f.write_str("illegal l_threshold specified"),
            Problem::IllegalSyncId => f.write_str("illegal syncid specified"),
            Problem::InvalidTimeout(v) => write!(f, "invalid timeout value `{v}' specified"),
            Problem::InvalidFwmark(v) => write!(f, "invalid fwmark value `{v}' specified"),
            Problem::IllegalServiceAddress => {
                f.write_str("illegal virtual server address[:port] specified")
            }
            Problem::IllegalServerAddress => {
                f.write_str("illegal real server address[:port] specified")
            }
            Problem::IllegalNetmask => {
                f.write_str("illegal virtual server persistent mask specified")
            }
            Problem::IllegalIpv6Netmask => f.write_str("illegal ipv6 netmask specified"),
            Problem::SetNeedsThreeValues => f.write_str("--set option requires 3 timeout values"),
            Problem::UnexpectedArgument(v) => write!(f, "unexpected argument {v}"),
            Problem::IllegalStartDaemon => f.write_str("illegal start-daemon parameter specified"),
            Problem::IllegalStopDaemon => f.write_str("illegal start_daemon specified"),
            Problem::IllegalTunnelType => f.write_str("illegal tunnel type specified"),
            Problem::IllegalTunnelPort => f.write_str("illegal tunnel port specified"),
            Problem::IllegalMcastPort => f.write_str("illegal mcast-port specified"),
            Problem::IllegalMcastTtl => f.write_str("illegal mcast-ttl specified"),
            Problem::IllegalSyncMaxlen => f.write_str("illegal sync-maxlen specified"),
            Problem::InvalidIpv4McastGroup(v) => write!(f, "invalid IPv4 mcast-group `{v}'"),
            Problem::InvalidIpv6McastGroup(v) => write!(f, "invalid IPv6 mcast-group `{v}'"),
            Problem::InvalidSchedFlag(v) => write!(f, "invalid scheduler flag `{v}'"),
            Problem::IncompatibleSchedFlag(v) => write!(f, "incompatible scheduler flag `{v}'"),
            Problem::NameTooLong { what, max } => {
                write!(f, "{what} name longer than {max} characters")
            }
            Problem::EmptyName(what) => write!(f, "empty {what} name"),
            Problem::ReservedName(what) => {
                write!(f, "a {what} name cannot be `ipvsadm' in rule text")
            }
            Problem::NestedRestore => f.write_str("-R inside restore text"),
            Problem::NotTableCommand(command) => {
                write!(f, "the '{command}' command does not describe a table")
            }
            Problem::NotAChange(command) => {
                write!(f, "the '{command}' command does not change the table")
            }
            Problem::DuplicateService(key) => write!(f, "Service already exists: {key}"),
            Problem::ServiceNotDefined(key) => write!(f, "Service not defined: {key}"),
            Problem::DuplicateServer(key) => write!(f, "Destination already exists in {key}"),
            Problem::UnsafeName(what) => {
                write!(f, "a {what} name with a blank or control character")
            }
            Problem::InvalidExtensionValue { option, .. } => write!(f, "invalid {option} value"),
            Problem::TunnelOptionsWithLvsTunnel => {
                f.write_str("tunnel options conflict with --lvs-tunnel")
            }
            Problem::Unsaveable { field, value } => {
                write!(f, "{field} {value} cannot be written as rule text")
            }
            Problem::DuplicateTimeouts => f.write_str("timeouts set twice"),
            Problem::DuplicateDaemon(role) => write!(f, "{role} sync daemon started twice"),
            Problem::InvalidSysctl(reason) => write!(f, "invalid --lvs-sysctl: {reason}"),
            Problem::DuplicateSysctl(name) => write!(f, "net.ipv4.vs.{name} set twice"),
        }
    }
}

//! ipvsadm's names for its commands and options, as its diagnostics spell them.

use std::fmt;

/// A command, by the name ipvsadm's diagnostics use (`add-service`, `flush`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CommandName {
    /// `-A`, `--add-service`.
    AddService,
    /// `-E`, `--edit-service`.
    EditService,
    /// `-D`, `--delete-service`.
    DeleteService,
    /// `-C`, `--clear`.
    Flush,
    /// `-L`, `-l`, `--list`.
    List,
    /// `-a`, `--add-server`.
    AddServer,
    /// `-d`, `--delete-server`.
    DeleteServer,
    /// `-e`, `--edit-server`.
    EditServer,
    /// `--set`.
    Set,
    /// `--start-daemon`.
    StartDaemon,
    /// `--stop-daemon`.
    StopDaemon,
    /// `-R`, `--restore`.
    Restore,
    /// `-S`, `--save`.
    Save,
    /// `-Z`, `--zero`.
    Zero,
    /// `-h`, `--help`.
    Help,
    /// `-v`, `--version`.
    Version,
}

impl CommandName {
    /// ipvsadm's name of the command.
    pub const fn name(self) -> &'static str {
        match self {
            CommandName::AddService => "add-service",
            CommandName::EditService => "edit-service",
            CommandName::DeleteService => "delete-service",
            CommandName::Flush => "flush",
            CommandName::List => "list",
            CommandName::AddServer => "add-server",
            CommandName::DeleteServer => "delete-server",
            CommandName::EditServer => "edit-server",
            CommandName::Set => "set",
            CommandName::StartDaemon => "start-daemon",
            CommandName::StopDaemon => "stop-daemon",
            CommandName::Restore => "restore",
            CommandName::Save => "save",
            CommandName::Zero => "zero",
            CommandName::Help => "help",
            CommandName::Version => "version",
        }
    }
}

impl fmt::Display for CommandName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An option, by the name ipvsadm's diagnostics use. Several spellings share one name:
/// `-t`, `-u`, `--sctp-service` and `-f` are all `service-address`; `-g`, `-i` and `-m`
/// are all `forwarding-method`.
///
/// The order of the variants is ipvsadm's option order, which decides which problem is
/// reported first when a line has several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum OptionName {
    /// `-n`.
    Numeric,
    /// `-c`.
    Connection,
    /// `-t`, `-u`, `--sctp-service`, `-f`.
    ServiceAddress,
    /// `-s`.
    Scheduler,
    /// `-p`.
    Persistent,
    /// `-M`.
    Netmask,
    /// `-r`.
    RealServer,
    /// `-g`, `-i`, `-m`.
    ForwardingMethod,
    /// `-w`.
    Weight,
    /// `-x`.
    UpperThreshold,
    /// `-y`.
    LowerThreshold,
    /// `--mcast-interface`.
    McastInterface,
    /// `--timeout`.
    Timeout,
    /// `--daemon`.
    Daemon,
    /// `--stats`.
    Stats,
    /// `--rate`.
    Rate,
    /// `--thresholds`.
    Thresholds,
    /// `--persistent-conn`.
    PersistentConn,
    /// `--nosort`.
    NoSort,
    /// `--syncid`.
    SyncId,
    /// `-X`, `--exact`.
    Exact,
    /// `-o`.
    Ops,
    /// `--pe`.
    Pe,
    /// `-b`.
    SchedFlags,
    /// `--mcast-group`.
    McastGroup,
    /// `--mcast-port`.
    McastPort,
    /// `--mcast-ttl`.
    McastTtl,
    /// `--sync-maxlen`.
    SyncMaxlen,
    /// `--tun-info`.
    TunInfo,
    /// `--tun-type`.
    TunType,
    /// `--tun-port`.
    TunPort,
    /// `--tun-nocsum`.
    TunNoCsum,
    /// `--tun-csum`.
    TunCsum,
    /// `--tun-remcsum`.
    TunRemCsum,
    /// `--lvs-timeout` (an lvs extension).
    LvsTimeout,
    /// `--lvs-flags` (an lvs extension).
    LvsFlags,
}

impl OptionName {
    /// Every option name, in ipvsadm's option order.
    pub const ALL: [OptionName; 36] = [
        OptionName::Numeric,
        OptionName::Connection,
        OptionName::ServiceAddress,
        OptionName::Scheduler,
        OptionName::Persistent,
        OptionName::Netmask,
        OptionName::RealServer,
        OptionName::ForwardingMethod,
        OptionName::Weight,
        OptionName::UpperThreshold,
        OptionName::LowerThreshold,
        OptionName::McastInterface,
        OptionName::Timeout,
        OptionName::Daemon,
        OptionName::Stats,
        OptionName::Rate,
        OptionName::Thresholds,
        OptionName::PersistentConn,
        OptionName::NoSort,
        OptionName::SyncId,
        OptionName::Exact,
        OptionName::Ops,
        OptionName::Pe,
        OptionName::SchedFlags,
        OptionName::McastGroup,
        OptionName::McastPort,
        OptionName::McastTtl,
        OptionName::SyncMaxlen,
        OptionName::TunInfo,
        OptionName::TunType,
        OptionName::TunPort,
        OptionName::TunNoCsum,
        OptionName::TunCsum,
        OptionName::TunRemCsum,
        OptionName::LvsTimeout,
        OptionName::LvsFlags,
    ];

    /// The position of the option in [`OptionName::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// ipvsadm's name of the option.
    pub const fn name(self) -> &'static str {
        match self {
            OptionName::Numeric => "numeric",
            OptionName::Connection => "connection",
            OptionName::ServiceAddress => "service-address",
            OptionName::Scheduler => "scheduler",
            OptionName::Persistent => "persistent",
            OptionName::Netmask => "netmask",
            OptionName::RealServer => "real-server",
            OptionName::ForwardingMethod => "forwarding-method",
            OptionName::Weight => "weight",
            OptionName::UpperThreshold => "u-threshold",
            OptionName::LowerThreshold => "l-threshold",
            OptionName::McastInterface => "mcast-interface",
            OptionName::Timeout => "timeout",
            OptionName::Daemon => "daemon",
            OptionName::Stats => "stats",
            OptionName::Rate => "rate",
            OptionName::Thresholds => "thresholds",
            OptionName::PersistentConn => "persistent-conn",
            OptionName::NoSort => "nosort",
            OptionName::SyncId => "syncid",
            OptionName::Exact => "exact",
            OptionName::Ops => "ops",
            OptionName::Pe => "pe",
            OptionName::SchedFlags => "sched-flags",
            OptionName::McastGroup => "mcast-group",
            OptionName::McastPort => "mcast-port",
            OptionName::McastTtl => "mcast-ttl",
            OptionName::SyncMaxlen => "sync-maxlen",
            OptionName::TunInfo => "tun-info",
            OptionName::TunType => "tun-type",
            OptionName::TunPort => "tun-port",
            OptionName::TunNoCsum => "tun-nocsum",
            OptionName::TunCsum => "tun-csum",
            OptionName::TunRemCsum => "tun-remcsum",
            OptionName::LvsTimeout => "lvs-timeout",
            OptionName::LvsFlags => "lvs-flags",
        }
    }
}

impl fmt::Display for OptionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

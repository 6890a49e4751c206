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
    /// `--lvs-sysctl NAME=VALUE`: lvs's own command (ipvsadm has none for sysctls).
    LvsSysctl,
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
            CommandName::LvsSysctl => "lvs-sysctl",
        }
    }
}

impl fmt::Display for CommandName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Writes [`OptionName`], its [`OptionName::ALL`] list and [`OptionName::name`] from one
/// table of (variant, ipvsadm's name), in ipvsadm's option order, so that an option is
/// added in one place.
macro_rules! option_names {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// An option, by the name ipvsadm's diagnostics use. Several spellings share one name:
        /// `-t`, `-u`, `--sctp-service` and `-f` are all `service-address`; `-g`, `-i` and `-m`
        /// are all `forwarding-method`.
        ///
        /// The order of the variants is ipvsadm's option order, which decides which problem is
        /// reported first when a line has several.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum OptionName {
            $($(#[$doc])* $variant,)*
        }

        impl OptionName {
            /// Every option name, in ipvsadm's option order.
            pub const ALL: [OptionName; [$($name),*].len()] = [$(OptionName::$variant),*];

            /// ipvsadm's name of the option.
            pub const fn name(self) -> &'static str {
                match self {
                    $(OptionName::$variant => $name,)*
                }
            }
        }
    };
}

option_names! {
    /// `-n`.
    Numeric => "numeric",
    /// `-c`.
    Connection => "connection",
    /// `-t`, `-u`, `--sctp-service`, `-f`.
    ServiceAddress => "service-address",
    /// `-s`.
    Scheduler => "scheduler",
    /// `-p`.
    Persistent => "persistent",
    /// `-M`.
    Netmask => "netmask",
    /// `-r`.
    RealServer => "real-server",
    /// `-g`, `-i`, `-m`.
    ForwardingMethod => "forwarding-method",
    /// `-w`.
    Weight => "weight",
    /// `-x`.
    UpperThreshold => "u-threshold",
    /// `-y`.
    LowerThreshold => "l-threshold",
    /// `--mcast-interface`.
    McastInterface => "mcast-interface",
    /// `--timeout`.
    Timeout => "timeout",
    /// `--daemon`.
    Daemon => "daemon",
    /// `--stats`.
    Stats => "stats",
    /// `--rate`.
    Rate => "rate",
    /// `--thresholds`.
    Thresholds => "thresholds",
    /// `--persistent-conn`.
    PersistentConn => "persistent-conn",
    /// `--nosort`.
    NoSort => "nosort",
    /// `--syncid`.
    SyncId => "syncid",
    /// `-X`, `--exact`.
    Exact => "exact",
    /// `-o`.
    Ops => "ops",
    /// `--pe`.
    Pe => "pe",
    /// `-b`.
    SchedFlags => "sched-flags",
    /// `--mcast-group`.
    McastGroup => "mcast-group",
    /// `--mcast-port`.
    McastPort => "mcast-port",
    /// `--mcast-ttl`.
    McastTtl => "mcast-ttl",
    /// `--sync-maxlen`.
    SyncMaxlen => "sync-maxlen",
    /// `--tun-info`.
    TunInfo => "tun-info",
    /// `--tun-type`.
    TunType => "tun-type",
    /// `--tun-port`.
    TunPort => "tun-port",
    /// `--tun-nocsum`.
    TunNoCsum => "tun-nocsum",
    /// `--tun-csum`.
    TunCsum => "tun-csum",
    /// `--tun-remcsum`.
    TunRemCsum => "tun-remcsum",
    /// `--lvs-timeout` (an lvs extension).
    LvsTimeout => "lvs-timeout",
    /// `--lvs-flags` (an lvs extension).
    LvsFlags => "lvs-flags",
}

impl OptionName {
    /// The position of the option in [`OptionName::ALL`].
    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for OptionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

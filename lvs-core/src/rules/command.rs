//! What one line of rule text asks for.

use crate::listing::{ListFormat, ListOptions as ListingOptions};
use crate::model::ServiceKey;
use crate::ops::Operation;

use super::names::CommandName;

/// One ipvsadm command line, read with ipvsadm's defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Command {
    /// A command that changes the table, the sync daemons or a sysctl: `-A`, `-E`, `-D`,
    /// `-a`, `-e`, `-d`, `-C`, `-Z`, `--set`, `--start-daemon`, `--stop-daemon`,
    /// `--lvs-sysctl`.
    Operation(Operation),
    /// `-L`: list the table, connections, timeouts or daemons.
    List(ListRequest),
    /// `-S`: print the table as rule text.
    Save {
        /// `-n`: numeric addresses and ports.
        numeric: bool,
    },
    /// `-R`: read rule text from standard input.
    Restore,
    /// `-h`: print the usage text.
    Help,
    /// `-v`: print the version.
    Version,
}

impl Command {
    /// The operation of a table-changing command.
    pub fn operation(&self) -> Option<&Operation> {
        match self {
            Command::Operation(op) => Some(op),
            _ => None,
        }
    }

    /// ipvsadm's name of the command (`add-service`, `list`, ...).
    pub fn name(&self) -> CommandName {
        match self {
            Command::Operation(op) => match op {
                Operation::AddService(_) => CommandName::AddService,
                Operation::EditService(_) => CommandName::EditService,
                Operation::DeleteService(_) => CommandName::DeleteService,
                Operation::AddServer(..) => CommandName::AddServer,
                Operation::EditServer(..) => CommandName::EditServer,
                Operation::DeleteServer(..) => CommandName::DeleteServer,
                Operation::Flush => CommandName::Flush,
                Operation::Zero(_) => CommandName::Zero,
                Operation::SetTimeouts(_) => CommandName::Set,
                Operation::StartDaemon(_) => CommandName::StartDaemon,
                Operation::StopDaemon(_) => CommandName::StopDaemon,
                Operation::SetSysctl(_) => CommandName::LvsSysctl,
            },
            Command::List(_) => CommandName::List,
            Command::Save { .. } => CommandName::Save,
            Command::Restore => CommandName::Restore,
            Command::Help => CommandName::Help,
            Command::Version => CommandName::Version,
        }
    }
}

impl From<Operation> for Command {
    fn from(op: Operation) -> Command {
        Command::Operation(op)
    }
}

/// The options of `-L`, as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct ListRequest {
    /// `-n`: numeric addresses and ports.
    pub numeric: bool,
    /// `-c`: list connections.
    pub connection: bool,
    /// `--timeout`: list the timeouts.
    pub timeout: bool,
    /// `--daemon`: list the sync daemons.
    pub daemon: bool,
    /// `--stats`.
    pub stats: bool,
    /// `--rate`.
    pub rate: bool,
    /// `--thresholds`.
    pub thresholds: bool,
    /// `--persistent-conn`.
    pub persistent_conn: bool,
    /// `--tun-info`.
    pub tun_info: bool,
    /// `-X`: exact numbers.
    pub exact: bool,
    /// `--nosort`.
    pub nosort: bool,
    /// `--sort` (ipvsadm sorts anyway; kept to say the line had it).
    pub sort: bool,
    /// `--syncid` (accepted by ipvsadm with `-L`, and unused).
    pub sync_id: Option<u32>,
    /// `-t`/`-u`/`--sctp-service`/`-f`: list only this service.
    pub service: Option<ServiceKey>,
}

impl ListRequest {
    /// Options of a plain `-L`.
    pub fn new() -> ListRequest {
        ListRequest::default()
    }

    /// What the listing shows, with ipvsadm's precedence when several are given.
    pub fn view(&self) -> ListView {
        if self.connection {
            ListView::Connections
        } else if self.timeout {
            ListView::Timeouts
        } else if self.daemon {
            ListView::Daemons
        } else {
            let asked = [
                (self.stats, ListFormat::Stats),
                (self.rate, ListFormat::Rate),
                (self.thresholds, ListFormat::Thresholds),
                (self.persistent_conn, ListFormat::PersistentConn),
                (self.tun_info, ListFormat::TunInfo),
            ];
            ListView::Services(ListFormat::by_precedence(
                asked.into_iter().filter(|(on, _)| *on).map(|(_, f)| f),
            ))
        }
    }

    /// The formatter's options for a services listing: layout, `--exact`, `--nosort`.
    pub fn listing_options(&self) -> ListingOptions {
        let format = match self.view() {
            ListView::Services(format) => format,
            _ => ListFormat::Default,
        };
        let mut options = ListingOptions::new().with_format(format);
        if self.exact {
            options = options.exact();
        }
        if self.nosort {
            options = options.nosort();
        }
        options
    }
}

/// What `-L` shows: the services in one of the listing layouts, or something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ListView {
    /// The services with their real servers, in a layout of [`crate::listing`].
    Services(ListFormat),
    /// `-c`: the connection table.
    Connections,
    /// `--timeout`.
    Timeouts,
    /// `--daemon`.
    Daemons,
}

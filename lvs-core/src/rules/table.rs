//! Reading restore text as a desired table: `-A`, `-a`, `--set`, `--start-daemon` and
//! `--lvs-sysctl` lines.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;

use crate::model::ServiceKey;
use crate::ops::Operation;
use crate::table::{Table, VirtualService};

use super::command::Command;
use super::error::{Problem, RuleError};
use super::line::read_line;
use super::scan::tokens;

/// The table that restore text describes, when it only adds services and real servers and
/// states settings: what [`super::save`] writes (and `ipvsadm -S` too).
///
/// Services keep the order of their `-A` lines and real servers the order of their `-a`
/// lines. A `--set` line (or lvs's `--lvs-set`) gives [`Table::timeouts`], each
/// `--start-daemon` line a daemon of [`Table::daemons`], each `--lvs-sysctl` line a sysctl
/// of [`Table::sysctls`] (in the text's order); text without them states no timeouts, no
/// daemons and no sysctls, and a plan towards it leaves those alone. The text is refused,
/// at the first offending line, when it has a line that the reader refuses, another
/// command, a service added twice, a real server for a service no earlier line added, a
/// real server added twice to a service, a second `--set`, a second daemon of a role, or a
/// second `--lvs-sysctl` of a knob.
pub fn table_from_rules(text: &str) -> Result<Table, RuleError> {
    let mut table = Table::default();
    // Where each service is in the table, and which real servers each has: tables of tens
    // of thousands of services are read, so lookups must not scan the table.
    let mut position: HashMap<ServiceKey, usize> = HashMap::new();
    let mut servers: HashSet<(usize, SocketAddr)> = HashSet::new();
    for (index, line) in text.split('\n').enumerate() {
        let number = index + 1;
        let Some(command) = read_line(line, number)? else {
            continue;
        };
        // Table errors point at the command, the first token of the line (found only
        // then: tokenizing every line again costs a tenth of the read).
        let error = |problem| {
            let first = tokens(line)[0];
            RuleError::new(number, first.column, first.text, problem)
        };
        match command {
            Command::Operation(Operation::AddService(service)) => {
                if position.insert(service.key, table.services.len()).is_some() {
                    return Err(error(Problem::DuplicateService(service.key)));
                }
                table
                    .services
                    .push(VirtualService::new(service, Vec::new()));
            }
            Command::Operation(Operation::AddServer(key, server)) => {
                let Some(&at) = position.get(&key) else {
                    return Err(error(Problem::ServiceNotDefined(key)));
                };
                if !servers.insert((at, server.addr)) {
                    return Err(error(Problem::DuplicateServer(key)));
                }
                table.services[at].servers.push(server);
            }
            Command::Operation(Operation::SetTimeouts(timeouts)) => {
                if table.timeouts.replace(timeouts).is_some() {
                    return Err(error(Problem::DuplicateTimeouts));
                }
            }
            Command::Operation(Operation::StartDaemon(daemon)) => {
                if table.daemons.iter().any(|d| d.role == daemon.role) {
                    return Err(error(Problem::DuplicateDaemon(daemon.role)));
                }
                table.daemons.push(daemon);
            }
            Command::Operation(Operation::SetSysctl(setting)) => {
                if table.sysctls.iter().any(|s| s.name == setting.name) {
                    return Err(error(Problem::DuplicateSysctl(setting.name)));
                }
                table.sysctls.push(setting);
            }
            other => return Err(error(Problem::NotTableCommand(other.name()))),
        }
    }
    Ok(table)
}

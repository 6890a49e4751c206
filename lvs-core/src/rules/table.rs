//! Reading restore text as a desired table: `-A`, `-a`, `--set`, `--start-daemon` and
//! `--lvs-sysctl` lines.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;

use crate::model::{ServiceKey, SCANNED_SERVERS};
use crate::ops::Operation;
use crate::table::{Table, VirtualService};

use super::command::Command;
use super::error::{Problem, RuleError};
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
    super::lines::for_each_command(text, |number, line, command| {
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
                // A real server's line mostly follows its service's: that one is checked
                // before the index is asked.
                let last = table.services.len().checked_sub(1);
                let at = match last.filter(|&at| table.services[at].service.key == key) {
                    Some(at) => at,
                    None => match position.get(&key) {
                        Some(&at) => at,
                        None => return Err(error(Problem::ServiceNotDefined(key))),
                    },
                };
                let listed = &table.services[at].servers;
                // Most services have a few real servers: scanning them is cheaper than
                // hashing; a service with many is indexed from its SCANNED_SERVERS-th on.
                let duplicate = if listed.len() < SCANNED_SERVERS {
                    listed.iter().any(|s| s.addr == server.addr)
                } else {
                    if listed.len() == SCANNED_SERVERS {
                        servers.extend(listed.iter().map(|s| (at, s.addr)));
                    }
                    !servers.insert((at, server.addr))
                };
                if duplicate {
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
        Ok(())
    })?;
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A service with `count` real servers, the `repeat`-th (from 0) of them added again
    /// as the last line.
    fn service_with_repeat(count: usize, repeat: usize) -> String {
        let mut text = String::from("-A -t 10.0.0.1:80 -s rr\n");
        for i in 0..count {
            text.push_str(&format!(
                "-a -t 10.0.0.1:80 -r 10.1.0.{}:80 -m -w 1\n",
                i + 1
            ));
        }
        text.push_str(&format!(
            "-a -t 10.0.0.1:80 -r 10.1.0.{}:80 -g -w 2\n",
            repeat + 1
        ));
        text
    }

    #[test]
    fn a_real_server_added_twice_is_refused_at_its_second_line_however_many_the_service_has() {
        // Below, at and above the count from which a service's real servers are indexed.
        for count in [
            1,
            5,
            SCANNED_SERVERS - 1,
            SCANNED_SERVERS,
            SCANNED_SERVERS + 1,
            40,
        ] {
            for repeat in [0, count / 2, count - 1] {
                let error = table_from_rules(&service_with_repeat(count, repeat))
                    .expect_err("a real server added twice");
                assert_eq!(error.line, count + 2, "{count} servers, repeat {repeat}");
                assert!(
                    matches!(error.problem, Problem::DuplicateServer(_)),
                    "{error}"
                );
            }
            let mut fine = service_with_repeat(count, 0);
            fine.push_str("-a -t 10.0.0.1:80 -r 10.1.0.250:80 -m -w 1\n");
            let fine = fine.replacen("-a -t 10.0.0.1:80 -r 10.1.0.1:80 -g -w 2\n", "", 1);
            let table = table_from_rules(&fine).expect("every real server once");
            assert_eq!(table.services[0].servers.len(), count + 1);
        }
    }
}

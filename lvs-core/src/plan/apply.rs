//! Applying a plan all or nothing: when an operation fails, what the plan already changed
//! is undone, from the table the plan was made against.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;

use crate::error::{Classify, ErrorKind};
use crate::model::{RealServer, ServiceKey, SyncDaemon, Timeouts};
use crate::ops::{ApplyError, Ipvs, Operation, Outcome};
use crate::sysctl::{SysctlSetting, SysctlValue};
use crate::table::{Table, VirtualService};

use super::Plan;

/// A plan that did not apply, and what became of the table.
#[derive(Debug)]
#[non_exhaustive]
pub struct PlanApplyError<E> {
    /// What happened to each operation of the plan, in order.
    pub failure: ApplyError<E>,
    /// Whether the table is back as it was.
    pub rollback: Rollback<E>,
}

/// What undoing a failed plan achieved.
#[derive(Debug)]
#[non_exhaustive]
pub enum Rollback<E> {
    /// Every change the plan made is undone: the table is as it was before the apply.
    Complete,
    /// Some changes could not be undone.
    Incomplete {
        /// The undo operations that did not take effect, each with its error: together
        /// they are exactly the changes of the plan still in the table.
        left: Vec<(Operation, E)>,
        /// Operations whose answer was lost, so the table may or may not have them: of
        /// the plan (their undo was tried like the others') and of the undo.
        unknown: Vec<Operation>,
    },
    /// The plan holds an operation that cannot be undone (zeroing counters, a flush), and
    /// the failure came after it: what was applied stays.
    Impossible {
        /// The first applied operation that cannot be undone (boxed: an operation is large,
        /// and the error travels by value).
        operation: Box<Operation>,
    },
}

impl<E> Rollback<E> {
    /// Whether the table is as it was before the apply.
    pub fn is_complete(&self) -> bool {
        matches!(self, Rollback::Complete)
    }
}

impl<E: fmt::Display> fmt::Display for PlanApplyError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; ", self.failure)?;
        match &self.rollback {
            Rollback::Complete => f.write_str("every change was undone, the table is as it was"),
            Rollback::Incomplete { left, unknown } => {
                write!(f, "{} change(s) could not be undone:", left.len())?;
                for (op, e) in left {
                    write!(f, " [{}: {e}]", line_of(op))?;
                }
                if !unknown.is_empty() {
                    write!(f, "; {} operation(s) had no answer", unknown.len())?;
                }
                Ok(())
            }
            Rollback::Impossible { operation } => write!(
                f,
                "nothing was undone: `{}` cannot be undone",
                line_of(operation)
            ),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for PlanApplyError<E> {}

/// An operation as an ipvsadm line, or as debug output where it has none.
fn line_of(op: &Operation) -> String {
    crate::rules::operation_line(op).unwrap_or_else(|_| format!("{op:?}"))
}

impl<E: Classify> Classify for PlanApplyError<E> {
    fn kind(&self) -> ErrorKind {
        self.failure.kind()
    }
}

/// Applies `plan`, made against `current`, all or nothing.
///
/// The operations are applied in groups ([`Ipvs::apply`]). If one fails, every operation
/// that took effect (and every one whose answer was lost) is undone, newest first, from what
/// `current` held; timeouts, sync daemons and sysctls that the plan changes are read just
/// before the apply, so they can be put back too (a sysctl the namespace lacks is not read:
/// setting it fails, and there is nothing to put back). The error says whether the undo was complete, and if
/// not, exactly which changes are left. Changes other programs make meanwhile are not
/// undone: only the plan's own.
pub fn apply_plan<I: Ipvs>(
    ipvs: &I,
    current: &Table,
    plan: &Plan,
) -> Result<(), PlanApplyError<I::Error>> {
    let before = match Before::read(ipvs, current, &plan.operations) {
        Ok(before) => before,
        // Without the values to restore, nothing is applied: the read's failure is reported
        // on the first operation, the others were not sent.
        Err(e) => {
            let rest = plan.operations.len().saturating_sub(1);
            return Err(PlanApplyError {
                failure: ApplyError {
                    outcomes: std::iter::once(Outcome::Failed(e))
                        .chain(std::iter::repeat_with(|| Outcome::NotSent).take(rest))
                        .collect(),
                },
                rollback: Rollback::Complete,
            });
        }
    };
    let failure = match ipvs.apply(&plan.operations) {
        Ok(()) => return Ok(()),
        Err(failure) => failure,
    };
    let mut unknown = Vec::new();
    let mut done = Vec::new();
    for (op, outcome) in plan.operations.iter().zip(&failure.outcomes) {
        match outcome {
            Outcome::Applied => done.push(op),
            Outcome::Unknown => {
                unknown.push(op.clone());
                done.push(op);
            }
            _ => {}
        }
    }
    let undo = match undo_operations(&before, &done) {
        Ok(undo) => undo,
        Err(operation) => {
            return Err(PlanApplyError {
                failure,
                rollback: Rollback::Impossible {
                    operation: Box::new(operation),
                },
            })
        }
    };
    let left = apply_every(ipvs, undo, &mut unknown);
    let rollback = if left.is_empty() && unknown.is_empty() {
        Rollback::Complete
    } else {
        Rollback::Incomplete { left, unknown }
    };
    Err(PlanApplyError { failure, rollback })
}

/// Applies every operation it can: groups first, then what a failure kept from being sent
/// (each round sends at least one group, so it ends). Returns the operations that failed,
/// each with its error, and adds those whose answer was lost to `lost`.
fn apply_every<I: Ipvs>(
    ipvs: &I,
    mut pending: Vec<Operation>,
    lost: &mut Vec<Operation>,
) -> Vec<(Operation, I::Error)> {
    let mut left = Vec::new();
    while !pending.is_empty() {
        let Err(e) = ipvs.apply(&pending) else {
            break;
        };
        let mut next = Vec::new();
        for (op, outcome) in pending.into_iter().zip(e.outcomes) {
            match outcome {
                Outcome::Applied => {}
                Outcome::Failed(e) => left.push((op, e)),
                Outcome::NotSent => next.push(op),
                // The answer was lost: whether the undo took effect is unknown.
                Outcome::Unknown => lost.push(op),
            }
        }
        pending = next;
    }
    left
}

/// What the plan's operations replace: the table it was made against, and the timeouts and
/// sync daemons when it changes them.
struct Before<'a> {
    services: HashMap<ServiceKey, &'a VirtualService>,
    timeouts: Option<Timeouts>,
    daemons: Vec<SyncDaemon>,
    /// The values of the sysctls the plan sets, by name (those the namespace has).
    sysctls: HashMap<String, SysctlValue>,
}

impl<'a> Before<'a> {
    fn read<I: Ipvs>(
        ipvs: &I,
        current: &'a Table,
        operations: &[Operation],
    ) -> Result<Before<'a>, I::Error> {
        let sets_timeouts = operations
            .iter()
            .any(|op| matches!(op, Operation::SetTimeouts(_)));
        let changes_daemons = operations
            .iter()
            .any(|op| matches!(op, Operation::StartDaemon(_) | Operation::StopDaemon(_)));
        Ok(Before {
            services: current
                .services
                .iter()
                .map(|vs| (vs.service.key, vs))
                .collect(),
            timeouts: if sets_timeouts {
                Some(ipvs.timeouts()?)
            } else {
                None
            },
            daemons: if changes_daemons {
                ipvs.daemons()?
            } else {
                Vec::new()
            },
            sysctls: Before::read_sysctls(ipvs, operations)?,
        })
    }

    fn read_sysctls<I: Ipvs>(
        ipvs: &I,
        operations: &[Operation],
    ) -> Result<HashMap<String, SysctlValue>, I::Error> {
        let mut values = HashMap::new();
        for op in operations {
            let Operation::SetSysctl(setting) = op else {
                continue;
            };
            if values.contains_key(&setting.name) {
                continue;
            }
            match ipvs.sysctl(&setting.name) {
                Ok(value) => {
                    values.insert(setting.name.clone(), value);
                }
                // Its own write will fail the same way, with nothing to undo.
                Err(e) if e.kind() == ErrorKind::Unsupported => {}
                Err(e) => return Err(e),
            }
        }
        Ok(values)
    }

    fn service(&self, key: &ServiceKey) -> Option<&'a VirtualService> {
        self.services.get(key).copied()
    }

    fn server(&self, key: &ServiceKey, addr: &SocketAddr) -> Option<&'a RealServer> {
        self.service(key)?.servers.iter().find(|s| s.addr == *addr)
    }
}

/// The operations that undo `done` (applied in this order), newest first; or the first
/// operation that cannot be undone.
fn undo_operations(before: &Before<'_>, done: &[&Operation]) -> Result<Vec<Operation>, Operation> {
    let mut undo = Vec::new();
    for op in done.iter().rev() {
        match op {
            Operation::AddService(service) => undo.push(Operation::DeleteService(service.key)),
            Operation::EditService(service) => {
                let Some(old) = before.service(&service.key) else {
                    return Err((*op).clone());
                };
                undo.push(Operation::EditService(old.service.clone().as_configured()));
            }
            Operation::DeleteService(key) => {
                let Some(old) = before.service(key) else {
                    return Err((*op).clone());
                };
                undo.push(Operation::AddService(old.service.clone().as_configured()));
                undo.extend(old.servers.iter().map(|s| Operation::AddServer(*key, *s)));
            }
            Operation::AddServer(key, server) => {
                undo.push(Operation::DeleteServer(*key, server.addr))
            }
            Operation::EditServer(key, server) => {
                let old = before
                    .server(key, &server.addr)
                    .ok_or_else(|| (*op).clone())?;
                undo.push(Operation::EditServer(*key, *old));
            }
            Operation::DeleteServer(key, addr) => {
                let old = before.server(key, addr).ok_or_else(|| (*op).clone())?;
                undo.push(Operation::AddServer(*key, *old));
            }
            Operation::SetTimeouts(_) => match before.timeouts {
                Some(t) => undo.push(Operation::SetTimeouts(t)),
                None => return Err((*op).clone()),
            },
            Operation::StartDaemon(daemon) => undo.push(Operation::StopDaemon(daemon.role)),
            Operation::StopDaemon(role) => {
                let Some(old) = before.daemons.iter().find(|d| d.role == *role) else {
                    // Stopping a daemon that was not running changed nothing.
                    continue;
                };
                undo.push(Operation::StartDaemon(old.clone()));
            }
            Operation::SetSysctl(setting) => match before.sysctls.get(&setting.name) {
                Some(old) => undo.push(Operation::SetSysctl(SysctlSetting::new(
                    &setting.name,
                    old.clone(),
                ))),
                None => return Err((*op).clone()),
            },
            Operation::Flush | Operation::Zero(_) => return Err((*op).clone()),
        }
    }
    Ok(undo)
}

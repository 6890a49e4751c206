//! What the kernel's errnos mean, command by command: the answers of the IPVS netlink
//! handlers (`net/netfilter/ipvs/ip_vs_ctl.c`) as [`Error`]s. The kernel suite
//! (`tests/kernel/error_paths.rs`) provokes each one on both test kernels.
//!
//! The same errno means different things for different commands: ENOENT is "scheduler or
//! persistence engine not found" when adding a service but "no such real server" when
//! editing one; ESRCH is a missing service, or a daemon that is not running.

use lvs_core::{Operation, Service};

use crate::error::Error;

/// The request a kernel answer belongs to, as much of it as the meaning of an errno needs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Context<'a> {
    /// A table-changing operation.
    Op(&'a Operation),
    /// Reading one service.
    GetService(&'a lvs_core::ServiceKey),
    /// Any other read (dumps, timeouts, info).
    Read(&'static str),
}

impl Context<'_> {
    /// The operation's name, for messages.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Context::Op(op) => op_name(op),
            Context::GetService(_) => "get service",
            Context::Read(name) => name,
        }
    }
}

/// The name of an operation, for messages ([`lvs_core::OperationKind::description`]).
pub(crate) fn op_name(op: &Operation) -> &'static str {
    op.kind().description()
}

/// The scheduler name to report for ENOENT on add/edit service: the kernel does not say
/// whether the scheduler or the engine was missing, so name the one that is not built in.
fn missing_scheduler_name(service: &Service) -> String {
    let known = lvs_core::Scheduler::KNOWN.contains(&service.scheduler)
        || service.scheduler == lvs_core::Scheduler::None;
    match (&service.pe_name, known) {
        (Some(pe), true) => pe.clone(),
        _ => service.scheduler.name().to_owned(),
    }
}

/// The errno the kernel answers for each refusal of the model: the reverse of this
/// module's errno-to-error mapping, kept beside it so that the two directions are read
/// (and changed) together. lvs-py gives `MemoryIpvs` errors this errno, so they carry the same one as the kernel's.
pub fn model_errno(error: &lvs_core::Error) -> i32 {
    use lvs_core::Error as E;
    match error {
        E::ServiceNotFound(_) | E::DaemonNotRunning(_) => libc::ESRCH,
        E::ServiceExists(_) | E::ServerExists { .. } | E::DaemonRunning(_) => libc::EEXIST,
        E::SchedulerNotFound { .. } | E::ServerNotFound { .. } => libc::ENOENT,
        // No such file under /proc/sys/net/ipv4/vs.
        E::SysctlUnavailable { .. } => libc::ENOENT,
        E::InterfaceNotFound(_) => libc::ENODEV,
        E::OutOfRange { .. } => libc::ERANGE,
        E::Unsupported(_) => libc::EOPNOTSUPP,
        _ => libc::EINVAL,
    }
}

/// Turns a kernel errno for a request into lvs's error.
pub(crate) fn error_for(context: Context<'_>, errno: i32, message: Option<String>) -> Error {
    use lvs_core::Error as E;
    let op = context.name();
    let model = match (context, errno) {
        (_, libc::EPERM) => return Error::PermissionDenied { op },
        (Context::GetService(key), libc::ESRCH) => Some(E::ServiceNotFound(*key)),
        (Context::Op(op), libc::ESRCH) => match op {
            Operation::EditService(s) => Some(E::ServiceNotFound(s.key)),
            Operation::DeleteService(k)
            | Operation::AddServer(k, _)
            | Operation::EditServer(k, _)
            | Operation::DeleteServer(k, _)
            | Operation::Zero(Some(k)) => Some(E::ServiceNotFound(*k)),
            Operation::StopDaemon(role) => Some(E::DaemonNotRunning(*role)),
            _ => None,
        },
        (Context::Op(op), libc::EEXIST) => match op {
            Operation::AddService(s) => Some(E::ServiceExists(s.key)),
            Operation::AddServer(k, d) => Some(E::ServerExists {
                service: *k,
                server: d.addr,
            }),
            Operation::StartDaemon(d) => Some(E::DaemonRunning(d.role)),
            _ => None,
        },
        (Context::Op(op), libc::ENOENT) => match op {
            Operation::AddService(s) | Operation::EditService(s) => Some(E::SchedulerNotFound {
                name: missing_scheduler_name(s),
            }),
            Operation::EditServer(k, d) => Some(E::ServerNotFound {
                service: *k,
                server: d.addr,
            }),
            Operation::DeleteServer(k, a) => Some(E::ServerNotFound {
                service: *k,
                server: *a,
            }),
            _ => None,
        },
        (Context::Op(Operation::StartDaemon(d)), libc::ENODEV) => {
            Some(E::InterfaceNotFound(d.interface.clone()))
        }
        (Context::Op(op), libc::ERANGE) => Some(match op {
            Operation::AddServer(_, d) | Operation::EditServer(_, d) => E::out_of_range(
                "weight or thresholds",
                i64::from(d.weight),
                message
                    .clone()
                    .unwrap_or_else(|| "the kernel refused it (ERANGE)".into()),
            ),
            _ => E::out_of_range("value", 0, "the kernel refused it (ERANGE)"),
        }),
        (Context::Op(op), libc::EINVAL) => Some(E::invalid(
            match op {
                Operation::AddService(_) | Operation::EditService(_) => "service",
                Operation::AddServer(..) | Operation::EditServer(..) => "real server",
                Operation::DeleteServer(..) => "real server",
                Operation::SetTimeouts(_) => "timeouts",
                Operation::StartDaemon(_) | Operation::StopDaemon(_) => "daemon",
                _ => "request",
            },
            message.clone().unwrap_or_else(|| {
                "the kernel refused it (EINVAL: e.g. an address that is not unicast, a \
                 mixed-family real server that does not tunnel, or one while a sync daemon runs)"
                    .into()
            }),
        )),
        (_, libc::EAFNOSUPPORT) => Some(E::Unsupported(
            "address family not supported by the kernel".into(),
        )),
        _ => None,
    };
    match model {
        Some(source) => Error::Ipvs {
            source,
            errno: Some(errno),
            message,
        },
        None => Error::Kernel { op, errno, message },
    }
}

//! Validation of services, real servers, timeouts and daemons with the kernel's meaning.
//!
//! Each function checks, before anything is sent, the rules of the kernel's IPVS control code
//! that need no kernel state, and answers with the [`Error`] variant of the kernel's errno
//! (EINVAL is [`Error::Invalid`], ERANGE is [`Error::OutOfRange`]) naming the model field.
//!
//! A few rules are lvs's own and stricter than the kernel, because the kernel would silently
//! store something else than what was asked; each is marked "(lvs)" below. Rules that depend
//! on what the kernel has loaded or configured (scheduler and engine modules, interfaces,
//! local addresses, running daemons, existing services) are left to the kernel, or to
//! [`crate::MemoryIpvs`], which models them.
//!
//! The generic-netlink path checks neither the protocol number of an address service nor
//! the service address itself, so neither is checked here.

mod address;
mod limits;

#[cfg(test)]
mod tests;

use crate::error::Error;
use crate::model::{
    DaemonRole, Family, Netmask, RealServer, Service, ServiceKey, SyncDaemon, Timeouts,
};
use crate::ops::Operation;

pub use limits::{
    HZ, IFNAME_MAX_LEN, MAX_CONNECTION_TIMEOUT, MAX_PERSISTENCE_TIMEOUT, PE_NAME_MAX_LEN,
    SCHED_NAME_MAX_LEN,
};

pub(crate) use address::{check_group, check_real_server_addr};
pub(crate) use limits::{
    check_connection_timeouts, check_interface_name, check_pe_name, check_sched_name,
    check_server_numbers,
};

/// Checks a service against the kernel's rules.
///
/// * the scheduler name is 1..=15 bytes without NUL (kernel: EINVAL when longer; an empty
///   name is refused here (lvs), the kernel answers ENOENT for it);
/// * the persistence engine name, if given, is 1..=16 bytes without NUL (kernel: EINVAL);
/// * an IPv6 service (address or `-f MARK -6`) has a [`Netmask::V6Prefix`] of 1..=128
///   (kernel: EINVAL); an IPv4 service has a [`Netmask::V4`] (lvs: the kernel would store
///   the prefix length as a mask);
/// * a firewall mark is not 0 (lvs: the kernel reads mark 0 as "no mark" and would create
///   the service `TCP 0.0.0.0:0` instead);
/// * the persistence timeout is at most [`MAX_PERSISTENCE_TIMEOUT`] (lvs: the kernel keeps it
///   in clock ticks in 32 bits and would wrap it).
pub fn validate_service(service: &Service) -> Result<(), Error> {
    check_sched_name(service.scheduler.name())?;
    if service.scheduler.name().is_empty() {
        return Err(Error::invalid("scheduler", "the name is empty"));
    }
    if let Some(pe) = &service.pe_name {
        check_pe_name(pe)?;
        if pe.is_empty() {
            return Err(Error::invalid(
                "pe_name",
                "the name is empty (leave the engine out instead)",
            ));
        }
    }
    if let ServiceKey::Fwmark { mark: 0, .. } = service.key {
        return Err(Error::invalid(
            "fwmark",
            "mark 0 means \"no mark\" to the kernel; marks are 1..=4294967295",
        ));
    }
    check_netmask(service.key.family(), &service.netmask)?;
    if service.timeout > MAX_PERSISTENCE_TIMEOUT {
        return Err(Error::out_of_range(
            "timeout",
            i64::from(service.timeout),
            format!(
                "the kernel keeps the persistence timeout in ticks (HZ={HZ}) in 32 bits, \
                 so at most {MAX_PERSISTENCE_TIMEOUT} s"
            ),
        ));
    }
    Ok(())
}

/// Checks a real server of `service` against the kernel's rules, in the kernel's order.
///
/// * its address family is the service's, unless it is tunnelled (kernel: EINVAL);
/// * the weight is at most `i32::MAX` (the kernel stores an `int`; a larger value reads as
///   negative, kernel: ERANGE);
/// * the lower threshold is not above the upper one (kernel: ERANGE), which also means a
///   lower threshold needs an upper one: upper 0 with lower > 0 is refused;
/// * a GUE tunnel has a port (kernel: EINVAL);
/// * the forwarding method fits the kernel's 3 bits (lvs: the kernel would mask it);
/// * the address is unicast (kernel: EINVAL, "address not unicast"): IPv4 not 0.0.0.0,
///   255.255.255.255 or multicast; IPv6 not unspecified, multicast, link-local or
///   IPv4-mapped. The kernel classifies IPv4 addresses with its routing table
///   (`inet_addr_type`), so the broadcast address of a configured subnet is refused too,
///   which only the kernel can know; and it accepts an IPv6 link-local address that is
///   local to the director, which is refused here.
pub fn validate_server(service: &ServiceKey, server: &RealServer) -> Result<(), Error> {
    check_server_family(service.family(), server)?;
    check_server_numbers(server)?;
    if server.forward.number() > 7 {
        return Err(Error::invalid(
            "forward",
            format!(
                "forwarding method {} does not fit the kernel's 3 bits",
                server.forward.number()
            ),
        ));
    }
    check_real_server_addr(server.addr.ip())
}

/// Checks connection timeouts: each at most [`MAX_CONNECTION_TIMEOUT`] (kernel: EINVAL).
///
/// The kernel's limit is `INT_MAX / HZ` and depends on the kernel's tick rate; lvs assumes
/// HZ = 250, Debian's kernel configuration (see [`HZ`]). 0 is valid: it keeps a value.
pub fn validate_timeouts(timeouts: &Timeouts) -> Result<(), Error> {
    check_connection_timeouts(timeouts)
}

/// Checks a sync daemon to start.
///
/// * the role is master or backup (kernel: EINVAL);
/// * the interface name is 1..=15 bytes without NUL (kernel: EINVAL when longer; an empty
///   name is refused here (lvs), the kernel answers ENODEV for it);
/// * the multicast group, if given, is a multicast address of its family (kernel: EINVAL).
pub fn validate_daemon(daemon: &SyncDaemon) -> Result<(), Error> {
    if !matches!(daemon.role, DaemonRole::Master | DaemonRole::Backup) {
        return Err(Error::invalid(
            "role",
            format!("{} is neither master nor backup", daemon.role),
        ));
    }
    check_interface_name(&daemon.interface)?;
    if daemon.interface.is_empty() {
        return Err(Error::invalid("interface", "the name is empty"));
    }
    match daemon.group {
        Some(group) => check_group(group),
        None => Ok(()),
    }
}

/// The netmask must match the family: a prefix of 1..=128 for IPv6, a mask for IPv4.
fn check_netmask(family: Family, netmask: &Netmask) -> Result<(), Error> {
    match (family, netmask) {
        (Family::Ipv6, Netmask::V6Prefix(1..=128)) | (Family::Ipv4, Netmask::V4(_)) => Ok(()),
        (Family::Ipv6, Netmask::V6Prefix(p)) => Err(Error::invalid(
            "netmask",
            format!("IPv6 prefix length {p} is not in 1..=128"),
        )),
        (Family::Ipv6, Netmask::V4(m)) => Err(Error::invalid(
            "netmask",
            format!("an IPv6 service needs a prefix length, not the mask {m}"),
        )),
        (Family::Ipv4, Netmask::V6Prefix(p)) => Err(Error::invalid(
            "netmask",
            format!("an IPv4 service needs a mask such as 255.255.255.0, not the prefix /{p}"),
        )),
    }
}

/// A real server of another family than its service must be tunnelled.
pub(crate) fn check_server_family(service: Family, server: &RealServer) -> Result<(), Error> {
    // The kernel compares the forwarding bits after masking them to 3 bits.
    if server.family() != service && server.forward.number() & 7 != 2 {
        return Err(Error::invalid(
            "addr",
            format!(
                "{} real server {} in an {} service needs tunnel forwarding",
                server.family(),
                server.addr,
                service
            ),
        ));
    }
    Ok(())
}

/// The checks the kernel's attribute policy makes while parsing a request, before it looks
/// at its table: scheduler, engine and interface names that do not fit their attributes
/// (kernel: EINVAL), and a sysctl's name and value ([`crate::sysctl::check`]). A backend
/// runs these before sending, so a request the kernel could not even take is refused with
/// the same meaning and nothing is sent.
pub fn validate_request_limits(operation: &Operation) -> Result<(), Error> {
    match operation {
        Operation::AddService(service) | Operation::EditService(service) => {
            check_service_names(service)
        }
        Operation::StartDaemon(daemon) => limits::check_interface_name(&daemon.interface),
        // A sysctl's value is checked against what the kernel takes before it is written.
        Operation::SetSysctl(setting) => {
            crate::sysctl::check(&setting.name, &setting.value).map(drop)
        }
        _ => Ok(()),
    }
}

/// The scheduler and engine names of a service fit the kernel's attributes (kernel: EINVAL).
pub(crate) fn check_service_names(service: &Service) -> Result<(), Error> {
    limits::check_sched_name(service.scheduler.name())?;
    match &service.pe_name {
        Some(pe) => limits::check_pe_name(pe),
        None => Ok(()),
    }
}

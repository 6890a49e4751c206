//! Name lengths, number ranges and the tick rate the kernel's limits derive from.

use crate::error::Error;
use crate::model::{RealServer, Timeouts};

/// The kernel tick rate lvs assumes: 250 per second, as Debian's kernels are configured
/// (`CONFIG_HZ=250`). The kernel keeps timeouts in ticks, so its limits in seconds depend on
/// it; a kernel with another HZ has other limits.
pub const HZ: u32 = 250;

/// The longest connection timeout the kernel accepts, in seconds: `INT_MAX / HZ`.
pub const MAX_CONNECTION_TIMEOUT: u32 = i32::MAX as u32 / HZ;

/// The longest persistence timeout the kernel stores without wrapping, in seconds:
/// `UINT_MAX / HZ`.
pub const MAX_PERSISTENCE_TIMEOUT: u32 = u32::MAX / HZ;

/// The longest scheduler name, in bytes (`IP_VS_SCHEDNAME_MAXLEN - 1`).
pub const SCHED_NAME_MAX_LEN: usize = 15;

/// The longest persistence engine name, in bytes (`IP_VS_PENAME_MAXLEN`).
pub const PE_NAME_MAX_LEN: usize = 16;

/// The longest interface name, in bytes (`IP_VS_IFNAME_MAXLEN - 1`).
pub const IFNAME_MAX_LEN: usize = 15;

/// A name the kernel receives as a NUL-terminated string of at most `max` bytes.
fn check_name(field: &'static str, name: &str, max: usize) -> Result<(), Error> {
    if name.len() > max {
        return Err(Error::invalid(
            field,
            format!(
                "\"{name}\" is {} bytes long; the kernel takes at most {max}",
                name.len()
            ),
        ));
    }
    if name.contains('\0') {
        return Err(Error::invalid(field, "the name contains a NUL byte"));
    }
    Ok(())
}

/// The scheduler name fits the kernel's attribute (kernel: EINVAL).
pub(crate) fn check_sched_name(name: &str) -> Result<(), Error> {
    check_name("scheduler", name, SCHED_NAME_MAX_LEN)
}

/// The persistence engine name fits the kernel's attribute (kernel: EINVAL).
pub(crate) fn check_pe_name(name: &str) -> Result<(), Error> {
    check_name("pe_name", name, PE_NAME_MAX_LEN)
}

/// The interface name fits the kernel's attribute (kernel: EINVAL).
pub(crate) fn check_interface_name(name: &str) -> Result<(), Error> {
    check_name("interface", name, IFNAME_MAX_LEN)
}

/// Weight, thresholds and GUE port, checked in the kernel's order (ERANGE, ERANGE, EINVAL).
pub(crate) fn check_server_numbers(server: &RealServer) -> Result<(), Error> {
    if server.weight > i32::MAX as u32 {
        return Err(Error::out_of_range(
            "weight",
            i64::from(server.weight),
            "the kernel stores the weight as an int: at most 2147483647",
        ));
    }
    if server.lower_threshold > server.upper_threshold {
        return Err(Error::out_of_range(
            "lower_threshold",
            i64::from(server.lower_threshold),
            format!(
                "above the upper threshold {} (an upper threshold of 0 allows no lower one)",
                server.upper_threshold
            ),
        ));
    }
    // The kernel tests the tunnel type number, whatever the forwarding method says.
    if let Some(tunnel) = server.forward.tunnel() {
        if tunnel.kind.number() == 1 && tunnel.kind.port() == 0 {
            return Err(Error::invalid(
                "tunnel port",
                "a GUE tunnel needs a destination port",
            ));
        }
    }
    Ok(())
}

/// Each timeout is at most `INT_MAX / HZ` (kernel: EINVAL, and nothing is changed).
pub(crate) fn check_connection_timeouts(timeouts: &Timeouts) -> Result<(), Error> {
    for (field, value) in [
        ("tcp", timeouts.tcp),
        ("tcp_fin", timeouts.tcp_fin),
        ("udp", timeouts.udp),
    ] {
        if value > MAX_CONNECTION_TIMEOUT {
            return Err(Error::invalid(
                field,
                format!(
                    "timeout {value} s is above the kernel's limit of {MAX_CONNECTION_TIMEOUT} s \
                     (INT_MAX / HZ, HZ={HZ})"
                ),
            ));
        }
    }
    Ok(())
}

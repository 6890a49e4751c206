//! The `net.ipv4.vs` sysctls of a handle's network namespace: the files under
//! `/proc/sys/net/ipv4/vs/`, opened (and listed) as that namespace has them, read and
//! written from any thread. What a value means and which values a knob takes is
//! lvs-core's ([`lvs_core::sysctl`]); this is only the I/O and what its errors mean.

use std::io::{self, Read as _, Write as _};
use std::path::PathBuf;

use lvs_core::sysctl::{self, SysctlSetting, SysctlValue, PROC_DIR};

use crate::error::Error;
use crate::netlink::NetlinkIpvs;

const READ: &str = "read sysctl";
const WRITE: &str = "set sysctl";
const LIST: &str = "list sysctls";

fn path(name: &str) -> PathBuf {
    PathBuf::from(PROC_DIR).join(name)
}

/// The running kernel's release, for messages (the UTS name, not a per-network-namespace
/// value).
fn kernel_release() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|r| r.trim().to_owned())
}

fn unavailable(name: &str, errno: Option<i32>) -> Error {
    Error::Ipvs {
        source: lvs_core::Error::SysctlUnavailable {
            name: name.to_owned(),
            kernel: kernel_release(),
        },
        errno,
        message: None,
    }
}

/// Opens the knob's file in the handle's namespace; a missing file is the typed
/// "not available in this kernel".
fn open(ipvs: &NetlinkIpvs, name: &str, write: bool) -> Result<std::fs::File, Error> {
    let op = if write { WRITE } else { READ };
    ipvs.open_namespace_file(&path(name), write, op)
        .map_err(|e| match e {
            Error::Io { source, .. } if source.kind() == io::ErrorKind::NotFound => {
                unavailable(name, source.raw_os_error())
            }
            other => other,
        })
}

/// The kernel's text of a knob, its final newline removed.
pub(crate) fn read_text(ipvs: &NetlinkIpvs, name: &str) -> Result<String, Error> {
    let name = sysctl::check_name(name)?;
    let mut text = String::new();
    open(ipvs, name, false)?
        .read_to_string(&mut text)
        .map_err(|source| io_error(READ, source))?;
    if text.ends_with('\n') {
        text.pop();
    }
    Ok(text)
}

/// Writes text to a knob as it is (with a newline, as `echo` does: every handler takes
/// it, and an empty CPU list needs it, since the kernel ignores a write of nothing).
pub(crate) fn write_text(ipvs: &NetlinkIpvs, name: &str, text: &str) -> Result<(), Error> {
    let name = sysctl::check_name(name)?;
    let mut file = open(ipvs, name, true)?;
    // One write: the kernel parses each write(2) of a sysctl on its own.
    let line = format!("{text}\n");
    match file.write(line.as_bytes()) {
        Ok(n) if n == line.len() => Ok(()),
        Ok(n) => Err(io_error(
            WRITE,
            io::Error::other(format!("the kernel took {n} of {} bytes", line.len())),
        )),
        Err(source) => Err(match source.raw_os_error() {
            Some(errno @ (libc::EINVAL | libc::ERANGE)) => Error::Ipvs {
                source: lvs_core::Error::SysctlRefused {
                    name: name.to_owned(),
                    value: text.to_owned(),
                    reason: format!("{source}"),
                },
                errno: Some(errno),
                message: None,
            },
            _ => io_error(WRITE, source),
        }),
    }
}

fn io_error(op: &'static str, source: io::Error) -> Error {
    match source.raw_os_error() {
        Some(libc::EACCES) | Some(libc::EPERM) => Error::PermissionDenied { op },
        _ => Error::Io { op, source },
    }
}

/// A knob's value, typed for one lvs knows ([`sysctl::from_kernel`]).
pub(crate) fn read(ipvs: &NetlinkIpvs, name: &str) -> Result<SysctlValue, Error> {
    let text = read_text(ipvs, name)?;
    Ok(sysctl::from_kernel(sysctl::short_name(name), &text))
}

/// Sets a knob after lvs's check of the value ([`sysctl::check`]), which refuses what the
/// kernel would refuse before anything is written.
pub(crate) fn write(ipvs: &NetlinkIpvs, name: &str, value: &SysctlValue) -> Result<(), Error> {
    let name = sysctl::check_name(name)?;
    let value = sysctl::check(name, value)?;
    write_text(ipvs, name, &sysctl::kernel_text(&value))
}

/// Every knob of the namespace, in name order: the directory is listed inside the
/// namespace, then each knob read.
pub(crate) fn list(ipvs: &NetlinkIpvs) -> Result<Vec<SysctlSetting>, Error> {
    let mut names: Vec<String> = ipvs
        .list_namespace_dir(&PathBuf::from(PROC_DIR), LIST)?
        .into_iter()
        .filter_map(|n| n.into_string().ok())
        .filter(|n| sysctl::check_name(n).is_ok())
        .collect();
    names.sort();
    let mut settings = Vec::with_capacity(names.len());
    for name in names {
        match read(ipvs, &name) {
            Ok(value) => settings.push(SysctlSetting::new(&name, value)),
            // A knob whose module was unloaded since the listing is gone, not an error.
            Err(e)
                if e.ipvs_error()
                    .is_some_and(|m| matches!(m, lvs_core::Error::SysctlUnavailable { .. })) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(settings)
}

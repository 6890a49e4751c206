//! Reading back every table written and comparing it with what was meant.

use lvs_core::plan::{plan, PlanOptions, Scope};
use lvs_core::{Ipvs, Table};
use lvs_sys::NetlinkIpvs;

use super::*;

/// Whether the table in namespace `ns` is `desired`.
pub(crate) fn verify(ns: &str, desired: &Table) -> Result<(), String> {
    let ipvs = NetlinkIpvs::open_in_netns(netns_path(ns)).map_err(|e| e.to_string())?;
    verify_with(&ipvs, desired)
}

pub(crate) fn verify_with(ipvs: &NetlinkIpvs, desired: &Table) -> Result<(), String> {
    same(&ipvs.read_table().map_err(|e| e.to_string())?, desired)
}

/// Whether two tables mean the same to the kernel (nothing to plan between them).
pub(crate) fn same(got: &Table, desired: &Table) -> Result<(), String> {
    let diff =
        plan(got, desired, &Scope::all(), &PlanOptions::default()).map_err(|e| e.to_string())?;
    if diff.is_empty() {
        Ok(())
    } else {
        let lines = diff.to_string();
        let head: Vec<&str> = lines.lines().take(5).collect();
        Err(format!(
            "table differs by {} operation(s), first: {}",
            diff.operations.len(),
            head.join("; ")
        ))
    }
}

//! Feeds arbitrary text to `table_from_rules` and holds every table it reads to what the
//! rules module promises of its two writers:
//!
//! - `save` is lossless: its text reads back as the same table (in the order it saves:
//!   services and real servers sorted, daemons by role), saving that again gives the same
//!   text, and a plan between the two tables is empty. For the table `MemoryIpvs` holds
//!   after restoring it (standing in for the kernel), the same holds of what it lists.
//! - `save_ipvsadm` writes `ipvsadm -S -n`'s text, which loses what ipvsadm does not save
//!   and writes some values no reader takes back (all of which need one of lvs's
//!   `--lvs-...` options to be read in the first place): for text without those options,
//!   its text reads back, and saving what it reads gives the same text again.

#![no_main]

use libfuzzer_sys::fuzz_target;
use lvs_core::order::cmp_servers;
use lvs_core::plan::{plan, PlanOptions, Scope};
use lvs_core::rules::{save, save_ipvsadm, table_from_rules};
use lvs_core::{Ipvs, MemoryIpvs, Table};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(table) = table_from_rules(text) else {
        return;
    };

    let saved = save(&table).unwrap_or_else(|e| panic!("a table read from text saves: {e}"));
    let back =
        table_from_rules(&saved).unwrap_or_else(|e| panic!("saved text reads back: {e}\n{saved}"));
    assert_eq!(back, as_saved(table.clone()), "{saved}");
    assert_eq!(save(&back).expect("it saves again"), saved);
    let p = plan(&table, &back, &Scope::all(), &PlanOptions::default())
        .expect("tables read from text plan");
    assert!(p.is_empty(), "{saved}\n{p}");

    if let Some(ipvs) = restored(&table) {
        let state = ipvs.read_config().expect("MemoryIpvs reads");
        let saved = save(&state).unwrap_or_else(|e| panic!("a held table saves: {e}"));
        let back = table_from_rules(&saved)
            .unwrap_or_else(|e| panic!("saved text reads back: {e}\n{saved}"));
        assert_eq!(back, as_saved(state.clone()), "{saved}");
        let p = plan(&state, &back, &Scope::all(), &PlanOptions::default())
            .expect("a held table plans");
        assert!(p.is_empty(), "{saved}\n{p}");
    }

    if !text.contains("--lvs-") {
        let ipvsadm = save_ipvsadm(&table);
        let again = table_from_rules(&ipvsadm)
            .unwrap_or_else(|e| panic!("ipvsadm's text reads back: {e}\n{ipvsadm}"));
        assert_eq!(save_ipvsadm(&again), ipvsadm);
    }
});

/// A table as saved text lists it: no `HASHED` (the kernel adds it to every listed service),
/// services and real servers in lvs's order, daemons by role.
fn as_saved(table: Table) -> Table {
    let mut table = table.sorted();
    for vs in &mut table.services {
        vs.service = vs.service.clone().as_configured();
        vs.servers.sort_by(cmp_servers);
    }
    table.daemons.sort_by_key(|d| d.role);
    table
}

/// The table restored into a fresh `MemoryIpvs` that has the daemons' interfaces, as
/// `ipvsadm -R` would: timeouts, daemons, then services; `None` if it refuses a line.
fn restored(table: &Table) -> Option<MemoryIpvs> {
    let ipvs = MemoryIpvs::new().with_interfaces(table.daemons.iter().map(|d| d.interface.clone()));
    if let Some(t) = &table.timeouts {
        ipvs.set_timeouts(t).ok()?;
    }
    for d in &table.daemons {
        ipvs.start_daemon(d).ok()?;
    }
    for vs in &table.services {
        ipvs.add_service(&vs.service).ok()?;
        for server in &vs.servers {
            ipvs.add_server(&vs.service.key, server).ok()?;
        }
    }
    Some(ipvs)
}

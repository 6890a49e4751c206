//! A failed apply on the kernel: the raw batch leaves what `MemoryIpvs` leaves, and a plan
//! applied with `apply_plan` is undone, so the table is as it was before.

use lvs_core::plan::{apply_plan, plan, Plan, PlanOptions, Scope};
use lvs_core::rules::table_from_rules;
use lvs_core::{
    Family, Ipvs, MemoryIpvs, Operation, Outcome, RealServer, Scheduler, Service, ServiceKey, Table,
};

use crate::support::{require_ipvs_kernel, snapshot, Netns};

/// `count` services with 4 NAT real servers each (thresholds set), `scheduler` on all.
fn rules(count: usize, scheduler: &str, weight_of_4th: u32) -> String {
    (0..count)
        .map(|i| {
            let vip = format!("10.1.{}.{}:80", i / 250, i % 250 + 1);
            let mut s = format!("-A -t {vip} -s {scheduler}\n");
            for r in 1..=4 {
                let w = if r == 4 { weight_of_4th } else { r };
                s += &format!("-a -t {vip} -r 192.0.2.{r}:8080 -m -w {w} -x 100 -y 50\n");
            }
            s
        })
        .collect()
}

// Undoing a delete re-adds a real server, which the kernel lists newest first: tables are
// compared in ipvsadm's order (`Table::sorted`).

fn refused_service() -> Operation {
    Operation::AddService(
        Service::new(ServiceKey::fwmark(777, Family::Ipv4))
            .with_scheduler(Scheduler::Other("nosuch".into())),
    )
}

/// What happened to each operation, without the errors (whose types differ by backend).
fn shape<E>(outcomes: &[Outcome<E>]) -> Vec<&'static str> {
    outcomes
        .iter()
        .map(|o| match o {
            Outcome::Applied => "applied",
            Outcome::Failed(_) => "failed",
            Outcome::NotSent => "not sent",
            _ => "unknown",
        })
        .collect()
}

/// A plan of over 500 operations (adds, edits, deletes) from a 60-service table: 571.
fn long_plan(current: &Table) -> Plan {
    let desired = table_from_rules(&rules(150, "wrr", 4)).unwrap();
    let plan = plan(current, &desired, &Scope::all(), &PlanOptions::default()).unwrap();
    assert!(plan.operations.len() > 500, "{}", plan.operations.len());
    plan
}

fn with_current(ipvs: &impl Ipvs) -> Table {
    let mut current = rules(60, "rr", 9);
    current += "-A -u 203.0.113.1:53 -s sh\n-a -u 203.0.113.1:53 -r 192.0.2.9:53 -g -w 2\n";
    let ops = lvs_core::plan::plan(
        &Table::default(),
        &table_from_rules(&current).unwrap(),
        &Scope::all(),
        &PlanOptions::default(),
    )
    .unwrap()
    .operations;
    ipvs.apply(&ops).expect("create the current table");
    ipvs.read_table().unwrap()
}

#[test]
fn a_plan_failing_midway_is_undone_on_the_kernel_as_on_memory() {
    require_ipvs_kernel();
    let ns = Netns::new("undo-plan");
    let kernel = ns.lvs();
    let current = with_current(&kernel);
    let before = snapshot(&kernel);
    let mut plan = long_plan(&current);
    plan.operations.insert(300, refused_service());

    let err = apply_plan(&kernel, &current, &plan).unwrap_err();
    assert!(err.rollback.is_complete(), "{err}");
    assert_eq!(err.failure.first_failure().map(|(i, _)| i), Some(300));
    let after = snapshot(&kernel);
    assert_eq!(
        after.0.sorted(),
        before.0.clone().sorted(),
        "the kernel's table"
    );
    assert_eq!((after.1, after.2), (before.1, before.2.clone()));

    // The same plan on MemoryIpvs: the same operations fail and apply, the same end.
    let memory = MemoryIpvs::from_table(&current).unwrap();
    let merr = apply_plan(&memory, &current, &plan).unwrap_err();
    assert!(merr.rollback.is_complete(), "{merr}");
    assert_eq!(shape(&merr.failure.outcomes), shape(&err.failure.outcomes));
    assert_eq!(snapshot(&memory).0.sorted(), before.0.sorted());
}

#[test]
fn a_conflict_made_meanwhile_by_another_program_undoes_only_lvs_changes() {
    require_ipvs_kernel();
    let ns = Netns::new("undo-conflict");
    let kernel = ns.lvs();
    let current = with_current(&kernel);
    let plan = long_plan(&current);
    // Another manager adds, between the plan and its apply, a service the plan adds.
    let taken = plan
        .operations
        .iter()
        .filter_map(|op| match op {
            Operation::AddService(s) => Some(s.key),
            _ => None,
        })
        .nth(20)
        .unwrap();
    let before = snapshot(&kernel);
    let line = lvs_core::rules::operation_line(&Operation::AddService(
        Service::new(taken).with_scheduler(Scheduler::Lc),
    ));
    ns.ipvsadm(&line.unwrap().split_whitespace().collect::<Vec<_>>());

    let err = apply_plan(&kernel, &current, &plan).unwrap_err();
    assert!(err.rollback.is_complete(), "{err}");
    let (_, e) = err.failure.first_failure().unwrap();
    assert!(
        matches!(e.ipvs_error(), Some(lvs_core::Error::ServiceExists(k)) if *k == taken),
        "{e}"
    );
    // lvs's changes are undone; the other program's service stays as it made it.
    let theirs = kernel.service(&taken).unwrap().service;
    assert_eq!(theirs.scheduler, Scheduler::Lc);
    let mut expected = before.0;
    expected
        .services
        .push(lvs_core::VirtualService::new(theirs, vec![]));
    lvs_core::order::sort_services(&mut expected.services);
    assert_eq!(snapshot(&kernel).0.sorted(), expected.sorted());
}

#[test]
fn a_failed_batch_leaves_the_same_table_on_the_kernel_and_on_memory() {
    require_ipvs_kernel();
    // The case that once differed: after the refused duplicate, the kernel still adds the
    // fwmark service sent in the same system call, and MemoryIpvs must too.
    let key = ServiceKey::tcp("192.0.2.1:80".parse().unwrap());
    let server = RealServer::new("198.51.100.1:80".parse().unwrap());
    let mut ops = vec![
        Operation::AddService(Service::new(key)),
        Operation::AddServer(key, server),
        Operation::AddServer(key, server),
        Operation::AddService(Service::new(ServiceKey::fwmark(3, Family::Ipv4))),
    ];
    // And groups after the failing one are not sent, by either.
    ops.extend(
        (0..100).map(|i| {
            Operation::AddService(Service::new(ServiceKey::fwmark(100 + i, Family::Ipv4)))
        }),
    );
    let ns = Netns::new("batch-failure");
    let kernel = ns.lvs();
    let memory = MemoryIpvs::new();
    let kerr = kernel.apply(&ops).unwrap_err();
    let merr = memory.apply(&ops).unwrap_err();
    assert_eq!(shape(&kerr.outcomes), shape(&merr.outcomes));
    assert_eq!(kerr.applied().len(), 63);
    assert_eq!(snapshot(&kernel).0, snapshot(&memory).0);
}

/// The apply that frames the next group on a second thread sends what the group-by-group
/// one sends: the same outcome for every operation (a refusal before sending or by the
/// kernel, the rest of that group, nothing after it) and the same table.
#[test]
fn a_pipelined_apply_answers_and_ends_like_the_group_by_group_one() {
    require_ipvs_kernel();
    // Small groups, so that a plan of a few hundred operations spans many.
    const GROUP: usize = 8;
    let too_long = Operation::AddService(
        Service::new(ServiceKey::fwmark(778, Family::Ipv4))
            .with_scheduler(Scheduler::Other("x".repeat(40))),
    );
    // Refused before sending, in the third group; refused by the kernel, in the 31st.
    for (at, refused) in [
        (2 * GROUP + 3, too_long),
        (30 * GROUP + 5, refused_service()),
    ] {
        let mut results = Vec::new();
        for pipelined in [true, false] {
            let ns = Netns::new(if pipelined { "pipelined" } else { "grouped" });
            let kernel = ns.lvs();
            let current = with_current(&kernel);
            let mut ops = long_plan(&current).operations;
            ops.insert(at, refused.clone());
            let outcome = if pipelined {
                kernel.apply_in_groups_for_tests(&ops, GROUP)
            } else {
                kernel.apply_group_by_group_for_tests(&ops, GROUP)
            };
            let outcomes = outcome.expect_err("an operation fails").outcomes;
            results.push((shape(&outcomes), snapshot(&kernel).0.sorted()));
        }
        let (pipelined, grouped) = (&results[0], &results[1]);
        assert_eq!(pipelined.0, grouped.0, "outcomes, refused at {at}");
        assert_eq!(pipelined.1, grouped.1, "tables, refused at {at}");
        // What the rule gives: the refused operation fails, the rest of its group is sent
        // and applied, nothing after it is sent.
        let group = at / GROUP * GROUP;
        let shape = &grouped.0;
        assert_eq!(shape[at], "failed");
        assert_eq!(
            shape[..group + GROUP]
                .iter()
                .filter(|s| **s == "applied")
                .count(),
            group + GROUP - 1,
            "refused at {at}"
        );
        assert!(shape[group + GROUP..].iter().all(|s| *s == "not sent"));
    }
}

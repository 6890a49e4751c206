//! The `net.ipv4.vs` sysctls against the kernel, each test in fresh namespaces: every knob
//! lvs knows read, set, read back and restored; the knob set of the running kernel compared
//! with lvs's table for its version (so the 6.1/6.12 difference is asserted); lvs's ranges
//! compared with what the kernel itself takes; `MemoryIpvs` answering writes like the
//! kernel; missing and unknown names; and the per-namespace property.

use lvs_core::plan::{apply_plan, plan, Plan, PlanOptions, Scope};
use lvs_core::sysctl::{self, Knob, SysctlKind, SysctlSetting, SysctlValue};
use lvs_core::{
    Classify, ErrorKind, Family, Ipvs, MemoryIpvs, Operation, Scheduler, Service, ServiceKey,
};
use lvs_sys::NetlinkIpvs;

use crate::support::{require_ipvs_kernel, run_ok, Netns};

/// The running kernel's major and minor version.
fn version() -> (u32, u32) {
    let release = require_ipvs_kernel();
    sysctl::release_version(&release).expect("a kernel release with a version")
}

/// The knobs lvs expects in this kernel: the guest loads every scheduler module at boot,
/// so the `lblc*` knobs are there, and Debian builds IPVS with connection tracking.
fn expected_knobs() -> Vec<&'static Knob> {
    let (major, minor) = version();
    sysctl::knobs_of(major, minor)
}

/// What `cat` prints of a knob inside the namespace: the kernel's view, without lvs.
fn cat(ns: &Netns, name: &str) -> String {
    let out = run_ok(
        ns.command("cat")
            .arg(format!("{}/{name}", sysctl::PROC_DIR)),
    );
    String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
}

/// A value the kernel takes that differs from `current`, for the round trip.
fn other_value(knob: &Knob, current: &SysctlValue) -> SysctlValue {
    let n = current.as_i64().unwrap_or(0);
    match knob.kind {
        SysctlKind::Switch => SysctlValue::Integer(i64::from(n == 0)),
        SysctlKind::DefenseMode => SysctlValue::Integer(if n == 3 { 0 } else { 3 }),
        SysctlKind::Integer { max, min } => SysctlValue::Integer(if n < max { n + 1 } else { min }),
        SysctlKind::Bitmap => SysctlValue::Integer(if n == 2 { 1 } else { 2 }),
        SysctlKind::Seconds => SysctlValue::Integer(if n == 3600 { 60 } else { 3600 }),
        SysctlKind::PowerOfTwo => SysctlValue::Integer(if n == 4 { 2 } else { 4 }),
        SysctlKind::Unsigned => SysctlValue::Unsigned(if n == 1000 { 999 } else { 1000 }),
        SysctlKind::ThresholdPeriod => SysctlValue::Pair(2, 10),
        SysctlKind::CpuList => SysctlValue::Text(if current.to_string() == "0" {
            String::new()
        } else {
            "0".to_owned()
        }),
        other => panic!("no test value for {other:?}"),
    }
}

fn model_errors(e: &lvs_sys::Error) -> Option<&lvs_core::Error> {
    e.ipvs_error()
}

#[test]
fn every_known_knob_is_read_set_read_back_and_restored_in_a_fresh_namespace() {
    let (major, minor) = version();
    let ns = Netns::new("sysctl-rw");
    let ipvs = ns.lvs();
    let mut checked = Vec::new();
    for knob in expected_knobs() {
        let name = knob.name;
        let original = ipvs
            .sysctl(name)
            .unwrap_or_else(|e| panic!("read {name}: {e}"));
        // Typed as lvs's table says, and what the kernel prints.
        assert_eq!(
            original,
            sysctl::from_kernel(name, &cat(&ns, name)),
            "{name}"
        );
        assert!(
            knob.kind == SysctlKind::CpuList || !matches!(original, SysctlValue::Text(_)),
            "{name} read as text: {original:?}"
        );
        // A fresh namespace has the kernel's defaults (the table's, where the kernel does
        // not compute them from the machine).
        if knob.machine_default.is_none() {
            assert_eq!(original, knob.default_value(), "the default of {name}");
        }
        let value = other_value(knob, &original);
        ipvs.set_sysctl(name, &value)
            .unwrap_or_else(|e| panic!("set {name}={value}: {e}"));
        let back = ipvs.sysctl(name).unwrap();
        assert!(
            sysctl::same_value(name, &back, &value),
            "{name}: set {value}, read back {back}"
        );
        assert_eq!(back, sysctl::from_kernel(name, &cat(&ns, name)), "{name}");
        assert_ne!(back, original, "{name} did not change");
        ipvs.set_sysctl(name, &original).unwrap();
        assert_eq!(ipvs.sysctl(name).unwrap(), original, "{name} restored");
        checked.push(name);
    }
    assert_eq!(checked.len(), expected_knobs().len());
    println!(
        "Linux {major}.{minor}: {} knobs read, set, read back and restored: {}",
        checked.len(),
        checked.join(" ")
    );
}

#[test]
fn the_knob_set_of_this_kernel_is_lvs_table_for_its_version() {
    let (major, minor) = version();
    let ns = Netns::new("sysctl-set");
    let listed: Vec<String> = ns
        .lvs()
        .sysctls()
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    // What the kernel lists there, without lvs.
    let out = run_ok(ns.command("ls").arg(sysctl::PROC_DIR));
    let mut shown: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    shown.sort();
    assert_eq!(listed, shown, "lvs lists the namespace's directory");
    let expected: Vec<&str> = expected_knobs().iter().map(|k| k.name).collect();
    assert_eq!(listed, expected, "Linux {major}.{minor}");
    // The difference between the two test kernels, stated once more on its own: the
    // estimator's knobs came in 6.2; 6.1 has the other 29.
    let has_estimator_knobs =
        listed.iter().any(|n| n == "est_cpulist") && listed.iter().any(|n| n == "est_nice");
    assert_eq!(has_estimator_knobs, (major, minor) >= (6, 2));
    assert_eq!(listed.len(), if (major, minor) >= (6, 2) { 31 } else { 29 });
    println!(
        "Linux {major}.{minor} has {} knobs: {}",
        listed.len(),
        listed.join(" ")
    );
}

fn int_max() -> i64 {
    i64::from(i32::MAX)
}

/// Values at and beyond the edges of each kind.
fn candidates(kind: SysctlKind) -> Vec<SysctlValue> {
    let int_max = i64::from(i32::MAX);
    let int_min = i64::from(i32::MIN);
    let ints = |v: &[i64]| v.iter().map(|&n| SysctlValue::Integer(n)).collect();
    match kind {
        SysctlKind::Switch | SysctlKind::Bitmap => ints(&[
            int_min - 1,
            int_min,
            -1,
            0,
            1,
            2,
            3,
            64,
            int_max,
            int_max + 1,
        ]),
        SysctlKind::DefenseMode => ints(&[-1, 0, 1, 3, 4]),
        SysctlKind::Integer { min, max } => ints(&[min - 1, min, 0, max, max + 1]),
        SysctlKind::Seconds => ints(&[-8_589_935, -8_589_934, -1, 0, 1, 8_589_934, 8_589_935]),
        SysctlKind::PowerOfTwo => ints(&[0, 1, 2, 3, 6, 64, 1 << 30, (1 << 30) + 1, 1 << 31]),
        SysctlKind::Unsigned => vec![
            SysctlValue::Integer(-1),
            SysctlValue::Unsigned(0),
            SysctlValue::Unsigned(u64::MAX),
        ],
        SysctlKind::ThresholdPeriod => [
            (3, 50),
            (0, 0),
            (7, 0),
            (5, 5),
            (4, 3),
            (-1, 5),
            (0, int_max),
            (0, int_max + 1),
        ]
        .into_iter()
        .map(|(a, b)| SysctlValue::Pair(a, b))
        .collect(),
        SysctlKind::CpuList => ["0", "1", "0-1", "1,0", "2", "0-2", "all", "0-N", "N", ""]
            .into_iter()
            .chain(["0-1:1/2", "0-", "x", "0-1:2/1", "1-0", "99999"])
            .map(|t| SysctlValue::Text(t.to_owned()))
            .collect(),
        other => panic!("no candidates for {other:?}"),
    }
}

#[test]
fn lvs_takes_exactly_what_the_kernel_takes_and_memory_ipvs_answers_alike() {
    let ns = Netns::new("sysctl-diff");
    let kernel = ns.lvs();
    let (major, minor) = version();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
    // The model of this machine: its kernel's knobs, its CPUs and its memory-dependent
    // default.
    let memory = MemoryIpvs::new()
        .for_kernel(major, minor)
        .with_cpus(cpus)
        .with_sysctl("sync_qlen_max", kernel.sysctl("sync_qlen_max").unwrap());
    assert_eq!(
        memory.sysctls().unwrap(),
        kernel.sysctls().unwrap(),
        "fresh namespaces"
    );
    let mut tried = 0;
    for knob in expected_knobs() {
        let name = knob.name;
        let original = kernel.sysctl(name).unwrap();
        for value in candidates(knob.kind) {
            // lvs's check against the kernel's own answer to the same text, written raw
            // (a CPU list's check is its syntax; the CPUs are the machine's, below).
            let lvs_takes = sysctl::check(name, &value).is_ok();
            let raw = kernel.set_sysctl_text(name, &sysctl::kernel_text(&value));
            if knob.kind != SysctlKind::CpuList {
                assert_eq!(
                    lvs_takes,
                    raw.is_ok(),
                    "{name}={value}: lvs takes it: {lvs_takes}, the kernel: {raw:?}"
                );
            }
            if let Err(e) = &raw {
                let refused = matches!(
                    model_errors(e),
                    Some(lvs_core::Error::SysctlRefused { name: n, .. }) if n == name
                );
                assert!(refused, "{name}={value}: {e:?}");
                assert!(
                    matches!(e.errno(), Some(libc::EINVAL | libc::ERANGE)),
                    "{e:?}"
                );
                // A refused write changes nothing, but for one quirk of both kernels: a
                // sync_threshold whose period does not fit a C int is refused, yet the
                // kernel keeps the threshold it read before it (lvs never writes such a
                // pair: its check refuses it first).
                let kept = match (&value, &original) {
                    (SysctlValue::Pair(t, p), SysctlValue::Pair(_, old))
                        if name == "sync_threshold" && *p > int_max() =>
                    {
                        SysctlValue::Pair(*t, *old)
                    }
                    _ => original.clone(),
                };
                assert_eq!(kernel.sysctl(name).unwrap(), kept, "{name}={value} refused");
            }
            kernel.set_sysctl(name, &original).unwrap();
            // Through the typed API: the kernel backend and the model answer alike.
            let k = kernel.set_sysctl(name, &value);
            let m = memory.set_sysctl(name, &value);
            match (&k, &m) {
                (Ok(()), Ok(())) => assert_eq!(
                    kernel.sysctl(name).unwrap(),
                    memory.sysctl(name).unwrap(),
                    "{name}={value} read back"
                ),
                (Err(ke), Err(me)) => {
                    let same = match (ke.ipvs_error(), me) {
                        (Some(ke), me) => std::mem::discriminant(ke) == std::mem::discriminant(me),
                        (None, _) => false,
                    };
                    assert!(same, "{name}={value}: kernel {ke:?}, memory {me:?}");
                    if ke.errno().is_none() {
                        // Refused by lvs before anything was written.
                        assert_eq!(kernel.sysctl(name).unwrap(), original);
                    }
                }
                _ => panic!("{name}={value}: kernel {k:?}, memory {m:?}"),
            }
            kernel.set_sysctl(name, &original).unwrap();
            memory.set_sysctl(name, &original).unwrap();
            tried += 1;
        }
    }
    assert_eq!(
        memory.sysctls().unwrap(),
        kernel.sysctls().unwrap(),
        "after the writes"
    );
    println!("{tried} writes: lvs, the kernel and MemoryIpvs agree");
}

#[test]
fn lvs_refuses_out_of_range_values_before_writing_and_names_the_knob() {
    let ns = Netns::new("sysctl-range");
    let ipvs = ns.lvs();
    for (name, bad, kind) in [
        (
            "sync_retries",
            SysctlValue::Integer(4),
            ErrorKind::OutOfRange,
        ),
        ("sync_version", 2.into(), ErrorKind::OutOfRange),
        ("drop_entry", (-1).into(), ErrorKind::OutOfRange),
        ("sync_ports", 3.into(), ErrorKind::OutOfRange),
        ("sync_threshold", (5, 5).into(), ErrorKind::InvalidInput),
        ("am_droprate", (1i64 << 31).into(), ErrorKind::OutOfRange),
        ("conntrack", "on".into(), ErrorKind::InvalidInput),
    ] {
        let before = cat(&ns, name);
        let e = ipvs.set_sysctl(name, &bad).unwrap_err();
        assert_eq!(e.kind(), kind, "{name}={bad}: {e}");
        assert_eq!(e.errno(), None, "{name}: refused before sending");
        let field = match e.ipvs_error() {
            Some(
                lvs_core::Error::OutOfRange { field, .. } | lvs_core::Error::Invalid { field, .. },
            ) => *field,
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(field, name);
        assert!(e.to_string().contains(name), "{e}");
        assert_eq!(cat(&ns, name), before, "{name} unchanged");
    }
    // What lvs cannot know without the machine, the kernel refuses: a CPU it lacks.
    if version() >= (6, 2) {
        let e = ipvs.set_sysctl("est_cpulist", &"99999".into()).unwrap_err();
        assert_eq!(e.errno(), Some(libc::ERANGE), "{e:?}");
        assert!(
            matches!(e.ipvs_error(), Some(lvs_core::Error::SysctlRefused { name, value, .. })
                if name == "est_cpulist" && value == "99999"),
            "{e:?}"
        );
    }
}

#[test]
fn missing_and_unknown_knobs_give_typed_errors_and_text_by_name() {
    let release = require_ipvs_kernel();
    let ns = Netns::new("sysctl-names");
    let ipvs = ns.lvs();
    let unavailable = |e: &lvs_sys::Error, knob: &str| {
        assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
        assert_eq!(e.errno(), Some(libc::ENOENT), "{e:?}");
        match e.ipvs_error() {
            Some(lvs_core::Error::SysctlUnavailable { name, kernel }) => {
                assert_eq!(name, knob);
                assert_eq!(kernel.as_deref(), Some(release.as_str()));
            }
            other => panic!("{knob}: {other:?}"),
        }
    };
    // A name lvs does not know and the kernel lacks (debug_level needs a debug build).
    for missing in ["no_such_knob", "debug_level"] {
        unavailable(&ipvs.sysctl(missing).unwrap_err(), missing);
        unavailable(&ipvs.set_sysctl(missing, &"1".into()).unwrap_err(), missing);
        unavailable(&ipvs.sysctl_text(missing).unwrap_err(), missing);
        let e = ipvs.sysctl(missing).unwrap_err().to_string();
        assert!(e.contains("a knob lvs does not know"), "{e}");
    }
    // A knob lvs knows that this kernel lacks: the message says when it came.
    if version() < (6, 2) {
        let e = ipvs.sysctl("est_nice").unwrap_err();
        unavailable(&e, "est_nice");
        assert!(e.to_string().contains("it came in Linux 6.2"), "{e}");
    }
    // A name that could leave the directory never reaches the file system.
    let e = ipvs.sysctl("../../kernel/hostname").unwrap_err();
    assert_eq!(
        (e.kind(), e.errno()),
        (ErrorKind::InvalidInput, None),
        "{e:?}"
    );
    // By name, as text: what `cat` shows, and what `cat` then shows.
    for name in ["sync_threshold", "conn_reuse_mode"] {
        assert_eq!(ipvs.sysctl_text(name).unwrap(), cat(&ns, name));
    }
    ipvs.set_sysctl_text("net.ipv4.vs.sync_threshold", "4 40")
        .unwrap();
    assert_eq!(cat(&ns, "sync_threshold"), "4\t40");
    assert_eq!(
        ipvs.sysctl("sync_threshold").unwrap(),
        SysctlValue::Pair(4, 40)
    );
    // Text through the typed API is read as the knob's kind first.
    ipvs.set_sysctl("sync_threshold", &"5,60".into()).unwrap();
    assert_eq!(cat(&ns, "sync_threshold"), "5\t60");
    // The kernel itself takes any integer for a switch; lvs reads back what it holds.
    ipvs.set_sysctl_text("conntrack", "7").unwrap();
    assert_eq!(ipvs.sysctl("conntrack").unwrap(), SysctlValue::Integer(7));
}

#[test]
fn a_setting_belongs_to_the_handles_namespace_only() {
    let (a, b) = (Netns::new("sysctl-a"), Netns::new("sysctl-b"));
    // The handle on `a` is used from this thread, which stays in the guest's initial
    // namespace: the write must land in `a`, not here and not in `b`.
    let here = std::fs::read_to_string(format!("{}/conn_reuse_mode", sysctl::PROC_DIR))
        .expect("the initial namespace's knob");
    let ipvs = a.lvs();
    ipvs.set_sysctl("conn_reuse_mode", &0.into()).unwrap();
    ipvs.set_sysctl("sync_threshold", &(1, 20).into()).unwrap();
    assert_eq!(cat(&a, "conn_reuse_mode"), "0");
    assert_eq!(cat(&b, "conn_reuse_mode"), "1");
    assert_eq!(cat(&b, "sync_threshold"), "3\t50");
    assert_eq!(b.lvs().sysctl("conn_reuse_mode").unwrap(), 1.into());
    assert_eq!(
        std::fs::read_to_string(format!("{}/conn_reuse_mode", sysctl::PROC_DIR)).unwrap(),
        here
    );
    // The listing is the handle's namespace's too.
    let listed = ipvs.sysctls().unwrap();
    assert!(listed.contains(&SysctlSetting::new("conn_reuse_mode", 0)));
    let other = NetlinkIpvs::open_in_netns(b.path())
        .unwrap()
        .sysctls()
        .unwrap();
    assert!(other.contains(&SysctlSetting::new("conn_reuse_mode", 1)));
}

#[test]
fn a_plan_sets_only_stated_sysctls_and_undoes_them_on_failure() {
    let ns = Netns::new("sysctl-plan");
    let ipvs = ns.lvs();
    let desired = lvs_core::rules::table_from_rules(
        "--lvs-sysctl sync_ports=2\n--lvs-sysctl conn_reuse_mode=1\n-A -t 192.0.2.1:80 -s rr\n",
    )
    .unwrap();
    let current = ipvs.read_config_for(&desired).unwrap();
    let p = plan(&current, &desired, &Scope::all(), &PlanOptions::default()).unwrap();
    // conn_reuse_mode is 1 by default: nothing to do for it; the sysctl comes first.
    assert_eq!(p.operations.len(), 2, "{p}");
    assert_eq!(
        p.operations[0],
        Operation::SetSysctl(SysctlSetting::new("sync_ports", 2))
    );
    assert!(matches!(p.operations[1], Operation::AddService(_)), "{p}");
    assert!(p
        .to_rules()
        .unwrap()
        .starts_with("--lvs-sysctl sync_ports=2\n-A "));
    apply_plan(&ipvs, &current, &p).unwrap();
    assert_eq!(cat(&ns, "sync_ports"), "2");
    let again = ipvs.read_config_for(&desired).unwrap();
    let p = plan(&again, &desired, &Scope::all(), &PlanOptions::default()).unwrap();
    assert!(p.is_empty(), "{p}");

    // A failure later in the plan puts the sysctls back as they were.
    let mut failing = Plan::default();
    failing.operations = vec![
        Operation::SetSysctl(SysctlSetting::new("sync_ports", 8)),
        Operation::SetSysctl(SysctlSetting::new("sloppy_tcp", 1)),
        Operation::AddService(
            Service::new(ServiceKey::fwmark(7, Family::Ipv4))
                .with_scheduler(Scheduler::Other("nosuch".into())),
        ),
    ];
    let before = ipvs.read_table().unwrap();
    let e = apply_plan(&ipvs, &before, &failing).unwrap_err();
    assert!(e.rollback.is_complete(), "{e}");
    assert_eq!(
        (cat(&ns, "sync_ports"), cat(&ns, "sloppy_tcp")),
        ("2".into(), "0".into())
    );
}

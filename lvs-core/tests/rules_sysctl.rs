//! `--lvs-sysctl NAME=VALUE` lines: read, checked against what the kernel takes, saved and
//! read back, and refused where they do not belong.

use lvs_core::rules::{
    operation_line, parse, parse_line, save, save_ipvsadm, table_from_rules, Command, Problem,
};
use lvs_core::{Operation, SysctlSetting, SysctlValue, Table};

fn setting(line: &str) -> SysctlSetting {
    match parse_line(line) {
        Ok(Some(Command::Operation(Operation::SetSysctl(s)))) => s,
        other => panic!("{line:?} gave {other:?}"),
    }
}

fn problem(line: &str) -> (usize, String, Problem) {
    let e = parse_line(line).unwrap_err();
    (e.column, e.token, e.problem)
}

#[test]
fn values_read_as_the_knobs_kind() {
    assert_eq!(
        setting("--lvs-sysctl conn_reuse_mode=0"),
        SysctlSetting::new("conn_reuse_mode", 0)
    );
    assert_eq!(
        setting("--lvs-sysctl net.ipv4.vs.sync_threshold=3 50"),
        SysctlSetting::new("sync_threshold", (3, 50))
    );
    assert_eq!(
        setting("--lvs-sysctl=sync_threshold=3,50"),
        SysctlSetting::new("sync_threshold", (3, 50))
    );
    assert_eq!(
        setting("ipvsadm --lvs-sysctl est_cpulist="),
        SysctlSetting::new("est_cpulist", "")
    );
    assert_eq!(
        setting("--lvs-sysctl sync_refresh_period=-1"),
        SysctlSetting::new("sync_refresh_period", -1)
    );
    assert_eq!(
        setting("--lvs-sysctl sync_qlen_max=18446744073709551615"),
        SysctlSetting::new("sync_qlen_max", u64::MAX)
    );
    // A knob lvs does not know: its words, one space apart.
    assert_eq!(
        setting("--lvs-sysctl future_knob=a \t b"),
        SysctlSetting::new("future_knob", "a b")
    );
}

#[test]
fn bad_lines_say_where_and_why() {
    let (column, token, p) = problem("--lvs-sysctl sync_retries=4");
    assert_eq!((column, token.as_str()), (14, "sync_retries=4"));
    let Problem::InvalidSysctl(reason) = p else {
        panic!("{p:?}")
    };
    assert!(
        reason.contains("sync_retries 4 is out of range"),
        "{reason}"
    );
    assert!(reason.contains("from 0 to 3"), "{reason}");

    let (_, _, p) = problem("--lvs-sysctl sync_threshold=5 5");
    assert!(matches!(p, Problem::InvalidSysctl(r) if r.contains("below the period")));
    let (_, _, p) = problem("--lvs-sysctl conntrack");
    assert!(matches!(p, Problem::InvalidSysctl(r) if r.contains("NAME=VALUE")));
    let (_, _, p) = problem("--lvs-sysctl ../x=1");
    assert!(matches!(p, Problem::InvalidSysctl(r) if r.contains("sysctl name")));
    let (column, token, p) = problem("--lvs-sysctl");
    assert_eq!((column, token.as_str()), (1, "--lvs-sysctl"));
    assert_eq!(p, Problem::MissingArgument("--lvs-sysctl".into()));
    let (_, _, p) = problem("--lvs-sysctl conntrack=1 -t 10.0.0.1:80");
    assert!(matches!(p, Problem::Illegal { .. }), "{p:?}");
    let (_, _, p) = problem("-A -t 10.0.0.1:80 --lvs-sysctl conntrack=1");
    assert!(matches!(p, Problem::SecondCommand(_)), "{p:?}");
}

#[test]
fn a_table_states_its_sysctls_in_order_and_once_each() {
    let text = "--lvs-sysctl sync_ports=2\n--lvs-sysctl conntrack=1\n-A -t 10.0.0.1:80 -s rr\n";
    let table = table_from_rules(text).unwrap();
    assert_eq!(
        table.sysctls,
        [
            SysctlSetting::new("sync_ports", 2),
            SysctlSetting::new("conntrack", 1)
        ]
    );
    let e = table_from_rules("--lvs-sysctl conntrack=1\n--lvs-sysctl net.ipv4.vs.conntrack=0\n")
        .unwrap_err();
    assert_eq!(e.line, 2);
    assert_eq!(e.problem, Problem::DuplicateSysctl("conntrack".into()));
}

#[test]
fn saved_sysctls_come_first_and_read_back() {
    let table = table_from_rules("-A -t 10.0.0.1:80 -s rr\n--set 900 120 300\n")
        .unwrap()
        .with_sysctls(vec![
            SysctlSetting::new("sync_threshold", (3, 40)),
            SysctlSetting::new("est_cpulist", ""),
            SysctlSetting::new("future_knob", "x  y"),
        ]);
    let text = save(&table).unwrap();
    assert_eq!(
        text,
        "--lvs-sysctl sync_threshold=3 40\n\
         --lvs-sysctl est_cpulist=\n\
         --lvs-sysctl future_knob=x y\n\
         --set 900 120 300\n\
         -A -t 10.0.0.1:80 -s rr\n"
    );
    let back = table_from_rules(&text).unwrap();
    assert_eq!(back.sysctls[0], table.sysctls[0]);
    assert_eq!(back.sysctls[2], SysctlSetting::new("future_knob", "x y"));
    // ipvsadm's own text has no word for them.
    assert_eq!(save_ipvsadm(&table), "-A -t 10.0.0.1:80 -s rr\n");
}

#[test]
fn a_value_the_text_cannot_carry_is_refused_on_save() {
    for bad in [
        SysctlSetting::new("sync_retries", 9),
        SysctlSetting::new("future_knob", "a -b"),
        SysctlSetting::new("future_knob", "a ipvsadm"),
        SysctlSetting::new("future_knob", "a\u{1}"),
    ] {
        let table = Table::default().with_sysctls(vec![bad.clone()]);
        let e = save(&table).unwrap_err();
        assert_eq!(e.line, 1, "{bad}");
        assert!(operation_line(&Operation::SetSysctl(bad)).is_err());
    }
}

#[test]
fn an_operation_line_reads_back_as_the_operation() {
    for s in [
        SysctlSetting::new("sync_threshold", (0, 0)),
        SysctlSetting::new("am_droprate", SysctlValue::Integer(-5)),
        SysctlSetting::new("est_cpulist", "0-1"),
    ] {
        let op = Operation::SetSysctl(s);
        let line = operation_line(&op).unwrap();
        assert_eq!(parse(&line).unwrap(), [Command::Operation(op)], "{line}");
    }
}

use super::*;
use crate::error::{Classify, ErrorKind};

/// The rows of the module docs' knob table: the docs must say what [`KNOBS`] says.
fn doc_rows() -> Vec<Vec<String>> {
    include_str!("mod.rs")
        .lines()
        .filter_map(|l| l.strip_prefix("//! | `"))
        .map(|row| {
            format!("`{row}")
                .trim_end_matches('|')
                .split(" | ")
                .map(|cell| cell.trim().to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn the_docs_table_is_the_knob_table() {
    let rows = doc_rows();
    assert_eq!(rows.len(), KNOBS.len(), "one row per knob");
    for (row, knob) in rows.iter().zip(KNOBS) {
        let default = match knob.machine_default {
            Some(_) => format!("{} *", knob.default),
            None => knob.default.to_owned(),
        };
        let since = knob
            .since
            .map(|(a, b)| format!("{a}.{b}"))
            .unwrap_or_default();
        let expected = [
            format!("`{}`", knob.name),
            knob.kind.summary(),
            default,
            knob.meaning.to_owned(),
            since,
            knob.requires.unwrap_or_default().to_owned(),
        ];
        assert_eq!(row[..], expected[..], "the row of {}", knob.name);
    }
}

#[test]
fn knobs_are_sorted_unique_and_their_defaults_check() {
    for pair in KNOBS.windows(2) {
        assert!(
            pair[0].name < pair[1].name,
            "{} before {}",
            pair[0].name,
            pair[1].name
        );
    }
    for knob in KNOBS {
        let value = knob.default_value();
        assert_eq!(check(knob.name, &value), Ok(value.clone()), "{}", knob.name);
        assert!(!knob.meaning.is_empty());
    }
}

#[test]
fn the_knob_sets_of_the_two_test_kernels() {
    let old: Vec<&str> = knobs_of(6, 1).iter().map(|k| k.name).collect();
    let new: Vec<&str> = knobs_of(6, 12).iter().map(|k| k.name).collect();
    assert_eq!((old.len(), new.len()), (29, 31));
    let added: Vec<&str> = new.into_iter().filter(|n| !old.contains(n)).collect();
    assert_eq!(added, ["est_cpulist", "est_nice"]);
    assert!(!knobs_of(5, 15).iter().any(|k| k.name == "run_estimation"));
    assert!(knobs_of(5, 16).iter().any(|k| k.name == "run_estimation"));
}

#[test]
fn releases_read_as_major_and_minor() {
    assert_eq!(release_version("6.12.95+deb12-amd64"), Some((6, 12)));
    assert_eq!(release_version("6.1.0-57-amd64"), Some((6, 1)));
    assert_eq!(release_version("5.16"), Some((5, 16)));
    assert_eq!(release_version("linux"), None);
}

#[test]
fn names_lose_their_prefix_and_must_stay_in_the_directory() {
    assert_eq!(check_name("net.ipv4.vs.sync_ports"), Ok("sync_ports"));
    assert_eq!(check_name("net/ipv4/vs/sync_ports"), Ok("sync_ports"));
    assert_eq!(check_name("future_knob"), Ok("future_knob"));
    for bad in [
        "",
        "net.ipv4.vs.",
        "../../kernel/hostname",
        "a/b",
        "a.b",
        "a b",
        "é",
    ] {
        let e = check_name(bad).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Invalid {
                    field: "sysctl name",
                    ..
                }
            ),
            "{bad}: {e}"
        );
    }
    assert!(check_name(&"x".repeat(MAX_NAME_LEN + 1)).is_err());
}

/// Whether lvs takes `value` for `name`, as the kernel does (the expectations are what
/// Debian's 6.1 and 6.12 answered to the same writes in the test VM).
fn takes(name: &str, value: impl Into<SysctlValue>) -> bool {
    check(name, &value.into()).is_ok()
}

#[test]
fn ranges_are_the_kernels() {
    // Plain C ints, switches and bitmaps: the kernel takes any.
    for name in [
        "am_droprate",
        "backup_only",
        "conn_reuse_mode",
        "sync_sock_size",
    ] {
        assert!(takes(name, i64::from(i32::MIN)) && takes(name, -1) && takes(name, 64));
        assert!(takes(name, i64::from(i32::MAX)));
        assert!(!takes(name, i64::from(i32::MAX) + 1), "{name}");
        assert!(!takes(name, i64::from(i32::MIN) - 1), "{name}");
    }
    for name in ["drop_entry", "drop_packet", "secure_tcp"] {
        assert!((0..=3).all(|v| takes(name, v)));
        assert!(!takes(name, -1) && !takes(name, 4), "{name}");
    }
    assert!(takes("sync_version", 0) && takes("sync_version", 1) && !takes("sync_version", 2));
    assert!(takes("sync_retries", 3) && !takes("sync_retries", 4) && !takes("sync_retries", -1));
    assert!(takes("est_nice", -20) && takes("est_nice", 19));
    assert!(!takes("est_nice", -21) && !takes("est_nice", 20));
    for ok in [1, 2, 4, 64, 1 << 30] {
        assert!(takes("sync_ports", ok), "{ok}");
    }
    for bad in [0, -1, 3, 6, 100, 1 << 31] {
        assert!(!takes("sync_ports", bad), "{bad}");
    }
    for name in ["lblc_expiration", "lblcr_expiration", "sync_refresh_period"] {
        assert!(takes(name, 8_589_934) && takes(name, -8_589_934) && takes(name, -1));
        assert!(
            !takes(name, 8_589_935) && !takes(name, i64::from(i32::MAX)),
            "{name}"
        );
    }
    assert!(takes("sync_qlen_max", 0) && takes("sync_qlen_max", u64::MAX));
    assert!(!takes("sync_qlen_max", -1));
    for ok in [(3, 50), (0, 0), (3, 0), (7, 0), (0, i64::from(i32::MAX))] {
        assert!(takes("sync_threshold", ok), "{ok:?}");
    }
    for bad in [
        (5, 5),
        (4, 3),
        (-1, 50),
        (1, -1),
        (0, i64::from(i32::MAX) + 1),
    ] {
        assert!(!takes("sync_threshold", bad), "{bad:?}");
    }
    for ok in [
        "0", "0-1", "all", "ALL", "0-N", "N", "0-1:1/2", "", "0,,1", "0 1", "2", "9999",
    ] {
        assert!(takes("est_cpulist", ok), "{ok:?}");
    }
    for bad in ["0-", "-1", "1-0", "none", "0-1:2/1", "0-1:1/0", "1x"] {
        assert!(!takes("est_cpulist", bad), "{bad:?}");
    }
}

#[test]
fn refusals_name_the_knob_and_what_it_takes() {
    let e = check("net.ipv4.vs.sync_retries", &SysctlValue::Integer(5)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    let Error::OutOfRange {
        field,
        value,
        reason,
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!((*field, *value), ("sync_retries", 5));
    assert!(reason.contains("from 0 to 3"), "{reason}");
    assert!(
        e.to_string().contains("sync_retries 5 is out of range"),
        "{e}"
    );

    let e = check("sync_threshold", &SysctlValue::Pair(5, 5)).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Invalid {
                field: "sync_threshold",
                ..
            }
        ),
        "{e:?}"
    );
    let e = check("sync_ports", &SysctlValue::Pair(1, 2)).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Invalid {
                field: "sync_ports",
                ..
            }
        ),
        "{e:?}"
    );
    let e = check("est_cpulist", &"0-".into()).unwrap_err();
    assert!(e.to_string().contains("not a CPU list"), "{e}");
    let e = check("sync_ports", &SysctlValue::Unsigned(u64::MAX)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
}

#[test]
fn text_reads_as_the_knobs_kind() {
    assert_eq!(
        parse("sync_threshold", "3 50"),
        Ok(SysctlValue::Pair(3, 50))
    );
    assert_eq!(
        parse("sync_threshold", "3,50"),
        Ok(SysctlValue::Pair(3, 50))
    );
    assert_eq!(
        parse("sync_qlen_max", "18446744073709551615"),
        Ok(u64::MAX.into())
    );
    assert_eq!(parse("conntrack", " 1 "), Ok(SysctlValue::Integer(1)));
    assert_eq!(parse("est_cpulist", " 0-1 "), Ok("0-1".into()));
    assert_eq!(parse("est_cpulist", ""), Ok("".into()));
    // Check by text and by value alike.
    assert_eq!(
        check("sync_threshold", &"3 50".into()),
        Ok(SysctlValue::Pair(3, 50))
    );
    assert_eq!(
        check("est_cpulist", &SysctlValue::Integer(1)),
        Ok("1".into())
    );
    assert_eq!(
        check("sync_qlen_max", &SysctlValue::Integer(5)),
        Ok(5u64.into())
    );
    // Decimal only: the kernel would read 010 as octal and 0x10 as hex; lvs refuses both
    // rather than guess, and writes the numbers it read in decimal.
    for bad in ["on", "1 2", "010x", "0x10", "+", "", "1.5"] {
        assert!(parse("conntrack", bad).is_err(), "{bad:?}");
    }
    assert!(parse("sync_threshold", "3").is_err());
    // A knob lvs does not know: its text, blanks squeezed, unchecked.
    assert_eq!(parse("future_knob", " a\tb  c "), Ok("a b c".into()));
    assert_eq!(
        check("future_knob", &SysctlValue::Integer(-7)),
        Ok((-7).into())
    );
}

#[test]
fn the_kernels_text_reads_back_typed() {
    assert_eq!(
        from_kernel("sync_threshold", "3\t50\n"),
        SysctlValue::Pair(3, 50)
    );
    assert_eq!(from_kernel("conntrack", "0\n"), SysctlValue::Integer(0));
    assert_eq!(
        from_kernel("sync_qlen_max", "15262\n"),
        SysctlValue::Unsigned(15262)
    );
    assert_eq!(from_kernel("est_cpulist", "0-1\n"), "0-1".into());
    assert_eq!(from_kernel("est_cpulist", "\n"), "".into());
    assert_eq!(from_kernel("future_knob", "1\t2\n"), "1 2".into());
    // What lvs cannot read as the kind stays text rather than failing the read.
    assert_eq!(from_kernel("conntrack", "yes\n"), "yes".into());
    assert_eq!(kernel_text(&SysctlValue::Pair(3, 50)), "3\t50");
    assert_eq!(kernel_text(&SysctlValue::Integer(-1)), "-1");
}

#[test]
fn the_same_setting_in_other_words() {
    assert!(same_value("est_cpulist", &"1,0".into(), &"0-1".into()));
    assert!(same_value("est_cpulist", &"0 1".into(), &"0-1".into()));
    // `all` depends on the machine: never taken as equal to a list of numbers.
    assert!(!same_value("est_cpulist", &"all".into(), &"0-1".into()));
    assert!(same_value("drop_entry", &1.into(), &2.into()));
    assert!(!same_value("drop_entry", &0.into(), &3.into()));
    assert!(same_value(
        "sync_threshold",
        &"3,50".into(),
        &SysctlValue::Pair(3, 50)
    ));
    assert!(!same_value("conntrack", &1.into(), &2.into()));
    assert!(same_value(
        "sync_qlen_max",
        &5.into(),
        &SysctlValue::Unsigned(5)
    ));
}

#[test]
fn settings_print_as_name_equals_value() {
    let s = SysctlSetting::new("net.ipv4.vs.sync_threshold", (3, 50));
    assert_eq!(s.name, "sync_threshold");
    assert_eq!(s.to_string(), "sync_threshold=3 50");
    assert_eq!(SysctlValue::from(true), SysctlValue::Integer(1));
}

//! `rules::parse_operations`: the one reader of rule text to apply, for every face.

use lvs_core::rules::{parse_operations, CommandName, Problem};
use lvs_core::{Operation, ServiceKey};

#[test]
fn operations_come_with_their_lines_and_non_changes_are_refused_at_their_command() {
    let text =
        "# web\n-A -t 10.0.0.1:80 -s rr\n\n  ipvsadm -a -t 10.0.0.1:80 -r 192.168.1.1:80 -m\n-C\n";
    let ops = parse_operations(text).unwrap();
    let lines: Vec<usize> = ops.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [2, 4, 5]);
    let web = ServiceKey::tcp("10.0.0.1:80".parse().unwrap());
    assert!(matches!(&ops[0].1, Operation::AddService(s) if s.key == web));
    assert_eq!(ops[2].1, Operation::Flush);

    for (line, command) in [
        ("-L -n", CommandName::List),
        ("  ipvsadm -S -n", CommandName::Save),
        ("-R", CommandName::Restore),
    ] {
        let e = parse_operations(&format!("-C\n{line}\n")).unwrap_err();
        assert_eq!(e.problem, Problem::NotAChange(command), "{line}");
        assert_eq!(e.line, 2);
        let first = line.trim_start().trim_start_matches("ipvsadm").trim_start();
        assert_eq!(e.token, first.split(' ').next().unwrap());
        assert_eq!(e.column, line.find(e.token.as_str()).unwrap() + 1);
        assert!(e.to_string().contains("does not change the table"), "{e}");
    }
    // A bad line stops reading with its own error.
    let e = parse_operations("-C\n-A -t 10.0.0.1:80 --bogus\n").unwrap_err();
    assert_eq!(e.line, 2);
    assert!(matches!(e.problem, Problem::UnknownOption(_)));
}

//! The measurements: one row each, the failures, and how they are written (CSV, JSON, a table on
//! stdout).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// One measurement.
pub(crate) struct Row {
    pub(crate) size: usize,
    pub(crate) what: &'static str,
    pub(crate) tool: String,
    pub(crate) seconds: f64,
    pub(crate) max_rss_kib: Option<u64>,
    pub(crate) ops: Option<usize>,
}

#[derive(Default)]
pub(crate) struct Bench {
    pub(crate) rows: Vec<Row>,
    pub(crate) failures: Vec<String>,
}

impl Bench {
    pub(crate) fn record(
        &mut self,
        size: usize,
        what: &'static str,
        tool: &str,
        seconds: f64,
    ) -> &mut Row {
        eprintln!("  {what:<8} {tool:<22} {size:>6}  {seconds:>9.3} s");
        self.rows.push(Row {
            size,
            what,
            tool: tool.to_string(),
            seconds,
            max_rss_kib: None,
            ops: None,
        });
        self.rows.last_mut().unwrap()
    }

    pub(crate) fn fail(&mut self, what: String) {
        eprintln!("FAILED: {what}");
        self.failures.push(what);
    }

    pub(crate) fn check(&mut self, what: &str, result: Result<(), String>) {
        if let Err(e) = result {
            self.fail(format!("{what}: {e}"));
        }
    }
}

pub(crate) fn write_results(bench: &Bench, out: &Path) -> std::io::Result<()> {
    let mut csv = String::from("size,what,tool,seconds,max_rss_kib,ops\n");
    let mut json = String::from("[\n");
    for (i, r) in bench.rows.iter().enumerate() {
        let rss = r.max_rss_kib.map(|v| v.to_string());
        let ops = r.ops.map(|v| v.to_string());
        let _ = writeln!(
            csv,
            "{},{},{},{:.6},{},{}",
            r.size,
            r.what,
            r.tool,
            r.seconds,
            rss.as_deref().unwrap_or(""),
            ops.as_deref().unwrap_or("")
        );
        let _ = writeln!(
            json,
            "  {{\"size\": {}, \"what\": \"{}\", \"tool\": \"{}\", \"seconds\": {:.6}, \
             \"max_rss_kib\": {}, \"ops\": {}}}{}",
            r.size,
            r.what,
            r.tool,
            r.seconds,
            rss.as_deref().unwrap_or("null"),
            ops.as_deref().unwrap_or("null"),
            if i + 1 < bench.rows.len() { "," } else { "" }
        );
    }
    json.push_str("]\n");
    std::fs::write(out.join("results.csv"), csv)?;
    std::fs::write(out.join("results.json"), json)
}

pub(crate) fn print_table(bench: &Bench) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(
        stdout,
        "{:>6}  {:<8} {:<22} {:>10} {:>10} {:>7}",
        "size", "what", "tool", "seconds", "maxrss KiB", "ops"
    );
    for r in &bench.rows {
        let _ = writeln!(
            stdout,
            "{:>6}  {:<8} {:<22} {:>10.3} {:>10} {:>7}",
            r.size,
            r.what,
            r.tool,
            r.seconds,
            r.max_rss_kib.map(|v| v.to_string()).unwrap_or_default(),
            r.ops.map(|v| v.to_string()).unwrap_or_default()
        );
    }
}

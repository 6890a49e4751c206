//! The kernel's CPU-list syntax (`est_cpulist`): parsing, expanding and printing, as pure
//! text work (which CPUs a machine has is the backend's business).
//!
//! A list is regions separated by commas or blanks; a region is a CPU, a range `A-B` or
//! `all` (every CPU), optionally with a stride `:USED/GROUP` (the first USED CPUs of every
//! GROUP from the start). `N` stands for the last CPU. Empty regions are skipped, and an
//! empty list names no CPU. The kernel prints a set in the same syntax, as ascending ranges.

use std::collections::BTreeSet;

/// One end of a range: a CPU number, or `N`, the machine's last CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Cpu(u32),
    Last,
}

/// One region of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Region {
    start: End,
    end: End,
    used: u32,
    group: u32,
}

/// A CPU list as written, checked for syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CpuList {
    regions: Vec<Region>,
}

fn end(text: &str) -> Result<End, String> {
    if text == "N" {
        return Ok(End::Last);
    }
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{text}` is not a CPU number"));
    }
    text.parse()
        .map(End::Cpu)
        .map_err(|_| format!("CPU {text} is too large"))
}

fn region(text: &str) -> Result<Region, String> {
    let (range, stride) = match text.split_once(':') {
        Some((range, stride)) => (range, Some(stride)),
        None => (text, None),
    };
    // The kernel reads `all` in any case.
    let (start, end_) = match range.split_once('-') {
        _ if range.eq_ignore_ascii_case("all") => (End::Cpu(0), End::Last),
        Some((a, b)) => (end(a)?, end(b)?),
        None if stride.is_some() => return Err(format!("a stride needs a range: `{text}`")),
        None => {
            let one = end(range)?;
            (one, one)
        }
    };
    if let (End::Cpu(a), End::Cpu(b)) = (start, end_) {
        if a > b {
            return Err(format!("the range `{range}` ends before it starts"));
        }
    }
    let (used, group) = match stride {
        None => (1, 1),
        Some(s) => {
            let (u, g) = s
                .split_once('/')
                .ok_or_else(|| format!("a stride is USED/GROUP, not `{s}`"))?;
            let number = |t: &str| {
                t.parse::<u32>()
                    .ok()
                    .filter(|_| t.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| format!("`{t}` is not a number"))
            };
            let (u, g) = (number(u)?, number(g)?);
            if g == 0 || u > g {
                return Err(format!(
                    "the stride {u}/{g} needs a group of at least one CPU and no more used \
                     than the group"
                ));
            }
            (u, g)
        }
    };
    Ok(Region {
        start,
        end: end_,
        used,
        group,
    })
}

impl CpuList {
    /// Reads a list in the kernel's syntax.
    pub(crate) fn parse(text: &str) -> Result<CpuList, String> {
        let regions = text
            .split(|c: char| c == ',' || c.is_ascii_whitespace())
            .filter(|r| !r.is_empty())
            .map(region)
            .collect::<Result<_, _>>()?;
        Ok(CpuList { regions })
    }

    /// The CPUs of the list on a machine of `count` CPUs (0 to `count - 1`), or why the
    /// kernel of that machine refuses it (a CPU it does not have, or a range from `N` that
    /// ends before it starts).
    pub(crate) fn cpus(&self, count: u32) -> Result<BTreeSet<u32>, String> {
        let last = count.saturating_sub(1);
        let resolve = |e: End| match e {
            End::Cpu(n) => n,
            End::Last => last,
        };
        let mut set = BTreeSet::new();
        for r in &self.regions {
            let (start, end) = (resolve(r.start), resolve(r.end));
            if start > end {
                return Err(format!("the range {start}-{end} ends before it starts"));
            }
            if end >= count {
                return Err(format!(
                    "CPU {end} does not exist (the machine has {count})"
                ));
            }
            set.extend((start..=end).filter(|cpu| (cpu - start) % r.group < r.used));
        }
        Ok(set)
    }

    /// The set as the kernel prints it, when the list does not depend on the machine (no
    /// `N`, no `all`).
    pub(crate) fn canonical(&self) -> Option<String> {
        let fixed = self
            .regions
            .iter()
            .all(|r| r.start != End::Last && r.end != End::Last);
        if !fixed {
            return None;
        }
        // With every end a number, a count one above the highest names them all.
        let top = self
            .regions
            .iter()
            .filter_map(|r| match r.end {
                End::Cpu(n) => Some(n),
                End::Last => None,
            })
            .max()
            .map_or(0, |n| n.saturating_add(1));
        self.cpus(top).ok().map(|set| format(&set))
    }
}

/// A set of CPUs as the kernel prints it: ascending ranges, `A-B` or `A`, comma-separated;
/// the empty set is empty text.
pub(crate) fn format(cpus: &BTreeSet<u32>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut iter = cpus.iter().copied().peekable();
    while let Some(start) = iter.next() {
        let mut end = start;
        while iter.peek() == Some(&(end + 1)) {
            end += 1;
            iter.next();
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(text: &str, count: u32) -> Result<String, String> {
        CpuList::parse(text)
            .expect("valid syntax")
            .cpus(count)
            .map(|s| format(&s))
    }

    #[test]
    fn lists_expand_as_the_kernel_prints_them() {
        assert_eq!(on("0,1", 2), Ok("0-1".into()));
        assert_eq!(on("1,0", 2), Ok("0-1".into()));
        assert_eq!(on("all", 4), Ok("0-3".into()));
        assert_eq!(on("ALL", 2), Ok("0-1".into()));
        assert_eq!(on("0-N", 3), Ok("0-2".into()));
        assert_eq!(on("N", 3), Ok("2".into()));
        assert_eq!(on("0-7:1/2", 8), Ok("0,2,4,6".into()));
        assert_eq!(on("0-7:2/4", 8), Ok("0-1,4-5".into()));
        assert_eq!(on(" 0 , , 1 ", 2), Ok("0-1".into()));
        assert_eq!(on("0 1", 2), Ok("0-1".into()));
        assert_eq!(on("all:1/2", 4), Ok("0,2".into()));
        assert_eq!(on("", 2), Ok(String::new()));
    }

    #[test]
    fn a_cpu_the_machine_lacks_is_named() {
        assert!(on("0-2", 2).unwrap_err().contains("CPU 2 does not exist"));
        assert!(on("5", 2).unwrap_err().contains("CPU 5"));
        assert!(on("N-0", 2).unwrap_err().contains("ends before"));
    }

    #[test]
    fn bad_syntax_is_refused() {
        for bad in [
            "0-", "-1", "1-0", "none", "0-1:2/1", "0-1:1/0", "3:1/2", "x", "1x",
        ] {
            assert!(CpuList::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn canonical_only_without_machine_dependent_parts() {
        assert_eq!(
            CpuList::parse("3,1-2").unwrap().canonical(),
            Some("1-3".into())
        );
        assert_eq!(CpuList::parse("0-N").unwrap().canonical(), None);
        assert_eq!(CpuList::parse("all").unwrap().canonical(), None);
        assert_eq!(CpuList::parse("").unwrap().canonical(), Some(String::new()));
    }
}

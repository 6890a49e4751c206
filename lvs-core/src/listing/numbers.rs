//! ipvsadm's abbreviated counters (`--stats`, `--rate`) and printf-style padding.

/// Writes a counter the way ipvsadm's `--stats` and `--rate` columns do.
///
/// Without `exact`, a counter takes 9 characters: below 10^8 it is written in full; larger
/// ones are divided and get a unit letter: `K` (thousands, below 10^9), `M` (millions, below
/// 10^11), `G` (billions, below 10^14), `T` (trillions), always rounding down; only
/// counters of 10^19 and more fill all 9 characters. With `exact` the full number is
/// written right-aligned in `max(9, digits + 1)` characters, so there is always at least
/// one space before it.
pub(crate) fn push_counter(out: &mut String, value: u64, exact: bool) {
    use std::fmt::Write as _;

    if exact {
        let digits = value.to_string();
        let width = if digits.len() <= 8 {
            9
        } else {
            digits.len() + 1
        };
        let _ = write!(out, "{digits:>width$}");
        return;
    }
    let _ = match value {
        0..=99_999_999 => write!(out, "{value:>9}"),
        100_000_000..=999_999_999 => write!(out, "{:>8}K", value / 1_000),
        1_000_000_000..=99_999_999_999 => write!(out, "{:>8}M", value / 1_000_000),
        100_000_000_000..=99_999_999_999_999 => write!(out, "{:>8}G", value / 1_000_000_000),
        _ => write!(out, "{:>8}T", value / 1_000_000_000_000),
    };
}

/// `text` cut to at most `max` characters (ipvsadm ends its name buffers with a NUL there).
pub(crate) fn cut(mut text: String, max: usize) -> String {
    if let Some((at, _)) = text.char_indices().nth(max) {
        text.truncate(at);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter(value: u64, exact: bool) -> String {
        let mut s = String::new();
        push_counter(&mut s, value, exact);
        s
    }

    #[test]
    fn abbreviates_at_each_bucket_boundary() {
        assert_eq!(counter(0, false), "        0");
        assert_eq!(counter(99_999_999, false), " 99999999");
        assert_eq!(counter(100_000_000, false), "  100000K");
        assert_eq!(counter(999_999_999, false), "  999999K");
        assert_eq!(counter(1_000_000_000, false), "    1000M");
        assert_eq!(counter(99_999_999_999, false), "   99999M");
        assert_eq!(counter(100_000_000_000, false), "     100G");
        assert_eq!(counter(99_999_999_999_999, false), "   99999G");
        assert_eq!(counter(100_000_000_000_000, false), "     100T");
        assert_eq!(counter(9_999_999_999_999_999_999, false), " 9999999T");
        assert_eq!(counter(10_000_000_000_000_000_000, false), "10000000T");
        // From 10^19 on, the T column fills all 9 characters and touches its neighbour.
        assert_eq!(counter(u64::MAX, false), "18446744T");
    }

    #[test]
    fn exact_counters_keep_a_leading_space() {
        assert_eq!(counter(7, true), "        7");
        assert_eq!(counter(12_345_678, true), " 12345678");
        assert_eq!(counter(123_456_789, true), " 123456789");
        assert_eq!(counter(u64::MAX, true), " 18446744073709551615");
    }

    #[test]
    fn cuts_by_characters() {
        assert_eq!(cut("abcdef".into(), 3), "abc");
        assert_eq!(cut("ab".into(), 3), "ab");
    }
}

//! Reading a whole text's lines into commands, in the text's order: on the calling thread
//! for a small text, in parts on several threads for a large one.
//!
//! A line's command depends on that line alone, so the lines of a saved table of tens of
//! thousands of services can be read in parts at once; what depends on earlier lines (a
//! real server's service, a service added twice) is left to the caller, which gets the
//! commands one at a time in the text's order, as if the lines were read one by one. The
//! error of a text is the same either way: the first bad line's, or the caller's first.

use super::command::Command;
use super::error::RuleError;
use super::line::read_line;

/// Texts shorter than this are read on the calling thread: starting a thread costs more
/// than reading about 1,600 lines (on the host lvs reads about a million lines a second).
const PARALLEL_MIN_BYTES: usize = 64 * 1024;

/// At most this many threads read one text (the calling thread included).
const MAX_READERS: usize = 4;

/// Hands each command of `text` to `each` with its line number (from 1) and its line, in
/// the text's order, stopping at the first bad line or at the first error `each` returns.
/// `each` runs on the calling thread only; a large text's later parts are read on other
/// threads meanwhile.
pub(crate) fn for_each_command<'a>(
    text: &'a str,
    each: impl FnMut(usize, &'a str, Command) -> Result<(), RuleError>,
) -> Result<(), RuleError> {
    for_each_command_in(text, readers(text.len()), each)
}

/// [`for_each_command`] with `text` read in at most `count` parts.
fn for_each_command_in<'a>(
    text: &'a str,
    count: usize,
    mut each: impl FnMut(usize, &'a str, Command) -> Result<(), RuleError>,
) -> Result<(), RuleError> {
    let parts = split(text, count);
    let Some((&first, rest)) = parts.split_first() else {
        return Ok(());
    };
    if rest.is_empty() {
        return read_part(first, 1, &mut each);
    }
    std::thread::scope(|scope| {
        let later: Vec<_> = rest
            .iter()
            .map(|&part| scope.spawn(move || Part::read(part)))
            .collect();
        // The first part is read here, and handed over as it is read.
        read_part(first, 1, &mut each)?;
        let mut number = 1 + newlines(first);
        for reader in later {
            // A panic is a bug in the reader: it goes on as the same panic, as if the
            // part had been read on this thread.
            let part = reader
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            for (line_in_part, line, command) in part.commands {
                each(number + line_in_part - 1, line, command)?;
            }
            if let Some(mut error) = part.error {
                error.line += number - 1;
                return Err(error);
            }
            number += part.newlines;
        }
        Ok(())
    })
}

/// How many threads read a text of `len` bytes.
fn readers(len: usize) -> usize {
    if len < PARALLEL_MIN_BYTES {
        return 1;
    }
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_READERS)
}

/// `text` cut into at most `count` parts of about the same size, each but the last ending
/// with a newline.
fn split(text: &str, count: usize) -> Vec<&str> {
    let mut parts = Vec::with_capacity(count);
    let mut rest = text;
    for left in (2..=count).rev() {
        let at = rest.len() / left;
        // A newline is one byte that no other character's encoding contains, so the cut
        // after it is a character boundary.
        let Some(newline) = rest.as_bytes()[at..].iter().position(|&b| b == b'\n') else {
            break;
        };
        let (part, after) = rest.split_at(at + newline + 1);
        parts.push(part);
        rest = after;
    }
    parts.push(rest);
    parts
}

fn newlines(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

/// Reads the lines of `part`, the first numbered `first`. A part that ends with a newline
/// ends with an empty line, which reads as nothing.
fn read_part<'a>(
    part: &'a str,
    first: usize,
    each: &mut impl FnMut(usize, &'a str, Command) -> Result<(), RuleError>,
) -> Result<(), RuleError> {
    // One token list for every line of the part.
    let mut tokens = Vec::new();
    let (mut rest, mut number) = (part, first);
    loop {
        // By byte: a newline is one byte that no other character's encoding contains.
        let (line, after) = match rest.as_bytes().iter().position(|&b| b == b'\n') {
            Some(end) => (&rest[..end], Some(&rest[end + 1..])),
            None => (rest, None),
        };
        if let Some(command) = read_line(line, number, &mut tokens)? {
            each(number, line, command)?;
        }
        match after {
            Some(after) => (rest, number) = (after, number + 1),
            None => return Ok(()),
        }
    }
}

/// A part read on its own thread: its commands numbered from 1 within it, up to its first
/// bad line.
struct Part<'a> {
    commands: Vec<(usize, &'a str, Command)>,
    error: Option<RuleError>,
    newlines: usize,
}

impl<'a> Part<'a> {
    fn read(part: &'a str) -> Part<'a> {
        let newlines = newlines(part);
        // At most one command a line: sized once rather than grown by copies.
        let mut commands = Vec::with_capacity(newlines + 1);
        let error = read_part(part, 1, &mut |number, line, command| {
            commands.push((number, line, command));
            Ok(())
        })
        .err();
        Part {
            commands,
            error,
            newlines,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command with its line number and line, or the error, read in at most `count`
    /// parts (1: line by line, the reference).
    fn read_in(text: &str, count: usize) -> Result<Vec<(usize, String, Command)>, RuleError> {
        let parts = split(text, count);
        assert!(parts.len() <= count);
        assert_eq!(parts.concat(), text, "the parts are the text");
        let mut commands = Vec::new();
        for_each_command_in(text, count, |n, line, command| {
            commands.push((n, line.to_string(), command));
            Ok(())
        })?;
        Ok(commands)
    }

    fn read_whole(text: &str) -> Result<Vec<(usize, String, Command)>, RuleError> {
        let mut commands = Vec::new();
        for_each_command(text, |n, line, command| {
            commands.push((n, line.to_string(), command));
            Ok(())
        })?;
        Ok(commands)
    }

    fn table_text(services: usize) -> String {
        let mut text = String::new();
        for i in 0..services {
            text.push_str(&format!("-A -t 10.0.{}.{}:80 -s rr\n", i / 250, i % 250));
            text.push_str(&format!(
                "\n# servers\n-a -t 10.0.{}.{}:80 -r 10.1.0.1:8080 -m -w 2\n",
                i / 250,
                i % 250
            ));
        }
        text
    }

    /// Texts from empty to one that is read on several threads (under Miri, which
    /// interprets every step, only the small ones).
    fn texts() -> Vec<String> {
        let mut texts = vec![
            String::new(),
            "\n".to_string(),
            "-C".to_string(),
            "-C\n\n-C".to_string(),
            table_text(3),
        ];
        if !cfg!(miri) {
            texts.push(table_text(3000));
        }
        texts
    }

    #[test]
    fn a_text_read_in_parts_reads_as_it_reads_whole() {
        for text in texts() {
            let whole = read_in(&text, 1).unwrap();
            for count in [2, 3, 4, 7, 50] {
                assert_eq!(read_in(&text, count).unwrap(), whole, "{count} parts");
            }
            assert_eq!(read_whole(&text).unwrap(), whole);
        }
    }

    #[test]
    #[cfg_attr(miri, ignore)]
    fn the_first_bad_line_is_the_error_whichever_part_it_is_in() {
        let good = table_text(3000);
        let lines = good.split('\n').count();
        for bad_line in [1, 2, lines / 3, lines / 2 + 1, lines - 1, lines] {
            let mut text: Vec<&str> = good.split('\n').collect();
            text[bad_line - 1] = "-A -t 10.0.0.1:80 -s rr -w 5";
            let text = text.join("\n");
            let whole = read_in(&text, 1).unwrap_err();
            assert_eq!(whole.line, bad_line);
            for count in [2, 3, 4] {
                assert_eq!(read_in(&text, count).unwrap_err(), whole, "{count} parts");
            }
            assert_eq!(read_whole(&text).unwrap_err(), whole);
        }
    }

    #[test]
    #[cfg_attr(miri, ignore)]
    fn the_callers_first_error_stops_the_read() {
        let text = table_text(3000);
        let mut seen = 0;
        let error = for_each_command(&text, |n, line, _| {
            seen += 1;
            if n == 4001 {
                Err(RuleError::new(
                    n,
                    1,
                    line,
                    crate::rules::Problem::NotACommand,
                ))
            } else {
                Ok(())
            }
        })
        .unwrap_err();
        assert_eq!(error.line, 4001);
        // Every fourth line is a command (two blank or comment lines per service).
        assert_eq!(seen, 2001);
    }

    /// The threads at work on a small text (which [`for_each_command`] reads on the calling
    /// thread): what Miri can check in reasonable time.
    #[test]
    fn a_small_text_read_on_threads_hands_over_every_command_in_order() {
        let text = table_text(3);
        let whole = read_in(&text, 1).unwrap();
        for count in [2, 3, 5] {
            assert_eq!(read_in(&text, count).unwrap(), whole, "{count} parts");
            // The last service's line, in the last part.
            let at = text.rfind("-s rr").unwrap();
            let bad = format!("{}-s rr -w 5{}", &text[..at], &text[at + 5..]);
            let error = read_in(&bad, count).unwrap_err();
            assert_eq!(error, read_in(&bad, 1).unwrap_err(), "{count} parts");
            assert_eq!(error.line, 9);
        }
    }

    #[test]
    fn a_text_without_newlines_is_one_part() {
        assert_eq!(split("-C", 4), ["-C"]);
        assert_eq!(split("", 4), [""]);
        assert_eq!(split("-C\n-C", 1), ["-C\n-C"]);
    }
}

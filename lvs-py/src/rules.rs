//! ipvsadm rule text for Python: parse it into operations, load it as a table, save a table.

use lvs_core::rules::{self, Command};
use pyo3::prelude::*;

use crate::errors::{rule_error, syntax_error, RulePlace};
use crate::values::{table_of, Operation, VirtualService};

/// The first token of a line as ipvsadm reads it (blanks are spaces, tabs and carriage
/// returns; the word `ipvsadm` is dropped), with its column counted from 1 in characters.
fn first_token(line: &str) -> (usize, &str) {
    let mut column = 1;
    let mut rest = line;
    loop {
        let skipped = rest.len() - rest.trim_start_matches([' ', '\t', '\r']).len();
        column += rest[..skipped].chars().count();
        rest = &rest[skipped..];
        let end = rest.find([' ', '\t', '\r']).unwrap_or(rest.len());
        let token = &rest[..end];
        if token != "ipvsadm" || end == 0 {
            return (column, token);
        }
        column += token.chars().count();
        rest = &rest[end..];
    }
}

/// Reads rule text into the operations it asks for, refusing any line that does not change
/// the table (listing, saving, restoring, help, version).
pub(crate) fn operations_from_text(
    py: Python<'_>,
    text: &str,
) -> PyResult<Vec<lvs_core::Operation>> {
    let mut operations = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        let number = index + 1;
        match rules::parse_line(line) {
            Err(mut error) => {
                error.line = number;
                return Err(rule_error(py, &error));
            }
            Ok(None) => {}
            Ok(Some(Command::Operation(op))) => operations.push(op),
            Ok(Some(other)) => {
                let (column, token) = first_token(line);
                let place = RulePlace {
                    line: number,
                    column,
                    token,
                };
                let message = format!(
                    "line {number}, column {column}: the '{}' command does not change the table",
                    other.name()
                );
                return Err(syntax_error(
                    py,
                    &place,
                    &message,
                    "a command that changes the table (-A, -E, -D, -a, -e, -d, -C, -Z, --set, \
                     --start-daemon, --stop-daemon)",
                ));
            }
        }
    }
    Ok(operations)
}

/// Parses ipvsadm rule text (what `ipvsadm -R` reads) into a list of `Operation`.
///
/// Blank lines and `#` comments are skipped. A line ipvsadm would refuse, or one that does
/// not change the table (`-L`, `-S`, `-R`, `-h`, `-v`), raises `lvs.RuleSyntaxError` with
/// its line and column.
#[pyfunction]
pub(crate) fn parse_rules(py: Python<'_>, text: &str) -> PyResult<Vec<Operation>> {
    Ok(operations_from_text(py, text)?
        .into_iter()
        .map(Operation::from)
        .collect())
}

/// Reads saved rule text (only `-A` and `-a` lines, as `ipvsadm -S` writes) as a table: a
/// list of `VirtualService` in the order of the text.
#[pyfunction]
pub(crate) fn load_rules(py: Python<'_>, text: &str) -> PyResult<Vec<VirtualService>> {
    let table = rules::table_from_rules(text).map_err(|e| rule_error(py, &e))?;
    Ok(table
        .services
        .into_iter()
        .map(|inner| VirtualService { inner })
        .collect())
}

/// Writes a table (an iterable of `VirtualService`) as `ipvsadm -S -n` would.
#[pyfunction]
pub(crate) fn save_rules(table: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(rules::save(&table_of(table)?))
}

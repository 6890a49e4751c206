//! ipvsadm rule text for Python: parse it into operations, load it as a table, save a table.

use lvs_core::rules;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::errors::rule_error;
use crate::values::{daemon_of, table_of, timeouts_of, value_of, Operation, VirtualService};

/// Reads rule text into the operations it asks for (lvs-core's one reader of rule text to
/// apply), refusing any line that does not change the table (listing, saving, restoring,
/// help, version) as a `lvs.RuleSyntaxError` at its command.
pub(crate) fn operations_from_text(
    py: Python<'_>,
    text: &str,
) -> PyResult<Vec<lvs_core::Operation>> {
    rules::parse_operations(text)
        .map(|ops| ops.into_iter().map(|(_, op)| op).collect())
        .map_err(|error| rule_error(py, &error))
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

/// Reads saved rule text (`-A` and `-a` lines, as `ipvsadm -S` writes, and the `--set`,
/// `--start-daemon` and `--lvs-sysctl` lines lvs's save adds) as a table: a list of
/// `VirtualService` in the order of the text.
#[pyfunction]
pub(crate) fn load_rules(py: Python<'_>, text: &str) -> PyResult<Vec<VirtualService>> {
    let table = rules::table_from_rules(text).map_err(|e| rule_error(py, &e))?;
    Ok(table
        .services
        .into_iter()
        .map(|inner| VirtualService { inner })
        .collect())
}

/// Writes a table (an iterable of `VirtualService`) as rule text.
///
/// By default the text is lossless: `load` (and `apply`) of it gives the same table, with
/// lvs's `--lvs-...` options where ipvsadm has no word for a value, and `timeouts` (a
/// `Timeouts`), `daemons` (an iterable of `SyncDaemon`) and `sysctls` (a mapping from knob
/// name to value) as `--set`, `--start-daemon` and `--lvs-sysctl` lines when given. A name
/// the text cannot carry (empty, too long, with a blank or control character), or a sysctl
/// value its knob does not take, raises `lvs.RuleSyntaxError`. With `ipvsadm=True` the
/// text is byte for byte `ipvsadm -S -n`'s, which loses what ipvsadm does not save; it has
/// no timeouts, daemons or sysctls (giving them raises `ValueError`).
#[pyfunction]
#[pyo3(signature = (table, *, timeouts = None, daemons = None, sysctls = None, ipvsadm = false))]
pub(crate) fn save_rules(
    py: Python<'_>,
    table: &Bound<'_, PyAny>,
    timeouts: Option<&Bound<'_, PyAny>>,
    daemons: Option<&Bound<'_, PyAny>>,
    sysctls: Option<&Bound<'_, PyAny>>,
    ipvsadm: bool,
) -> PyResult<String> {
    let mut table = table_of(table)?;
    if ipvsadm {
        if timeouts.is_some() || daemons.is_some() || sysctls.is_some() {
            return Err(PyValueError::new_err(
                "the ipvsadm form saves only services: leave out timeouts, daemons and sysctls",
            ));
        }
        return Ok(rules::save_ipvsadm(&table));
    }
    if let Some(t) = timeouts.filter(|t| !t.is_none()) {
        table.timeouts = Some(timeouts_of(t)?);
    }
    if let Some(ds) = daemons.filter(|d| !d.is_none()) {
        table.daemons = ds
            .try_iter()?
            .map(|d| daemon_of(&d?))
            .collect::<PyResult<_>>()?;
    }
    if let Some(map) = sysctls.filter(|s| !s.is_none()) {
        let map = map.cast::<pyo3::types::PyMapping>().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(format!(
                "sysctls must be a mapping from name to value, not {}",
                crate::convert::type_name(map)
            ))
        })?;
        for item in map.items()?.iter() {
            let (name, value): (String, Bound<'_, PyAny>) = item.extract()?;
            table
                .sysctls
                .push(lvs_core::SysctlSetting::new(name, value_of(&value)?));
        }
    }
    rules::save(&table).map_err(|e| rule_error(py, &e))
}

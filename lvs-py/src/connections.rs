//! `Connections`: the iterator `IpvsHandle.connections()` returns, reading the connection
//! table lazily, a chunk of entries at a time with the GIL released.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError, TryLockError};

use lvs_core::listing::Connection as CoreConnection;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::errors::Failure;
use crate::values::Connection;

/// How many entries one refill reads before handing back to Python: enough that the GIL is
/// taken and released rarely (a million entries, a few thousand times), few enough that
/// memory stays small whatever the table's size.
const CHUNK: usize = 256;

/// What is left to hand out.
#[derive(Debug, Default)]
struct Reading {
    /// Entries read and not yet handed out.
    buffered: VecDeque<CoreConnection>,
    /// The open connection file of the kernel handle's namespace; `None` once it ended,
    /// failed or was closed (and always for `MemoryIpvs`, whose table is empty).
    source: Option<lvs_sys::Connections>,
    /// A read failure, raised after the entries read before it.
    failure: Option<Failure>,
}

impl Reading {
    /// Reads up to [`CHUNK`] entries into the buffer (without the GIL).
    fn refill(&mut self) {
        let Some(source) = self.source.as_mut() else {
            return;
        };
        while self.buffered.len() < CHUNK {
            match source.next() {
                Some(Ok(entry)) => self.buffered.push_back(entry),
                Some(Err(error)) => {
                    self.failure = Some(Failure::from(error));
                    self.source = None;
                    return;
                }
                None => {
                    self.source = None;
                    return;
                }
            }
        }
    }
}

/// The entries of a connection table, read as they are iterated (from
/// `IpvsHandle.connections()`): at most a few hundred entries are held at once, whatever
/// the table's size. It owns the open table, not the handle: it reads on after the handle
/// is closed. `close()` stops it early. A read error is raised after the entries read
/// before it; after that, and at the end, it stops.
///
/// The kernel writes the table as it walks it, so entries that come or go meanwhile may be
/// missed or seen twice, as with `ipvsadm -L -c`.
#[pyclass(module = "lvs", frozen)]
#[derive(Debug)]
pub struct Connections {
    reading: Mutex<Reading>,
}

impl Connections {
    /// An iterator reading from an open connection file.
    pub(crate) fn streaming(source: lvs_sys::Connections) -> Connections {
        Connections {
            reading: Mutex::new(Reading {
                source: Some(source),
                ..Reading::default()
            }),
        }
    }

    /// An iterator over entries already read (a backend without a kernel file).
    pub(crate) fn of(entries: Vec<CoreConnection>) -> Connections {
        Connections {
            reading: Mutex::new(Reading {
                buffered: entries.into(),
                ..Reading::default()
            }),
        }
    }
}

#[pymethods]
impl Connections {
    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Connection>> {
        // Another thread holds the lock only while it reads without the GIL; waiting for it
        // here, with the GIL held, would keep it from taking the GIL back.
        let mut reading = match self.reading.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => {
                return Err(PyValueError::new_err(
                    "the connection iterator is being read by another thread",
                ))
            }
        };
        if reading.buffered.is_empty() && reading.source.is_some() {
            let reading = &mut *reading;
            py.detach(|| reading.refill());
        }
        if let Some(inner) = reading.buffered.pop_front() {
            return Ok(Some(Connection { inner }));
        }
        match reading.failure.take() {
            Some(failure) => Err(failure.into_pyerr(py)),
            None => Ok(None),
        }
    }

    /// Stops reading: closes the table's file and drops what was read ahead. Later
    /// iteration yields nothing. Closing twice is allowed.
    fn close(&self, py: Python<'_>) {
        // Without the GIL: a thread reading a chunk holds the lock until it has the GIL back.
        py.detach(|| {
            let mut reading = self.reading.lock().unwrap_or_else(PoisonError::into_inner);
            *reading = Reading::default();
        });
    }

    fn __repr__(&self) -> String {
        "<lvs.Connections>".to_owned()
    }
}

//! The Python face of lvs: the native module behind the `lvs` Python package.
//!
//! It exposes lvs-core's model as immutable Python value objects, the kernel handle and the
//! in-memory backend with the same methods, and one exception hierarchy mapped from the
//! Rust error kinds in one place. Netlink I/O releases the GIL.
//!
//! It must never contain IPVS logic of its own (that is `lvs-core`'s and `lvs-sys`'s) nor
//! C exports (`lvs-ffi`'s); it is the only crate that links pyo3.

#![deny(missing_docs)]

mod connections;
mod convert;
mod enums;
mod errors;
mod handle;
mod plan;
mod rules;
mod values;

use pyo3::prelude::*;

/// The native module `lvs._lvs`; the public API is the `lvs` package, which re-exports it.
#[pymodule]
fn _lvs(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<values::ServiceKey>()?;
    module.add_class::<values::Persistence>()?;
    module.add_class::<values::Service>()?;
    module.add_class::<values::Tunnel>()?;
    module.add_class::<values::RealServer>()?;
    module.add_class::<values::Timeouts>()?;
    module.add_class::<values::SyncDaemon>()?;
    module.add_class::<values::KernelInfo>()?;
    module.add_class::<values::Stats>()?;
    module.add_class::<values::ServiceEntry>()?;
    module.add_class::<values::RealServerEntry>()?;
    module.add_class::<values::VirtualService>()?;
    module.add_class::<values::Connection>()?;
    module.add_class::<connections::Connections>()?;
    module.add_class::<values::Operation>()?;
    module.add_class::<plan::Scope>()?;
    module.add_class::<plan::Plan>()?;
    module.add_class::<plan::DrainingServer>()?;
    module.add_class::<plan::LivePlan>()?;
    module.add_class::<handle::IpvsHandle>()?;
    module.add_class::<handle::Ipvs>()?;
    module.add_class::<handle::MemoryIpvs>()?;
    module.add_function(wrap_pyfunction!(rules::parse_rules, module)?)?;
    module.add_function(wrap_pyfunction!(rules::load_rules, module)?)?;
    module.add_function(wrap_pyfunction!(rules::save_rules, module)?)?;
    module.add_function(wrap_pyfunction!(plan::plan, module)?)?;
    // Called by `lvs/__init__.py` once the Python modules are loaded.
    module.add_function(wrap_pyfunction!(errors::check_names, module)?)?;
    // The Cargo version, which maturin also gives the wheel: the version of the extension
    // itself, so it cannot disagree with the code that runs. `lvs.__version__` re-exports it.
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

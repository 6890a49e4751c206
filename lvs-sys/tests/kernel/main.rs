//! Kernel tests: run as root inside the test VM (`tests/run`), against Debian's kernel.
//!
//! Every test works in a network namespace of its own, so tests run in parallel and leave
//! nothing behind. Outside a kernel with IPVS these tests fail: they never skip.

mod support;

mod all_or_nothing;
mod connections;
mod coverage;
mod differential;
mod error_paths;
mod exporter;
mod input_meaning;
mod ipvsadm_smoke;
mod lossless_save;
mod lvsctl;
mod netlink_basics;
mod overrun;
mod parallel_read;
mod reliability;
mod robustness;
mod sysctls;
mod traffic;

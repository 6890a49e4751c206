//! Validation of services, real servers, timeouts and daemons with the kernel's meaning.

//! `MemoryIpvs`: an in-memory IPVS table that behaves like the kernel's.

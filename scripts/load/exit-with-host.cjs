// Preloaded into each instance of the functions host: an instance ends when the host does,
// even when the host is killed outright, so no orphan keeps a port or the CPU.
process.on("disconnect", () => process.exit(0));

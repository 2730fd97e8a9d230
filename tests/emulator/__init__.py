"""The emulator: over HTTP, its service core, and its independence from the receiver."""

"""Files in and out: what each data file holds (contracts), reading it, and writing outputs
safely (escaping, atomic CSV writes, the folders evalkit owns). Imports nothing of evalkit
but ``errors`` and ``progress``."""

"""Demo: a seed -> a fictitious registry and snapshots in a temporary folder -> the whole site from them."""

"""Fake registries and fake API servers (127.0.0.1 only) for the collection tests."""

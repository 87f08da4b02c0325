"""Collection: registry accounts + the networks' APIs (or a manual CSV) -> rows appended to the store."""

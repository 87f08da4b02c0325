"""Store: collected rows -> monthly CSV snapshots under data/snapshots/ -> data frames to analyse."""

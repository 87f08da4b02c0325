"""Analysis: registry + snapshot frames -> per-account metrics, leaderboards and the worked example."""

"""Site: registry + metrics + leaderboards -> Markdown pages, charts and open data under docs/ -> MkDocs."""

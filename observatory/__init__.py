"""Observatoire: how French health establishments use social networks."""

PROJECT_URL = "https://github.com/observatoire-sante/observatoire"

"""Registry: the YAML files under data/ -> validated establishments, accounts and published figures."""

"""Account discovery: reads establishments' own websites and Wikidata, and proposes the social
accounts found there as changes to the registry files (a pull request reviews them)."""

"""The analyst's side: drafts of diagrams, rules and forms, their tests and deploys, version
comparison and the migration of running cases."""

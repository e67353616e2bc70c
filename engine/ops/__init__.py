"""Running the service: readiness checks, worker heartbeats, structured logs, backups."""

"""The biannual report on official trips and invitations (issue 9, docs/reports.md)."""

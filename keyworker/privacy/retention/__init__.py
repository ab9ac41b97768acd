"""Retention (issue 10): each kind of record is kept for a period and then removed (or anonymised), after the
data protection officer's review where the policy asks for one. docs/decisions/0034-retention.md."""

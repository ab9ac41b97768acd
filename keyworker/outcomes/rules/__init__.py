"""Outcomes business rules as pure functions (no database, no HTTP), one module per part, each with property
tests."""

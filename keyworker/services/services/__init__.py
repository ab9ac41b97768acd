"""Writes of the services app, one module per part: directory (services and venues), referrals out,
signposting, courses."""

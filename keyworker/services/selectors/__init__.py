"""Reads of the services app, one module per part: directory, referrals out, signposting, courses."""

"""Subject access requests (issue 10): the data protection officer records a person's request, the deadline is
worked out (one calendar month, extendable by two), a background job builds their record as JSON and a readable
PDF, and sending it is logged as a disclosure on their record. docs/decisions/0037-subject-access-requests.md"""

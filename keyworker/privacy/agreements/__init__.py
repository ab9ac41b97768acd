"""The register of information-sharing agreements (issue 10): services, selectors, pages."""

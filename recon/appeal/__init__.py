"""The appeal's domain: regions, countries, areas, submissions, findings."""

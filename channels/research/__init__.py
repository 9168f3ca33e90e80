"""Research: what the programme's researchers may know, and nothing more.

- `usage`: the content-free record of feature use (week, role, cohort, feature, research id).
- `consent`: each participant's research consent, asked at first login, changed any time.
- `reports`: the figures of /admin/reports and of `mentorspace report`, consenting people only,
  small cells suppressed, pairs under pseudonyms salted for one export.
- `export`: the same figures as CSV and JSON.
"""

"""`gofixleaks campaign`: the fixes of `pr`, proposed across many repositories.

The driver reads the repositories file and a SQLite state file, hands each repository's work
(shallow clone, fix, verify, commit, push: work.py) to a local process pool or a Dask cluster,
and opens or updates each pull request itself, one at a time behind a rate limiter
(proposals.py). Every outcome is recorded as it arrives, so a killed run resumes where it
stopped (state.py); report.py renders the state as a table and an HTML report."""

"""Run-time evidence of goroutine leaks: goroutine dumps and leak profiles read into data
(dump.py, profile_proto.py), grouped into ranked blocked sites (sites.py), tied to the static
findings that cover them (match.py), and gathered from a package's own tests through an
injected leak check (leakcheck.py). commands.py is what the CLI calls."""

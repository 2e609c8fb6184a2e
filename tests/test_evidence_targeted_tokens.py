"""The stop token closed (tokens.close_token): a blocked ``r.f <- struct{}{}`` behind ``if
r.f != nil``, whose every receiver across the package discards the value and leaves,
becomes ``close(r.f)`` (moby's PR 28462), the field renewed for the next stop where the
code never sets it to nil. A review fix: applied with `--unsafe-fixes`; near misses name
each condition."""

from __future__ import annotations

import pytest

from gofixleaks.evidence.targeted import tokens

from . import gotools
from .test_evidence_targeted import _line, _proven, ask_shape, assert_fixed, assert_gofmt_and_vet_clean, assert_left, run_flow

# moby's health monitor: the monitor checks its stop channel between probes, each of which
# takes the container's lock; Close sends the stop token holding that lock
HEALTH = """\
package health

import (
	"sync"
	"time"
)

// Health holds a container's health-check state.
type Health struct {
	stop chan struct{}
}

func newHealth() *Health {
	return &Health{make(chan struct{})}
}

// open is the channel that stops the monitor.
func (h *Health) open() chan struct{} {
	return h.stop
}

// Close stops the monitor.
func (h *Health) Close() {
	if h.stop != nil {
		h.stop <- struct{}{}
	}
}

func monitor(mu *sync.Mutex, stop chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		mu.Lock()
		mu.Unlock()
		time.Sleep(time.Millisecond)
	}
}

func start(mu *sync.Mutex, h *Health) {
	if stop := h.open(); stop != nil {
		go monitor(mu, stop)
	}
}
"""
HEALTH_FIXED = HEALTH.replace("\t\th.stop <- struct{}{}\n", "\t\tclose(h.stop)\n\t\th.stop = make(chan struct{})\n")

# the leak proof: the monitor waits for the lock the closer holds while it sends; the
# no-hang proof: a monitor that is listening stops, and one started after it stops at the
# next Close (a field set to nil would never stop it, a second close of one channel panics)
HEALTH_TEST = """\
package health

import (
	"sync"
	"testing"
	"time"
)

func TestCloseUnderLock(t *testing.T) {
	var mu sync.Mutex
	h := newHealth()
	mu.Lock()
	start(&mu, h)
	time.Sleep(10 * time.Millisecond)
	go func() {
		h.Close()
		mu.Unlock()
	}()
	time.Sleep(20 * time.Millisecond)
}

func TestCloseAndReopen(t *testing.T) {
	var mu sync.Mutex
	h := newHealth()
	start(&mu, h)
	h.Close()
	start(&mu, h)
	h.Close()
	time.Sleep(20 * time.Millisecond)
}
"""

# upstream's own shape: the field set to nil after the send, made again by open
NILLED = HEALTH.replace("package health", "package nilled").replace(
    "func newHealth() *Health {\n\treturn &Health{make(chan struct{})}\n}\n\n", "").replace(
    "// open is the channel that stops the monitor.\nfunc (h *Health) open() chan struct{} {\n\treturn h.stop\n}\n",
    "// open makes the channel that stops a new monitor; nil when one runs.\nfunc (h *Health) open() chan struct{} {\n"
    "\tif h.stop == nil {\n\t\th.stop = make(chan struct{})\n\t\treturn h.stop\n\t}\n\treturn nil\n}\n").replace(
    "\t\th.stop <- struct{}{}\n", "\t\th.stop <- struct{}{}\n\t\th.stop = nil\n").replace(
    "\tfor {\n\t\tselect {\n\t\tcase <-stop:\n\t\t\treturn\n", "loop:\n\tfor {\n\t\tselect {\n\t\tcase <-stop:\n\t\t\tbreak loop\n")
NILLED_FIXED = NILLED.replace("\t\th.stop <- struct{}{}\n", "\t\tclose(h.stop)\n")
NILLED_TEST = HEALTH_TEST.replace("package health", "package nilled").replace("h := newHealth()", "h := &Health{}")

# one condition short: a pool's workers share the channel, started in a loop, and each
# token stops one of them (a close would stop them all)
POOL = HEALTH.replace("package health", "package pool").replace(
    "\tif stop := h.open(); stop != nil {\n\t\tgo monitor(mu, stop)\n\t}\n",
    "\tfor i := 0; i < 2; i++ {\n\t\tgo monitor(mu, h.open())\n\t}\n")
POOL_TEST = HEALTH_TEST.replace("package health", "package pool").split("\nfunc TestCloseAndReopen")[0]

FILES = {
    "go.mod": "module example.com/m\n\ngo 1.22\n",
    "health/health.go": HEALTH,
    "health/health_test.go": HEALTH_TEST,
    "nilled/nilled.go": NILLED,
    "nilled/nilled_test.go": NILLED_TEST,
    "pool/pool.go": POOL,
    "pool/pool_test.go": POOL_TEST,
}


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    return run_flow(tmp_path_factory.mktemp("tokens"), FILES, "--unsafe-fixes")


@pytest.mark.parametrize("pkg, fixed, said", [
    ("health", HEALTH_FIXED, "and give it a new channel for the next stop"),
    ("nilled", NILLED_FIXED, "(it is set to nil after)"),
])
def test_a_stop_token_nobody_takes_is_closed(flow, pkg, fixed, said):
    assert_fixed(flow, pkg, fixed, f"{pkg}.go:25", "proven-leak (fixed): close h.stop instead of sending a stop token nobody reads")
    assert said in _line(flow[2].stderr, f"{pkg}.go:25")
    assert_gofmt_and_vet_clean(flow[0], (pkg,))


def test_workers_started_in_a_loop_are_not_all_stopped(flow):
    assert_left(flow, "pool", POOL, "pool.go:25", "monitor, which receives the token at pool.go:32", "started once by `go` outside a loop")


def test_without_unsafe_fixes_it_stays_review(tmp_path):
    module, before, result, after = run_flow(tmp_path, {k: v for k, v in FILES.items() if k.startswith(("go.mod", "health/"))})
    assert _proven(before["health"])
    assert (module / "health" / "health.go").read_text() == HEALTH
    assert "(review): close h.stop" in _line(result.stderr, "health.go:25"), result.stderr


def _ask(tmp_path, source: str, others: dict[str, str] | None = None, text: str = "h.stop <- "):
    return ask_shape(tmp_path, tokens.close_token, source, text, others)


@pytest.mark.parametrize("source, fixed", [(HEALTH, HEALTH_FIXED), (NILLED, NILLED_FIXED)])
def test_the_fix_is_gofmt_layout(tmp_path, source, fixed):
    fix, why, out = _ask(tmp_path, source)
    assert why is None and out == fixed and fix.applicability == "review"
    assert gotools.gofmt_clean(out.encode())


START = "\tif stop := h.open(); stop != nil {\n\t\tgo monitor(mu, stop)\n\t}\n"
CASE = "\t\tcase <-stop:\n\t\t\treturn\n"


@pytest.mark.parametrize("change, why", [
    # the send: a token, behind a nil guard, once
    (lambda s: s.replace("\tif h.stop != nil {\n\t\th.stop <- struct{}{}\n\t}\n", "\th.stop <- struct{}{}\n"),
     "has no `if h.stop != nil` guard"),
    (lambda s: s.replace("\tif h.stop != nil {\n\t\th.stop <- struct{}{}\n\t}\n",
                         "\tfor i := 0; i < 2; i++ {\n\t\tif h.stop != nil {\n\t\t\th.stop <- struct{}{}\n\t\t}\n\t}\n"),
     "is sent in a loop"),
    (lambda s: s + "\nfunc (h *Health) Kick() {\n\th.stop <- struct{}{}\n}\n", "stop is sent on at p.go:"),
    (lambda s: s + "\nfunc (h *Health) Kill() {\n\tclose(h.stop)\n}\n", "stop is closed at p.go:"),
    # receivers that take more than a token, or come back for another
    (lambda s: s.replace(CASE, "\t\tcase v := <-stop:\n\t\t\t_ = v\n\t\t\treturn\n"), "uses its value"),
    (lambda s: s.replace(CASE, "\t\tcase <-stop:\n\t\t\tprintln(\"pause\")\n"), "neither returns nor breaks out of its loop"),
    (lambda s: s.replace(CASE, "\t\tcase <-stop:\n\t\t\tbreak\n"), "neither returns nor breaks out of its loop"),
    (lambda s: s + "\nfunc pause(stop chan struct{}) {\n\tfor {\n\t\t<-stop\n\t}\n}\n\nfunc run(h *Health) {\n\tgo pause(h.open())\n}\n",
     "waits in a loop"),
    (lambda s: s + "\nfunc (h *Health) wait() {\n\t<-h.stop\n}\n", "read afresh"),
    (lambda s: s + "\nfunc wait(h *Health) {\n\t<-h.open()\n}\n", "read afresh"),
    # receivers out of view, or several started on one channel
    (lambda s: s + "\nvar keep chan struct{}\n\nfunc hold(h *Health) {\n\tkeep = h.open()\n}\n", "otherwise than compared with nil"),
    (lambda s: s.replace("go monitor(mu, stop)", "go monitor(mu, stop)\n\t\tgo monitor(mu, stop)"), "is handed to 2 goroutines"),
    (lambda s: s.replace("go monitor(mu, stop)", "go monitor(mu, stop)\n\t\tgo func() {\n\t\t\t<-stop\n\t\t}()"),
     "is handed to 2 goroutines"),
    # a second start from another read of the field: each read is one receiver's (moby's kernel)
    (lambda s: s + "\nfunc restart(mu *sync.Mutex, h *Health) {\n\tgo monitor(mu, h.open())\n}\n", None),
    (lambda s: s.replace("func (h *Health) Close()", "func (h *Health) Shrink()"), "sent by Shrink, whose name says no stop"),
    (lambda s: s.replace(START, "\tfor i := 0; i < 2; i++ {\n\t\tgo monitor(mu, h.open())\n\t}\n"), "started once by `go` outside a loop"),
    (lambda s: s.replace("\t\tgo monitor(mu, stop)\n", "\t\tmonitor(mu, stop)\n"), "started once by `go` outside a loop"),
    (lambda s: s + "\nvar probe = monitor\n", "started once by `go` outside a loop"),
    (lambda s: s.replace("monitor(", "Monitor("), "Monitor, which receives the token at p.go:32, is exported"),
    (lambda s: s + "\nvar opener = (*Health).open\n", "open is named otherwise than called"),
    (lambda s: s.replace("open()", "Open()"), "Open hands stop out and is exported"),
    (lambda s: s.replace("package health", "package main").replace("stop", "Stop").replace("open()", "Open()"), None),
    (lambda s: s.replace("stop", "Stop"), "Stop is exported"),
    # what the field holds: for a renewal, one kind of unbuffered make
    (lambda s: s.replace("return &Health{make(chan struct{})}", "return &Health{make(chan struct{}, 1)}"), "or buffered"),
    (lambda s: s + "\nfunc (h *Health) reset() {\n\th.stop = nil\n}\n", "is given nil"),
    (lambda s: s.replace("func newHealth() *Health {", "func newHealth(stop chan struct{}) *Health {").replace(
        "return &Health{make(chan struct{})}", "return &Health{stop}"), "is given stop at p.go:"),
    (lambda s: s.replace("return &Health{make(chan struct{})}", "return &Health{stop: make(chan struct{})}"), None),
])
def test_each_condition_of_the_close(tmp_path, change, why):
    source = change(HEALTH)
    fix, reason, _ = _ask(tmp_path, source, text="h.Stop <- " if "h.Stop <- " in source else "h.stop <- ")
    if why is None:  # the near miss's fixed counterpart
        assert fix is not None, reason
    else:
        assert fix is None and why in reason, reason


def test_another_file_of_the_package_is_followed_too(tmp_path):
    other = "package health\n\nfunc drain(h *Health) {\n\tfor v := range h.open() {\n\t\t_ = v\n\t}\n}\n"
    fix, why, _ = _ask(tmp_path, HEALTH, {"other.go": other})
    assert fix is None and "other.go:4" in why, why

"""analysis.testexit: code of a test that runs only once the test has failed."""

from __future__ import annotations

from gofixleaks import analysis as a
from gofixleaks.source import SourceFile

TEST = b"""package p

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestX(t *testing.T, errs chan error) {
	for i := 0; i < 3; i++ {
		if err := <-errs; err != nil {
			t.Errorf("got %v", err)
			return
		}
		if !assert.NoError(t, <-errs) {
			return
		}
		if !check(<-errs) {
			return
		}
		if err := <-errs; err != nil {
			if i > 1 {
				t.Errorf("late %v", err)
			}
			return
		}
		t.Logf("round %d", i)
		break
	}
}

func check(err error) bool { return err == nil }
"""


def _exits(sf: SourceFile) -> list:
    test = next(a.of_type(sf.root, "function_declaration"))
    return list(a.of_type(test, "return_statement", "break_statement"))


def test_an_exit_after_a_failure_call_or_a_false_assert_is_a_failed_run_only():
    sf = SourceFile.load("x_test.go", TEST)
    # t.Errorf then return; !assert.NoError; a plain bool check; an Errorf only inside an
    # if; a break after t.Logf
    assert [a.exit_after_failure(sf, x) for x in _exits(sf)] == [True, True, False, False, False]


def test_outside_test_files_a_function_taking_a_testing_t_is_test_code():
    # an integration suite's step (`func (c *callee) Run(t *testing.T, ...)` in a plain .go file)
    sf = SourceFile.load("x.go", TEST)
    assert [a.exit_after_failure(sf, x) for x in _exits(sf)] == [True, True, False, False, False]
    helper = SourceFile.load("x.go", TEST.replace(b"t *testing.T", b"t testing.TB"))
    assert [a.exit_after_failure(helper, x) for x in _exits(helper)] == [True, True, False, False, False]


def test_outside_test_files_nothing_else_is_a_test_failure():
    # the same calls on a `t` that is no testing.T, in a plain .go file: not test code
    sf = SourceFile.load("x.go", TEST.replace(b"t *testing.T", b"t *Tracer"))
    assert not any(a.exit_after_failure(sf, x) for x in _exits(sf))
    assert not a.fails_test(sf, sf.root)


def test_always_fails_counts_only_calls_at_the_top_of_the_block():
    sf = SourceFile.load("x_test.go", TEST)
    ifs = [n for n in a.of_type(sf.root, "if_statement") if n.parent.type == "statement_list"
           and n.parent.parent.parent.type == "for_statement"]
    blocks = [a.statements(i.child_by_field_name("consequence")) for i in ifs]
    assert [a.always_fails(sf, b) for b in blocks] == [True, False, False, False]
    assert a.fails_test(sf, ifs[3])  # somewhere inside, under an if


def test_stops_test_is_a_failure_that_ends_the_goroutine():
    sf = SourceFile.load("x_test.go", b"""package p

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestX(t *testing.T, err error) {
	t.Fatal(err)
	t.Fatalf("%v", err)
	t.FailNow()
	require.NoError(t, err)
	t.Fail()
	t.Errorf("%v", err)
	assert.NoError(t, err)
	log(err)
}

func log(error) {}
""")
    stmts = list(a.of_type(next(a.of_type(sf.root, "function_declaration")), "expression_statement"))
    # Fatal, Fatalf, FailNow and require's functions end the goroutine; Fail, Errorf and
    # assert's functions go on
    assert [a.stops_test(sf, s) for s in stmts] == [True, True, True, True, False, False, False, False]
    plain = SourceFile.load("x.go", sf.data.replace(b"t *testing.T, ", b""))
    assert not any(a.stops_test(plain, s) for s in a.of_type(plain.root, "expression_statement"))

"""client-not-closed on the real makers' import paths (the golden cases cannot import gRPC,
etcd or sarama: they run offline; the rule reads only the syntax): which makers, what
borrows a client, which drops are reported, how the fix is graded."""

from __future__ import annotations

from pathlib import Path

import pytest

from gofixleaks import config as config_mod, engine
from gofixleaks.discover import discover

from .conftest import write_module

RULE = "client-not-closed"

GRPC = '"google.golang.org/grpc"'
PB = 'pb "example.com/api"'


def _run(tmp_path: Path, imports: list[str], body: str, name: str = "x.go", extra: dict | None = None):
    src = "package p\n\nimport (\n" + "".join(f"\t{i}\n" for i in imports) + ")\n\n" + body
    root = write_module(tmp_path / "m", {name: src})
    if extra:
        (root / ".gofixleaks.toml").write_text("".join(f'{k} = "{v}"\n' for k, v in extra.items()))
    cfg = config_mod.load((str(root),), select=(RULE,), jobs=1, use_cache=False, unsafe_fixes=True)
    results = list(engine.run(discover((str(root),)), cfg, want_fixes=True))
    assert not [r.error for r in results if r.error]
    return results


def _findings(results):
    return [f for r in results for f in r.findings]


def _fixed(results) -> str:
    return next(r.fixed for r in results if r.changed).decode()


DAPR = """\
type client struct {
	conn   *grpc.ClientConn
	stream pb.Placement_ReportClient
}

func (c *client) connect(addr string) error {
	conn, err := grpc.Dial(addr)
	if err != nil {
		if conn != nil {
			conn.Close()
		}
		return err
	}
	stream, err := pb.NewPlacementClient(conn).Report(context.Background())
	if err != nil {
		return err
	}
	c.conn, c.stream = conn, stream
	return nil
}
"""


def test_a_dial_stored_on_success_and_dropped_on_a_later_error_is_closed_there(tmp_path):
    results = _run(tmp_path, ['"context"', GRPC, PB], DAPR)
    [f] = _findings(results)
    assert f.line == 15 and "conn from grpc.Dial is kept on one path" in f.message
    assert f.fixes[0].applicability == "safe"
    assert "\t\tconn.Close()\n\t\treturn err\n\t}\n\tc.conn, c.stream" in _fixed(results)


ETCD = """\
func register(c *clientv3.Client, prefix string) (*concurrency.Session, error) {
	ss, err := concurrency.NewSession(c, concurrency.WithTTL(5))
	if err != nil {
		return nil, err
	}
	em, err := endpoints.NewManager(c, prefix)
	if err != nil {
		return nil, err
	}
	if err = em.AddEndpoint(c.Ctx(), prefix, endpoints.Endpoint{}, clientv3.WithLease(ss.Lease())); err != nil {
		return nil, err
	}
	return ss, nil
}
"""


@pytest.mark.parametrize("client, session", [
    ('"go.etcd.io/etcd/client/v3"', '"go.etcd.io/etcd/client/v3/concurrency"'),
    ('clientv3 "go.etcd.io/etcd/clientv3"', 'conc "go.etcd.io/etcd/clientv3/concurrency"'),
])
def test_an_etcd_session_returned_on_success_is_closed_on_each_error_return(tmp_path, client, session):
    body = ETCD.replace("concurrency.", "conc.") if session.startswith("conc ") else ETCD
    results = _run(tmp_path, [client, session, '"go.etcd.io/etcd/client/v3/naming/endpoints"'], body)
    [f] = _findings(results)
    assert "ss from" in f.message and "NewSession" in f.message and f.fixes[0].applicability == "safe"
    assert _fixed(results).count("\t\tss.Close()\n\t\treturn nil, err\n") == 2


def test_an_etcd_client_and_a_sarama_client_are_makers(tmp_path):
    body = """\
func open(eps []string, check func() error) (*clientv3.Client, error) {
	cli, err := clientv3.New(clientv3.Config{Endpoints: eps})
	if err != nil {
		return nil, err
	}
	if _, err := clientv3.NewKV(cli).Get(context.Background(), "k"); err != nil {
		return nil, err
	}
	return cli, nil
}

type target struct {
	client   sarama.Client
	producer sarama.SyncProducer
}

func (t *target) init(brokers []string) error {
	client, err := sarama.NewClient(brokers, sarama.NewConfig())
	if err != nil {
		return err
	}
	producer, err := sarama.NewSyncProducerFromClient(client)
	if err != nil {
		return err
	}
	t.client, t.producer = client, producer
	return nil
}
"""
    results = _run(tmp_path, ['"context"', '"github.com/IBM/sarama"', 'clientv3 "go.etcd.io/etcd/client/v3"'], body)
    assert sorted((f.line, f.message.split(" is kept")[0]) for f in _findings(results)) == [
        (10, "cli from clientv3.New"), (26, "client from sarama.NewClient")]
    out = _fixed(results)
    assert "\t\tcli.Close()\n\t\treturn nil, err\n" in out and "\t\tclient.Close()\n\t\treturn err\n" in out


def test_a_watcher_a_nats_connection_and_an_amqp_connection_are_makers(tmp_path):
    """fsnotify's watcher, nats.go's connection and amqp091's connection own goroutines
    until Close (the syntax is read only: the modules need not be there)."""
    body = """\
func watch(dirs []string) (*fsnotify.Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	for _, d := range dirs {
		if err := w.Add(d); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func subscribe(url string) (*nats.Conn, error) {
	nc, err := nats.Connect(url)
	if err != nil {
		return nil, err
	}
	if _, err := nc.Subscribe("x", nil); err != nil {
		return nil, err
	}
	return nc, nil
}

func channel(url string) (*amqp.Connection, *amqp.Channel, error) {
	conn, err := amqp.Dial(url)
	if err != nil {
		return nil, nil, err
	}
	ch, err := conn.Channel()
	if err != nil {
		return nil, nil, err
	}
	return conn, ch, nil
}
"""
    results = _run(tmp_path, ['"github.com/fsnotify/fsnotify"', '"github.com/nats-io/nats.go"',
                              'amqp "github.com/rabbitmq/amqp091-go"'], body)
    assert sorted((f.line, f.message.split(" is kept")[0]) for f in _findings(results)) == [
        (10, "w from fsnotify.NewWatcher"), (23, "nc from nats.Connect"), (34, "conn from amqp.Dial")]
    out = _fixed(results)
    for fixed in ("\t\t\tw.Close()\n\t\t\treturn nil, err\n", "\t\tnc.Close()\n\t\treturn nil, err\n",
                  "\t\tconn.Close()\n\t\treturn nil, nil, err\n"):
        assert out.count(fixed) == 1, out


@pytest.mark.parametrize("body", [
    # never kept: only the stub leaves (a conn nobody can close is another question)
    """\
func stub(addr string) (pb.APIClient, error) {
	conn, err := grpc.NewClient(addr)
	if err != nil {
		return nil, err
	}
	if addr == "" {
		return nil, errors.New("no address")
	}
	return pb.NewAPIClient(conn), nil
}
""",
    # closed on every path
    """\
func ping(addr string) error {
	conn, err := grpc.NewClient(addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = pb.NewAPIClient(conn).Ping(context.Background(), nil)
	return err
}
""",
    # a call of two arguments is no stub: it may take the conn over
    """\
func wrap(addr string) (*pool, error) {
	conn, err := grpc.NewClient(addr)
	if err != nil {
		return nil, err
	}
	p := pb.NewPoolClient(conn, 4)
	if err := p.Check(); err != nil {
		return nil, err
	}
	return &pool{conn: conn, p: p}, nil
}
""",
    # a field's owner closes it
    """\
func (s *server) dial(addr string) error {
	var err error
	s.conn, err = grpc.NewClient(addr)
	if err != nil {
		return err
	}
	if addr == "" {
		return errors.New("no address")
	}
	return nil
}
""",
])
def test_not_reported(tmp_path, body):
    assert _findings(_run(tmp_path, ['"context"', '"errors"', GRPC, PB], body)) == []


KEPT_THEN_FAILS = """\
func dial(addr string) (*grpc.ClientConn, error) {
	conn, err := grpc.NewClient(addr)
	if err != nil {
		return nil, err
	}
	if err := check(addr); err != nil {
		return nil, err
	}
	return conn, nil
}
"""


def test_test_code_is_not_reported(tmp_path):
    assert _findings(_run(tmp_path, [GRPC], KEPT_THEN_FAILS, name="x_test.go")) == []
    body = KEPT_THEN_FAILS.replace("func dial(addr string)", "func dial(t *testing.T, addr string)")
    assert _findings(_run(tmp_path / "t", ['"testing"', GRPC], body)) == []


def test_a_drop_on_a_path_that_reports_no_error_is_a_review_fix(tmp_path):
    body = KEPT_THEN_FAILS.replace("\t\treturn nil, err\n\t}\n\treturn conn", "\t\treturn nil, nil\n\t}\n\treturn conn")
    [f] = _findings(_run(tmp_path, [GRPC], body))
    assert f.fixes[0].applicability == "review"


def test_a_goroutine_using_the_client_gets_no_fix(tmp_path):
    body = KEPT_THEN_FAILS.replace("\tif err := check", "\tgo watch(conn.Target())\n\tgo func() { conn.Connect() }()\n\tif err := check")
    [f] = _findings(_run(tmp_path, [GRPC], body))
    assert not f.fixes and "goroutine" in f.notes[0]


def test_configured_makers_name_their_closer(tmp_path):
    body = """\
func open(addr string) (*queue.Q, error) {
	q, err := queue.Open(addr)
	if err != nil {
		return nil, err
	}
	if err := q.Ping(); err != nil {
		return nil, err
	}
	return q, nil
}
"""
    assert _findings(_run(tmp_path, ['"example.com/queue"'], body)) == []
    results = _run(tmp_path / "c", ['"example.com/queue"'], body, extra={"client-makers": "example.com/other.New, example.com/queue.Open:Stop"})
    [f] = _findings(results)
    assert "without q.Stop()" in f.message
    assert "\t\tq.Stop()\n\t\treturn nil, err\n" in _fixed(results)


# The package's own makers (model/owners.py): a loop started on the value a function returns,
# ended by what the type's stop method fires.
OWNER = """\
type meter struct {
	exit   chan struct{}
	closed bool
	ctx    context.Context
	cancel context.CancelFunc
}

func newMeter() (*meter, error) {
	m := &meter{exit: make(chan struct{})}
	go m.loop()
	return m, nil
}

func (m *meter) loop() {
	for {
		select {
		case <-m.exit:
			return
		case <-time.After(time.Second):
		}
	}
}

func (m *meter) Close() error {
	close(m.exit)
	return nil
}

type holder struct{ m *meter }

func keep(h *holder, ok bool) error {
	m, err := newMeter()
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("not ok")
	}
	h.m = m
	return nil
}
"""
OWNER_IMPORTS = ['"context"', '"errors"', '"time"']


def test_a_package_maker_whose_loop_its_close_ends_is_a_maker(tmp_path):
    results = _run(tmp_path, OWNER_IMPORTS, OWNER)
    [f] = _findings(results)
    assert "m from newMeter" in f.message and "meter.loop goroutine runs until meter.Close" in f.message
    assert f.fixes[0].applicability == "safe"
    assert "\t\tm.Close()\n\t\treturn errors.New" in _fixed(results)


@pytest.mark.parametrize("change", [
    # Close fires nothing the loop waits on
    ("\tclose(m.exit)\n", "\tm.closed = true\n"),
    # the loop also leaves on its own: it is not the stop method's alone to end it
    ("\t\tcase <-time.After(time.Second):\n", "\t\tcase <-time.After(time.Second):\n\t\t\treturn\n"),
    # an endless loop nothing ends: no stop method stops it
    ("\t\tcase <-m.exit:\n\t\t\treturn\n", "\t\tcase <-m.exit:\n"),
    # started elsewhere than on the value returned
    ("\tgo m.loop()\n", "\tgo other.loop()\n"),
    # the stop method has another name
    ("func (m *meter) Close() error", "func (m *meter) Release() error"),
])
def test_not_a_maker(tmp_path, change):
    body = OWNER.replace(*change)
    assert body != OWNER
    assert _findings(_run(tmp_path, OWNER_IMPORTS, body.replace("other.loop", "(&meter{}).loop"))) == []


def test_a_flag_a_context_and_a_condition_loop_are_signals(tmp_path):
    flag = OWNER.replace("\t\tselect {\n\t\tcase <-m.exit:\n\t\t\treturn\n\t\tcase <-time.After(time.Second):\n\t\t}\n",
                         "\t\tif m.isClosed() {\n\t\t\treturn\n\t\t}\n\t\ttime.Sleep(time.Second)\n")
    flag = flag.replace("\tclose(m.exit)\n", "\tm.closed = true\n") + "\nfunc (m *meter) isClosed() bool { return m.closed }\n"
    ctx = OWNER.replace("<-m.exit", "<-m.ctx.Done()").replace("\tclose(m.exit)\n", "\tm.cancel()\n")
    cond = OWNER.replace("\tfor {\n\t\tselect {\n\t\tcase <-m.exit:\n\t\t\treturn\n\t\tcase <-time.After(time.Second):\n\t\t}\n\t}\n",
                         "\tfor !m.closed {\n\t\ttime.Sleep(time.Second)\n\t}\n").replace("\tclose(m.exit)\n", "\tm.closed = true\n")
    for i, body in enumerate((flag, ctx, cond)):
        assert body.count("m.exit") < OWNER.count("m.exit") or "Done" in body
        [f] = _findings(_run(tmp_path / str(i), OWNER_IMPORTS, body))
        assert f.fixes


def test_a_value_holding_an_owner_in_a_field_owns_it_when_its_stop_method_stops_the_field(tmp_path):
    wrapper = OWNER.replace("type holder struct{ m *meter }", """\
type pool struct{ m *meter }

func newPool() *pool { return &pool{m: mustMeter()} }

func mustMeter() *meter { m, _ := newMeter(); return m }

func (p *pool) Close() error { return p.m.Close() }

type client struct{ *pool }

func newClient() *client { return &client{pool: newPool()} }

type holder struct{ c *client }""")
    use = """
func connect(h *holder, ok bool) error {
	c := newClient()
	if !ok {
		return errors.New("not ok")
	}
	h.c = c
	return nil
}
"""
    # mustMeter returns the meter it got, but not from a composite: not followed
    assert [f.message.split(" is kept")[0] for f in _findings(_run(tmp_path, OWNER_IMPORTS, wrapper + use))] == ["m from newMeter"]
    direct = wrapper.replace("&pool{m: mustMeter()}", "&pool{m: newMeterOnly()}") + use + """
func newMeterOnly() *meter {
	m := &meter{exit: make(chan struct{})}
	go m.loop()
	return m
}
"""
    found = [f.message for f in _findings(_run(tmp_path / "d", OWNER_IMPORTS, direct))]
    assert any(m.startswith("c from newClient") and "meter.loop goroutine runs until client.Close" in m for m in found)
    # a Close of its own that does not close the field: the embedded one is not promoted
    own = direct.replace("type client struct{ *pool }", "type client struct{ *pool }\n\nfunc (c *client) Close() error { return nil }")
    assert not any(f.message.startswith("c from") for f in _findings(_run(tmp_path / "o", OWNER_IMPORTS, own)))


def test_a_maker_declared_twice_or_in_a_test_file_is_not_a_maker(tmp_path):
    root = write_module(tmp_path / "m", {
        "a.go": "package p\n\nimport (\n\t\"context\"\n\t\"errors\"\n\t\"time\"\n)\n\n" + OWNER,
        "b.go": "package p\n\nfunc newMeter() (*meter, error) { return nil, nil }\n",
    })
    (root / "b.go").rename(root / "b_linux.go")
    cfg = config_mod.load((str(root),), select=(RULE,), jobs=1, use_cache=False)
    assert [f for r in engine.run(discover((str(root),)), cfg, want_fixes=False) for f in r.findings] == []


def test_a_maker_of_an_imported_package_of_the_module_is_a_maker(tmp_path):
    meter = "package meter\n\nimport \"time\"\n\n" + OWNER.split("type holder")[0].replace("newMeter", "New").replace(
        "\tctx    context.Context\n\tcancel context.CancelFunc\n", "") + "\nfunc (m *meter) Every() *meter { return m }\n"
    app = """\
package app

import (
	"errors"

	"example.com/m/meter"
)

type holder struct{ m interface{ Close() error } }

func keep(h *holder, ok bool) error {
	m, err := meter.New()
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("not ok")
	}
	h.m = m
	return nil
}

func chained(h *holder, ok bool) error {
	m, _ := meter.New()
	w := m.Every()
	if !ok {
		return errors.New("not ok")
	}
	h.m = w
	return nil
}
"""
    root = write_module(tmp_path / "m", {"meter/meter.go": meter, "app/app.go": app})
    cfg = config_mod.load((str(root),), select=(RULE,), jobs=1, use_cache=False, unsafe_fixes=True)
    results = list(engine.run(discover((str(root),)), cfg, want_fixes=True))
    found = [f for r in results for f in r.findings]
    assert [f.message.split(" is kept")[0] for f in found] == ["m from meter.New"]
    assert "\t\tm.Close()\n\t\treturn errors.New" in _fixed(results)

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

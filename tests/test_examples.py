"""Every runnable example in the guide works: what a reader copies from a page runs.

The examples are files under ``docs/examples/``, shown on the pages with
``--8<-- "topic/file"`` (pymdownx.snippets; a missing file fails the build).
Here each one is checked as its kind allows: Python modules import (Flask
apps build their app, ``gunicorn.conf.py`` files load into Gunicorn's own
settings, which validate every value), YAML parses (Prometheus rule files
have the fields Prometheus requires), k6 scripts are valid JavaScript
modules, shell scripts parse, nginx configurations balance.
"""

from __future__ import annotations

import re
import runpy
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
FILES = sorted(p for p in EXAMPLES.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
INCLUDE = re.compile(r'^\s*--8<--\s+"([^"]+)"\s*$', re.M)
KNOWN = {".py", ".yml", ".yaml", ".js", ".sh", ".conf", ".toml", ".ini", ".sql", ".txt"}
KNOWN_NAMES = {"Dockerfile"}


def _ids(paths):
    return [str(p.relative_to(EXAMPLES)) for p in paths]


def _of(*suffixes):
    return [p for p in FILES if p.suffix in suffixes]


def _included() -> dict[str, list[str]]:
    shown: dict[str, list[str]] = {}
    for page in sorted(DOCS.glob("*.md")):
        for name in INCLUDE.findall(page.read_text(encoding="utf-8")):
            shown.setdefault(name, []).append(page.name)
    return shown


def test_every_example_is_shown_on_a_page_and_every_include_exists():
    shown = _included()
    assert not [name for name in _ids(FILES) if name not in shown], "examples no page shows"
    assert not [name for name in shown if not (EXAMPLES / name).is_file()], "includes of missing files"


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_every_example_is_of_a_kind_we_can_check(path):
    assert path.suffix in KNOWN or path.name in KNOWN_NAMES, f"{path.name}: add a check for {path.suffix} files first"
    assert path.read_text(encoding="utf-8").strip(), f"{path.name} is empty"


def _load_gunicorn_config(path: Path):
    """As Gunicorn does for ``-c path``: run the file, then set each known setting (each validates its value)."""
    from gunicorn.config import Config

    config = Config()
    namespace = runpy.run_path(str(path), run_name="__config__")
    used = 0
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)
            used += 1
    assert used, f"{path.name} sets no Gunicorn setting"
    return config


@pytest.mark.parametrize("path", _of(".py"), ids=_ids(_of(".py")))
def test_python_examples_import_and_load(path, monkeypatch, tmp_path):
    source = path.read_text(encoding="utf-8")
    compile(source, str(path), "exec")
    monkeypatch.chdir(tmp_path)  # an example that writes a file writes it here
    monkeypatch.syspath_prepend(str(path.parent))  # an example may import its neighbour
    for name in [m for m in sys.modules if (getattr(sys.modules[m], "__file__", "") or "").startswith(str(EXAMPLES))]:
        monkeypatch.delitem(sys.modules, name)
    if path.name.endswith("gunicorn.conf.py"):
        config = _load_gunicorn_config(path)
        assert config.workers >= 1 and config.timeout >= 0
        return
    namespace = runpy.run_path(str(path), run_name=f"example_{path.stem}")
    if "Flask(" in source or "create_app" in namespace:
        from flask import Flask

        app = namespace.get("app") or namespace["create_app"]()
        assert isinstance(app, Flask), f"{path.name}: a Flask example defines app or create_app()"
        assert [r for r in app.url_map.iter_rules() if r.endpoint != "static"], f"{path.name} has no route"


def _check_prometheus_rules(document, name):
    assert isinstance(document.get("groups"), list) and document["groups"], f"{name}: no rule groups"
    for group in document["groups"]:
        assert group.get("name") and group.get("rules"), f"{name}: a group needs a name and rules"
        for rule in group["rules"]:
            kinds = [k for k in ("record", "alert") if k in rule]
            assert len(kinds) == 1, f"{name}: each rule is a record or an alert: {rule}"
            expr = rule.get("expr")
            assert isinstance(expr, str) and expr.strip(), f"{name}: {rule[kinds[0]]} has no expr"
            assert expr.count("(") == expr.count(")") and expr.count("[") == expr.count("]"), expr
            assert set(rule) <= {"record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"}, rule


@pytest.mark.parametrize("path", _of(".yml", ".yaml"), ids=_ids(_of(".yml", ".yaml")))
def test_yaml_examples_parse(path):
    documents = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
    assert documents, path.name
    for document in documents:
        if isinstance(document, dict) and "groups" in document:
            _check_prometheus_rules(document, path.name)


@pytest.mark.parametrize("path", _of(".toml"), ids=_ids(_of(".toml")))
def test_toml_examples_parse(path):
    assert tomllib.loads(path.read_text(encoding="utf-8"))


# Every option uWSGI 2.0.31 knows with its python plugin, taken from its source (the file says how).
UWSGI_OPTIONS = {line for line in (ROOT / "tests" / "fixtures" / "uwsgi" / "options-2.0.31.txt")
                 .read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")}


def _uwsgi_ini_problems(text: str) -> list[str]:
    """What uWSGI 2.0's ini reader (core/ini.c) would misread or, with ``strict``, refuse.

    It takes whole-line comments only (``;`` or ``#`` first), so a comment after a
    value becomes part of the value; every other line of the section is ``key = value``.
    """
    import configparser

    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=(";", "#"), inline_comment_prefixes=None,
                                       delimiters=("=",), strict=True)
    parser.read_string(text)
    if not parser.has_section("uwsgi"):
        return ["no [uwsgi] section"]
    problems = [f"unknown option {key}" for key in parser["uwsgi"] if key not in UWSGI_OPTIONS]
    problems += [f"{key}: a comment after the value is read as the value" for key, value in parser["uwsgi"].items()
                 if ";" in value or " #" in value]
    return problems


@pytest.mark.parametrize("path", _of(".ini"), ids=_ids(_of(".ini")))
def test_ini_examples_parse(path):
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(path.read_text(encoding="utf-8"))
    assert parser.sections(), path.name
    if parser.has_section("uwsgi"):
        assert _uwsgi_ini_problems(path.read_text(encoding="utf-8")) == []


def test_the_uwsgi_check_catches_what_it_claims():
    assert len(UWSGI_OPTIONS) > 800 and {"harakiri", "die-on-term", "module", "http-socket"} <= UWSGI_OPTIONS
    assert _uwsgi_ini_problems("[uwsgi]\nprocesses = 2\n") == []
    assert _uwsgi_ini_problems("[uwsgi]\nworkers-per-core = 2\n") == ["unknown option workers-per-core"]
    assert _uwsgi_ini_problems("[uwsgi]\nharakiri = 30 ; seconds\n") == [
        "harakiri: a comment after the value is read as the value"]


@pytest.mark.parametrize("path", [p for p in FILES if p.name == "Dockerfile"],
                         ids=_ids([p for p in FILES if p.name == "Dockerfile"]))
def test_dockerfiles_parse_and_run_gunicorn_safely(path):
    """BuildKit's parser (the ``dockerfile`` wheel) reads it; the image it builds does what the page says."""
    import dockerfile

    commands = dockerfile.parse_string(path.read_text(encoding="utf-8"))
    stages = [i for i, c in enumerate(commands) if c.cmd == "FROM"]
    assert len(stages) >= 2, "a build stage and a run stage"
    run_stage = commands[stages[-1]:]
    assert all(commands[i].value[0].endswith("-slim") for i in stages), "slim base images"
    assert any(c.cmd == "RUN" and "pip wheel" in c.value[0] for c in commands[:stages[-1]]), "wheels built first"
    users = [c.value[0] for c in run_stage if c.cmd == "USER"]
    assert users and users[-1] not in ("root", "0"), "the app runs unprivileged"
    cmd = [c for c in run_stage if c.cmd == "CMD"][-1]
    assert cmd.json, "exec-form CMD: Gunicorn is PID 1 and gets SIGTERM"
    assert cmd.value[0] == "gunicorn" and "/dev/shm" in cmd.value[cmd.value.index("--worker-tmp-dir") + 1]


def test_the_dockerfile_check_catches_a_shell_form_cmd():
    import dockerfile

    (cmd,) = dockerfile.parse_string("CMD gunicorn -c gunicorn.conf.py app:app\n")
    assert not cmd.json


def test_waitress_options_are_known_to_waitress():
    """waitress.adjustments.Adjustments refuses an unknown option and checks each value's type."""
    from waitress.adjustments import Adjustments

    options = runpy.run_path(str(EXAMPLES / "deployment" / "waitress_serve.py"), run_name="example")["WAITRESS_OPTIONS"]
    adjustments = Adjustments(**options)
    assert adjustments.threads == options["threads"] and adjustments.channel_timeout == 75
    with pytest.raises(ValueError, match="Unknown adjustment"):
        Adjustments(workers=4)


@pytest.mark.parametrize("path", _of(".js"), ids=_ids(_of(".js")))
def test_k6_scripts_are_valid_modules(path, tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make test installs it with the site's tools)")
    module = tmp_path / (path.stem + ".mjs")  # k6 scripts are ES modules
    module.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    done = subprocess.run([node, "--check", str(module)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "export default function" in module.read_text(encoding="utf-8") or "export const options" in \
        module.read_text(encoding="utf-8"), f"{path.name}: a k6 script exports its default function"


@pytest.mark.parametrize("path", _of(".sh"), ids=_ids(_of(".sh")))
def test_shell_examples_parse(path):
    done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _nginx_balanced(text: str) -> bool:
    depth = 0
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        depth += line.count("{") - line.count("}")
        if depth < 0:
            return False
        if not line.endswith(("{", "}", ";")):
            return False
    return depth == 0


@pytest.mark.parametrize("path", _of(".conf"), ids=_ids(_of(".conf")))
def test_nginx_configurations_balance(path):
    assert _nginx_balanced(path.read_text(encoding="utf-8")), f"{path.name}: every directive ends in ; and braces pair"


def test_the_nginx_check_catches_what_it_claims():
    assert _nginx_balanced("http {\n  server {\n    listen 80;\n  }\n}\n")
    assert not _nginx_balanced("server {\n  listen 80\n}\n")
    assert not _nginx_balanced("server {\n  listen 80;\n")


@pytest.mark.parametrize("path", _of(".sql"), ids=_ids(_of(".sql")))
def test_sql_examples_are_whole_statements(path):
    text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8")).strip()
    assert text.endswith(";") and text.count("(") == text.count(")"), path.name


def _silent_listener():
    """A TCP listener on 127.0.0.1 that accepts connections and never answers: a Redis that stopped replying."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return server, accepted


def test_the_caching_example_falls_back_after_one_short_timeout(monkeypatch):
    """An unreachable Redis costs each request one short timeout, then the view runs (caching page, error 1).

    redis-py's defaults wait 5 s per call (``redis/_defaults.py``), and a client built from a host retries a
    timeout 10 times; the example's client options must bound the wait and make exactly one attempt.
    """
    import logging

    server, accepted = _silent_listener()
    try:
        monkeypatch.setenv("CACHE_REDIS_URL", f"redis://127.0.0.1:{server.getsockname()[1]}/0")
        monkeypatch.syspath_prepend(str(EXAMPLES / "caching"))
        monkeypatch.delitem(sys.modules, "flask_caching_app", raising=False)
        logging.disable(logging.CRITICAL)  # Flask-Caching logs the failed call with its traceback
        import flask_caching_app as example

        app = example.create_app()
        client = app.extensions["cache"][example.cache]._write_client
        kwargs = client.connection_pool.connection_kwargs
        # redis-py leaves an unset timeout out of the pool's kwargs and uses its 5 s default
        assert kwargs.get("socket_timeout", 5) <= 0.5 and kwargs.get("socket_connect_timeout", 5) <= 0.5, kwargs
        response = app.test_client().get("/search?q=a")
        assert response.status_code == 200 and response.get_json()["results"] == ["result for 'a'"]
        assert len(accepted) == 1, f"{len(accepted)} connection attempts for one cache call: retries are on"
    finally:
        logging.disable(logging.NOTSET)
        server.close()
        sys.modules.pop("flask_caching_app", None)


@pytest.mark.parametrize("worker_class", ["sync", "gthread", "gevent"])
@pytest.mark.parametrize("io_wait_pct", ["0", "50", "70", "80", "97.5"])
def test_the_gunicorn_config_follows_the_calculators_rule(worker_class, io_wait_pct, monkeypatch):
    """wsgi/gunicorn.conf.py starts what the gunicorn calculator's start point says, per worker class (error 3)."""
    from perfcalc.workers import gunicorn_start

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    monkeypatch.setenv("GUNICORN_WORKER_CLASS", worker_class)
    monkeypatch.setenv("IO_WAIT_PCT", io_wait_pct)
    path = EXAMPLES / "wsgi" / "gunicorn.conf.py"
    config = _load_gunicorn_config(path)
    cpus = runpy.run_path(str(path))["cpus"]
    start = gunicorn_start(cpus, worker_class, float(io_wait_pct))
    assert config.workers == start.workers
    if worker_class == "gthread":
        assert config.threads == start.threads


def _session_example():
    return runpy.run_path(str(EXAMPLES / "security" / "server_session.py"), run_name="example_server_session")


def test_server_sessions_cost_one_read_per_request_and_a_write_only_on_change():
    """Flask-Session 0.8: open_session GETs on every request with the cookie; save_session SETs when
    ``session.modified or SESSION_REFRESH_EACH_REQUEST`` (flask_session/base.py, should_set_storage)."""
    import redis

    calls: list[str] = []
    store: dict = {}

    class InMemory(redis.Redis):  # Flask-Session insists on a redis.Redis; this one never connects
        def get(self, name):
            calls.append("GET")
            return store.get(name)

        def set(self, name, value, ex=None, **kwargs):
            calls.append("SET")
            store[name] = value

    example = _session_example()
    client = example["create_app"](InMemory()).test_client()
    client.post("/cart/1", base_url="https://localhost")
    assert calls == ["SET"]  # no cookie yet: nothing to read
    calls.clear()
    assert client.get("/cart", base_url="https://localhost").get_json() == {"cart": [1]}
    assert calls == ["GET"], "a request that changes nothing must not write the session back"
    calls.clear()
    client.post("/cart/2", base_url="https://localhost")
    assert calls == ["GET", "SET"]


def test_server_sessions_fail_fast_when_redis_stops_answering():
    """No fallback in Flask-Session: the request fails, so it must fail after a short timeout and one attempt."""
    import logging

    server, accepted = _silent_listener()
    try:
        example = _session_example()
        redis_client = example["redis_client"](f"redis://127.0.0.1:{server.getsockname()[1]}/1")
        kwargs = redis_client.connection_pool.connection_kwargs
        assert kwargs.get("socket_timeout", 5) <= 0.5 and kwargs.get("socket_connect_timeout", 5) <= 0.5
        client = example["create_app"](redis_client).test_client()
        client.set_cookie("session", "an-existing-session-id", domain="localhost")
        logging.disable(logging.CRITICAL)
        assert client.get("/cart", base_url="https://localhost").status_code == 500
        assert len(accepted) == 1
    finally:
        logging.disable(logging.NOTSET)
        server.close()

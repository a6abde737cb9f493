from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from broker_config.log_client import fetch_log, sign_log_request, verify_log_request
from tradewind.errors import TradewindError
from worker.log_server import LogServer

REL = "dag_id=d/run_id=r/task_id=t/attempt=1.log"


@pytest.fixture
def server(tmp_path: Path):
    (tmp_path / REL).parent.mkdir(parents=True)
    (tmp_path / REL).write_text("line one\nline two\n")
    (tmp_path.parent / "secret.txt").write_text("not a log")
    srv = LogServer(base_log_folder=str(tmp_path), secret_key="k1", host="127.0.0.1", port=0)
    srv.start()
    yield f"http://127.0.0.1:{srv.port}"
    srv.stop()


def test_a_signed_request_reads_the_log_and_can_follow_from_an_offset(server: str) -> None:
    chunk = fetch_log(server, REL, "k1")
    assert chunk.text == "line one\nline two\n"
    assert fetch_log(server, REL, "k1", offset=9).text == "line two\n"
    assert fetch_log(server, REL, "k1", offset=chunk.next_offset).text == ""


def test_an_unsigned_or_wrongly_signed_request_is_forbidden(server: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{server}/log?path={REL}")
    assert info.value.code == 403
    with pytest.raises(TradewindError, match="403"):
        fetch_log(server, REL, "another-key")


def test_a_token_is_bound_to_one_path_and_expires() -> None:
    token = sign_log_request("k1", REL)
    assert verify_log_request("k1", token, REL)
    assert not verify_log_request("k1", token, "dag_id=x/attempt=1.log")
    assert not verify_log_request("k1", token, REL, max_age=-1)


def test_a_path_outside_the_log_folder_is_not_served(server: str) -> None:
    with pytest.raises(TradewindError, match="404"):
        fetch_log(server, "../secret.txt", "k1")

"""Where the work runs, from the command line: --dask-address / NIANBAO_DASK_ADDRESS checked before Prefect starts."""
import os
import subprocess

import pytest

from flows.cluster import is_loopback, resolve_address
from core.errors import UserError
from tests.flows.flowkit import NIANBAO, ROOT


def nianbao(*argv, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NIANBAO_DASK"))}
    env.update(env_extra or {})
    return subprocess.run([*NIANBAO, *argv], cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=120)


def test_address_forms():
    assert resolve_address("127.0.0.1:8786") == "tcp://127.0.0.1:8786"
    assert resolve_address("tcp://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    with pytest.raises(UserError):
        resolve_address("tcp://no-port")


def test_the_environment_gives_the_address(monkeypatch):
    monkeypatch.setenv("NIANBAO_DASK_ADDRESS", "tcp://127.0.0.1:9999")
    assert resolve_address(None) == "tcp://127.0.0.1:9999"
    monkeypatch.delenv("NIANBAO_DASK_ADDRESS")
    assert resolve_address(None) is None  # a local cluster


def test_loopback():
    assert is_loopback("tcp://127.0.0.1:1") and is_loopback("tcp://localhost:1")
    assert not is_loopback("tcp://192.0.2.7:1") and not is_loopback("tcp://machine0:8786")


def test_a_malformed_address_is_one_line_and_exit_2(tmp_path):
    out = nianbao("run", "--data-dir", str(tmp_path), "--dask-address", "nonsense")
    assert out.returncode == 2
    assert out.stderr.strip() == "nianbao: Dask scheduler address must be tcp://HOST:PORT, got 'nonsense'"


def test_a_remote_cluster_without_a_prefect_server_is_refused_before_anything_runs(tmp_path):
    out = nianbao("backfill", "--data-dir", str(tmp_path), env_extra={"NIANBAO_DASK_ADDRESS": "tcp://192.0.2.7:8786"})
    assert out.returncode == 2
    assert "PREFECT_API_URL" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "runs").exists()

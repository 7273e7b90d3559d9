"""Start-up guards: the CLI's lazy imports and its process settings (no timing here; see benchmarks/bench_startup.py)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest

from baiqiang.cli import configure_process
from baiqiang.cli.common import DEFAULT_STORE

#: Libraries that `baiqiang --help` must not load (each costs 0.05-0.5 s of start-up).  Not pydantic:
#: Typer itself imports it to parse a command's parameters.
HEAVY = ("pandas", "numpy", "scipy", "duckdb", "cn2an", "pyarrow", "openpyxl", "jinja2", "altair", "baiqiang.framework")


def child(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter; its last stdout line is JSON."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env=env if env is not None else dict(os.environ), timeout=120)


def loaded_after(code: str, modules: tuple[str, ...] = HEAVY) -> list[str]:
    out = child(code + f"\nimport json, sys; print(json.dumps(sorted(m for m in {modules!r} if m in sys.modules)))")
    return json.loads(out.stdout.splitlines()[-1])


def test_importing_the_cli_loads_no_heavy_library():
    assert loaded_after("import baiqiang.cli.main") == []


def test_help_of_the_cli_and_of_each_group_loads_no_heavy_library():
    for args in (["--help"], ["build", "--help"], ["import", "--help"], ["store", "--help"], ["extract", "--help"],
                 ["uncertainty", "--help"], ["demo", "--help"], ["--version"]):
        code = f"import sys; sys.argv = ['baiqiang', *{args!r}]\nfrom baiqiang.cli import run\ntry:\n    run()\nexcept SystemExit:\n    pass"
        assert loaded_after(code) == [], args


def test_a_command_still_loads_what_it_needs():
    # The guards above would also pass if the commands imported nothing: a real command loads the framework.
    code = ("import sys; sys.argv = ['baiqiang', 'framework', 'check', 'examples/asem/v1_default.yaml']\n"
            "from baiqiang.cli import run\ntry:\n    run()\nexcept SystemExit as e:\n    assert e.code in (0, None), e.code")
    assert "baiqiang.framework" in loaded_after(code)


def test_the_db_default_is_the_store_default():
    from baiqiang.data.store import DEFAULT_PATH

    assert DEFAULT_STORE == DEFAULT_PATH


def test_openblas_gets_one_thread_unless_the_user_chose():
    env: dict[str, str] = {}
    assert "OPENBLAS_NUM_THREADS=1" in configure_process(env)
    assert env["OPENBLAS_NUM_THREADS"] == "1"
    env = {"OPENBLAS_NUM_THREADS": "4"}
    assert "OPENBLAS_NUM_THREADS=1" not in configure_process(env)
    assert env["OPENBLAS_NUM_THREADS"] == "4"


def test_the_script_sets_the_variable_before_numpy_loads():
    code = ("import sys, os; sys.argv = ['baiqiang', '--version']\nfrom baiqiang.cli import run\ntry:\n    run()\n"
            "except SystemExit:\n    pass\nimport json; print(json.dumps([os.environ.get('OPENBLAS_NUM_THREADS'), 'numpy' in sys.modules]))")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert json.loads(child(code, env).stdout.splitlines()[-1]) == ["1", False]
    assert json.loads(child(code, env | {"OPENBLAS_NUM_THREADS": "3"}).stdout.splitlines()[-1]) == ["3", False]


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_malloc_thresholds_on_glibc_unless_set_by_the_user():
    applied = configure_process({"OPENBLAS_NUM_THREADS": "1"})
    assert applied == ["mallopt(MMAP_THRESHOLD)", "mallopt(TRIM_THRESHOLD)"]
    assert configure_process({"OPENBLAS_NUM_THREADS": "1", "MALLOC_TRIM_THRESHOLD_": "0"}) == ["mallopt(MMAP_THRESHOLD)"]


def test_the_command_table_names_every_command_of_its_module():
    # main.COMMAND_MODULES lets a run import only its command's module: it must name each
    # command and group where it is registered, or that command would vanish from the CLI.
    code = ("import baiqiang.cli.main as m, importlib, json\nfound = {}\n"
            "for module in dict.fromkeys(m.COMMAND_MODULES.values()):\n"
            "    before = len(m.app.registered_commands), len(m.app.registered_groups)\n"
            "    importlib.import_module(f'baiqiang.cli.{module}')\n"
            "    for info in m.app.registered_commands[before[0]:]:\n"
            "        found[info.name or info.callback.__name__.replace('_', '-')] = module\n"
            "    for info in m.app.registered_groups[before[1]:]:\n"
            "        found[info.name] = module\n"
            "print(json.dumps([found, m.COMMAND_MODULES]))")
    found, table = json.loads(child(code).stdout.splitlines()[-1])
    assert found == table


def test_a_build_imports_only_its_own_command_module():
    code = ("import sys; sys.argv = ['baiqiang', 'framework', 'check', 'examples/asem/v1_default.yaml']\n"
            "from baiqiang.cli import run\ntry:\n    run()\nexcept SystemExit as e:\n    assert e.code in (0, None), e.code")
    modules = ("baiqiang.cli.build", "baiqiang.cli.data", "baiqiang.cli.analysis", "baiqiang.cli.report", "baiqiang.cli.serve")
    assert loaded_after(code, modules) == ["baiqiang.cli.build"]


def test_a_build_from_a_csv_file_loads_no_pandas(tmp_path):
    # The whole-process target of `baiqiang build` (docs/performance.md) rests on this: pandas and
    # pyarrow alone took 0.3-0.5 s of it.  numpy.ma: np.unique and np.isin load it (35 ms).
    code = (f"import sys; sys.argv = ['baiqiang', 'build', 'examples/asem/v1_default.yaml', 'examples/asem/asem_data.csv', "
            f"'-o', {str(tmp_path / 'out')!r}]\n"
            "from baiqiang.cli import run\ntry:\n    run()\nexcept SystemExit as e:\n    assert e.code in (0, None), e.code")
    assert loaded_after(code, ("pandas", "pyarrow", "duckdb", "scipy", "openpyxl", "numpy.ma")) == []
    assert (tmp_path / "out" / "results.xlsx").exists()


def test_the_script_leaves_its_objects_to_the_process_end_not_a_last_collection():
    code = ("import sys, gc; sys.argv = ['baiqiang', '--version']\nfrom baiqiang.cli import run\n"
            "before = gc.get_freeze_count()\ntry:\n    run()\nexcept SystemExit:\n    pass\n"
            "print(before, gc.get_freeze_count() > before)")
    assert child(code, dict(os.environ)).stdout.splitlines()[-1] == "0 True"

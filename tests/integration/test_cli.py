"""The command line as a user runs it: ``python -m groupdesk …`` in a subprocess, on a temporary data folder.

Each subprocess costs about 0.3 s, so these tests are few and each checks several things; the table and
CSV formatting are also checked in-process below.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from groupdesk.cli_commands import LIST_KEYS, format_list_csv, format_list_table, list_items
from groupdesk.demo import demo_records, load_demo
from groupdesk.domain.rules import ALLOWED_ACTIONS

REPO = Path(__file__).resolve().parents[2]
N_DEMO = len(demo_records())


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_demo_twice_and_list_in_three_formats(run_cli) -> None:
    assert f"{N_DEMO} groups added" in ok(run_cli("demo"))
    assert "nothing added" in ok(run_cli("demo"))

    items = json.loads(ok(run_cli("list", "--format", "json")))
    assert len(items) == N_DEMO
    assert all(tuple(item) == LIST_KEYS for item in items)
    by_name = {i["name"]: i for i in items}
    html = by_name['<b>Growth</b> & "Hackers"']
    assert html["status"] == "invited" and "mass_invite" in html["flags"]
    assert all(i["recommendation"] for i in items)
    assert all(r["rule_id"] and r["sentence"] for i in items for r in i["reasons"])
    pydata = by_name["PyData Amsterdam"]
    assert pydata["value"] > 80 and pydata["my_last_contribution"] and pydata["url"].startswith("https://")

    rows = list(csv.DictReader(io.StringIO(ok(run_cli("list", "--format", "csv")))))
    assert len(rows) == N_DEMO and tuple(rows[0]) == LIST_KEYS
    assert {r["name"] for r in rows} == set(by_name)

    table = ok(run_cli("list")).splitlines()
    assert table[0].startswith("ID  Name")
    assert table[-1] == f"{N_DEMO} groups"
    assert len(table) == N_DEMO + 2


def test_export_import_export_gives_identical_files(run_cli, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    ok(run_cli("demo", data=a))
    for ext in ("json", "csv"):
        assert f"Exported {N_DEMO} groups" in ok(run_cli("export", str(tmp_path / f"1.{ext}"), data=a))

    dry = ok(run_cli("import", "--dry-run", str(tmp_path / "1.json"), data=b)).splitlines()
    assert dry[0] == f"{tmp_path / '1.json'}: groupdesk-json: new {N_DEMO}, updated 0, unchanged 0, skipped 0"
    assert "  PyData Amsterdam: new: 7 contributions, 1 decision" in dry
    assert dry[-1] == "Dry run: nothing was written."
    assert not (b / "groupdesk.db").exists()
    assert json.loads(ok(run_cli("list", "--format", "json", data=b))) == []

    out = ok(run_cli("import", str(tmp_path / "1.json"), str(tmp_path / "1.csv"), data=b)).splitlines()
    assert out == [
        f"{tmp_path / '1.json'}: groupdesk-json: new {N_DEMO}, updated 0, unchanged 0, skipped 0",
        f"{tmp_path / '1.csv'}: groupdesk-csv: new 0, updated 0, unchanged {N_DEMO}, skipped 0",
    ]
    for ext in ("json", "csv"):
        ok(run_cli("export", str(tmp_path / f"2.{ext}"), data=b))
        assert (tmp_path / f"2.{ext}").read_bytes() == (tmp_path / f"1.{ext}").read_bytes()


def test_bad_input_exits_2_with_one_line_and_writes_nothing(run_cli, tmp_path: Path) -> None:
    reddit, native_json, bad = (
        tmp_path / "subscribed_subreddits.csv",
        tmp_path / "g.json",
        tmp_path / "bad.csv",
    )
    reddit.write_text("subreddit\nselfhosted\nboardgames\n", encoding="utf-8")
    native_json.write_text(
        '{"format": "groupdesk", "version": 1, "groups": [{"name": "A"}]}', encoding="utf-8"
    )
    bad.write_text("name,network,spam_level\nFine,other,1\nSpammy,other,lots\n", encoding="utf-8")

    result = run_cli("import", str(reddit), str(native_json), str(bad))
    assert result.returncode == 2
    assert result.stderr == f"groupdesk: {bad}, line 3, column spam_level: 'lots' is not a whole number\n"
    assert result.stdout == ""

    result = run_cli("export", str(tmp_path / "out.txt"))
    assert (result.returncode, result.stderr.count("\n")) == (2, 1)
    assert ".json or .csv" in result.stderr and not (tmp_path / "out.txt").exists()

    result = run_cli("import", str(native_json), str(tmp_path / "missing.csv"))
    assert (result.returncode, result.stderr) == (
        2,
        f"groupdesk: {tmp_path / 'missing.csv'}: no such file or folder\n",
    )
    assert json.loads(ok(run_cli("list", "--format", "json"))) == []

    # A dry run against an existing store rolls everything back.
    assert "new 2" in ok(run_cli("import", "--dry-run", str(reddit), str(native_json)))
    assert json.loads(ok(run_cli("list", "--format", "json"))) == []

    # Other apps' exports go through the same importers as a drop on the window.
    lines = ok(run_cli("import", str(reddit), str(native_json))).splitlines()
    assert lines[0] == f"{reddit}: reddit: new 2, updated 0, unchanged 0, skipped 0"
    assert f"{native_json}: groupdesk-json: new 1, updated 0, unchanged 0, skipped 0" in lines


def test_data_dir_environment_variable_is_honoured(tmp_path: Path) -> None:
    env = dict(os.environ, GROUPDESK_DATA_DIR=str(tmp_path / "from-env"), QT_QPA_PLATFORM="offscreen")
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-m", "groupdesk"]
    demo = subprocess.run([*cmd, "demo"], capture_output=True, text=True, env=env, timeout=120)
    assert demo.returncode == 0, demo.stderr
    assert (tmp_path / "from-env" / "groupdesk.db").exists()
    # --data-dir wins over the environment.
    listed = subprocess.run(
        [*cmd, "--data-dir", str(tmp_path / "flag"), "list", "--format", "json"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert json.loads(listed.stdout) == []
    assert not (tmp_path / "from-env" / "flag").exists() and (tmp_path / "flag" / "groupdesk.db").exists()


# ---------------------------------------------------------------- in-process: formatting


def test_table_fits_the_terminal_and_escapes_control_characters(store) -> None:
    load_demo(date(2025, 3, 1))
    from groupdesk.store import repository

    repository.create_group({"name": "Evil\x1b[31m red\nname", "network": "other"})
    items = list_items(date(2025, 3, 1))
    for width in (160, 100, 72):
        lines = format_list_table(items, width).splitlines()
        assert max(len(line) for line in lines) <= width
        assert all("\x1b" not in line for line in lines)
        assert len(lines) == len(items) + 2
    wide = format_list_table(items, 200)
    assert "Evil [31m red name" in wide and "Last activity" in wide
    narrow = format_list_table(items, 72)
    assert "Last activity" not in narrow and "Advice" in narrow
    # Numbers are right-aligned: every non-empty Value cell ends in the header's last column.
    header, *rows, _total = wide.splitlines()
    end = header.index("Value") + len("Value")
    cells = [line[end - 5 : end] for line in rows]
    assert sum(1 for c in cells if c.strip()) > 30
    assert all(c[-1] != " " for c in cells if c.strip())


def test_list_csv_keeps_untrusted_text_as_data(store) -> None:
    from groupdesk.store import repository

    repository.create_group({"name": '=HYPERLINK("x"), "quoted"', "network": "forum", "tags": "a, b"})
    (row,) = list(csv.DictReader(io.StringIO(format_list_csv(list_items()))))
    assert row["name"] == '=HYPERLINK("x"), "quoted"' and row["tags"] == "a, b"
    assert row["recommendation"] in ALLOWED_ACTIONS
    assert row["id"].isdigit() and row["network"] == "forum"
    assert format_list_table([]).startswith("No groups yet.")

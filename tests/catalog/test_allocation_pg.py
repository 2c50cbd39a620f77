"""Two OS processes allocating 档号 numbers in the same class at once on PostgreSQL never get
the same number, and together they use 1…N without a gap."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from lantai.catalog import codes
from lantai.catalog.models import ArchivalCodeCounter, Category, Fonds

PER_PROCESS = 150

WORKER = textwrap.dedent(
    """
    import json, os, sys
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantai.settings")
    import django
    django.setup()
    from django.db import transaction
    from lantai.catalog import codes
    from lantai.catalog.models import ArchivalCodeRule

    rule = ArchivalCodeRule.objects.get(pk=int(sys.argv[1]))
    values = json.loads(sys.argv[2])
    print("ready", flush=True)
    sys.stdin.readline()  # wait until both processes are ready
    got = []
    for i in range(int(sys.argv[3])):
        with transaction.atomic():
            got.extend(codes.allocate(rule, values, count=1 + i % 2))
    print(json.dumps(got), flush=True)
    """
)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_processes_never_share_a_number(subprocess_env, agency):
    fonds = Fonds.objects.create(code="Z109", name="并发测试全宗", institution=agency)
    ws = Category.objects.get(code="WS")
    rule = codes.rule_for(fonds, ws)
    values = {
        "fonds_code": "Z109",
        "category_code": "WS",
        "year": 2011,
        "retention_code": "Y",
        "org_code": "BGS",
    }
    env = {**subprocess_env, "DJANGO_SETTINGS_MODULE": "lantai.settings"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(rule.pk), json.dumps(values), str(PER_PROCESS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    for proc in procs:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "ready", proc.stderr.read() if proc.stderr else ""
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, err = proc.communicate()
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    first, second = results
    # each process asked for 1 or 2 numbers alternately: 150 calls → 225 numbers
    expected_each = sum(1 + i % 2 for i in range(PER_PROCESS))
    assert len(first) == len(second) == expected_each
    assert not set(first) & set(second)
    assert sorted(first + second) == list(range(1, 2 * expected_each + 1))
    # both processes really interleaved: neither got one contiguous block
    assert first != list(range(first[0], first[0] + len(first))) or second != list(
        range(second[0], second[0] + len(second))
    )
    counter = ArchivalCodeCounter.objects.get(rule=rule, scope_key="Z109-WS·2011-Y-BGS-#")
    assert counter.last_number == 2 * expected_each

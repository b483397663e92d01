"""Mutation score for the money and security code, with cosmic-ray (a maintained mutation tool).

For each module below, cosmic-ray makes every mutant of the chosen operators (comparisons,
and/or, not, numbers, booleans, +/-, exception handlers, loops), applies each one to the file
on disk, runs the module's own tests, and records whether some test failed (killed) or all
passed (survived). The table printed at the end is killed/survived per module.

It edits files in place, so run it in a scratch worktree, never in a tree you are editing:

    git worktree add /tmp/mutants HEAD && cd /tmp/mutants
    python -m venv .venv && . .venv/bin/activate && pip install -e '.[dev,mutation]'
    python bench/mutants.py                   # every module (hours on 2 cores)
    python bench/mutants.py --module pkce     # one module
    python bench/mutants.py --report          # the table again, from the stored sessions

Not part of the normal test run (too slow). Sessions are kept in ``var/mutants/<name>.sqlite``
so an interrupted run continues where it stopped (``cosmic-ray exec`` skips finished mutants).
"""
from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "mutants"
#: Plugins the target tests never use are not loaded: schemathesis alone costs about two seconds of
#: start-up per mutant (it imports hypothesis and its GraphQL loaders).
UNUSED_PLUGINS = "-p no:schemathesis -p no:playwright -p no:base_url -p no:xdist"
#: ``bench.mutant_names`` defines the exception class cosmic-ray writes into handler mutants (see there).
PYTEST = (f"{shlex.quote(sys.executable)} -m pytest -x -q -p no:cacheprovider -p no:randomly {UNUSED_PLUGINS}"
          " -p bench.mutant_names")


@dataclass(frozen=True)
class Target:
    name: str
    module: str
    tests: tuple[str, ...]


TARGETS = (
    Target("wallets", "domain/money/wallets.py", ("tests/domain/test_wallets.py",)),
    Target("idempotency", "domain/requests/idempotency.py", ("tests/domain/test_idempotency.py",
                                                             "tests/api/test_idempotency.py")),
    Target("pricing", "domain/money/pricing.py", ("tests/domain/test_pricing.py",)),
    # the queued inserts every order's money rows go through (ledger entry, order, idempotency record)
    Target("core_rows", "domain/persistence/core_rows.py", ("tests/domain/test_core_rows.py",
                                                             "tests/api/test_statement_budget.py",
                                                             "tests/domain/test_wallets.py")),
    Target("pkce", "oauth/pkce.py", ("tests/oauth/test_pkce.py", "tests/oauth/test_refusals.py")),
    Target("tokens", "oauth/grants.py", ("tests/oauth/test_happy_path.py", "tests/oauth/test_grants.py",
                                         "tests/oauth/test_refusals.py", "tests/oauth/test_races.py",
                                         "tests/oauth/test_code_burn.py", "tests/oauth/test_pkce.py")),
    # store.py called directly first (no app start-up, each row it must and must not touch), then the races
    Target("token_store", "oauth/store.py", ("tests/oauth/test_store.py", "tests/oauth/test_races.py")),
    Target("bearer", "oauth/bearer.py", ("tests/oauth/test_bearer.py", "tests/oauth/test_refusals.py")),
    Target("scopes", "oauth/scopes.py", ("tests/tools/test_scope_matrix.py", "tests/oauth/test_refusals.py")),
    Target("ssrf_guard", "domain/adapters/http/netguard.py", ("tests/domain/test_netguard.py", "tests/domain/test_netfetch.py")),
    Target("stripe_signature", "domain/payments/stripe_webhooks.py", ("tests/domain/test_stripe_webhooks.py",
                                                                      "tests/api/test_stripe_checkout.py")),
    Target("provider_signature", "domain/adapters/webhook_signatures.py", ("tests/domain/test_webhook_signatures.py",)),
    Target("csrf", "server/web/csrf.py", ("tests/web/test_csrf.py", "tests/web/test_dashboard_access.py")),
)

#: Operators left out: the arithmetic swaps beyond + and - (x * y -> x ** y and the like) multiply
#: the mutant count without testing anything the kept operators do not already test.
EXCLUDED_OPERATORS = (
    r"core/ReplaceBinaryOperator_(?!Add_Sub|Sub_Add|Mul_Div|Div_Mul|FloorDiv_Mul).*",
    r"core/RemoveDecorator",
    r"core/VariableReplacer",
    r"core/VariableInserter",
)


def _config(target: Target) -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"{target.name}.toml"
    tests = " ".join(target.tests)
    excluded = ", ".join(json.dumps(op) for op in EXCLUDED_OPERATORS)
    path.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{target.module}"\n'
        "timeout = 300.0\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(f'{PYTEST} {tests}')}\n"
        '[cosmic-ray.distributor]\nname = "local"\n'
        f"[cosmic-ray.filters.operators-filter]\nexclude-operators = [{excluded}]\n"
    )
    return path


BIN = Path(sys.executable).parent


def _run(*argv: str) -> None:
    subprocess.run([str(BIN / argv[0]), *argv[1:]], cwd=ROOT, check=True)


def run(target: Target) -> None:
    config, session = _config(target), WORK / f"{target.name}.sqlite"
    if not session.exists():
        _run("cosmic-ray", "init", str(config), str(session))
        _run("cr-filter-operators", str(session), str(config))
    _run("cosmic-ray", "exec", str(config), str(session))
    subprocess.run(["git", "checkout", "--", target.module], cwd=ROOT, check=False)  # belt and braces


def outcomes(target: Target) -> tuple[int, int, int, int, list[str]]:
    """(killed, survived, pending, not made, survivor descriptions) from the stored session.

    A mutant cosmic-ray could not apply or run is neither killed nor survived: it is counted apart so it
    cannot pad the score. That is every worker outcome but ``normal`` (``no-test``, ``abnormal`` and
    ``exception``; cosmic-ray stores ``exception`` with the test outcome ``incompetent``, not None) and
    the test outcome ``incompetent`` (the test command could not be started).
    """
    session = WORK / f"{target.name}.sqlite"
    if not session.exists():
        return 0, 0, 0, 0, []
    dump = subprocess.run([str(BIN / "cosmic-ray"), "dump", str(session)], cwd=ROOT, check=True, capture_output=True, text=True)
    killed = survived = pending = not_made = 0
    survivors: list[str] = []
    for line in dump.stdout.splitlines():
        item, result = json.loads(line)
        if result is None:
            pending += 1
            continue
        if result.get("worker_outcome") == "skipped":
            continue
        if result.get("worker_outcome") != "normal" or result.get("test_outcome") not in ("killed", "survived"):
            not_made += 1
            continue
        if result.get("test_outcome") == "survived":
            survived += 1
            for m in item["mutations"]:
                survivors.append(f"{m['module_path']}:{m['start_pos'][0]} {m['operator_name']} #{m['occurrence']}")
        else:
            killed += 1
    return killed, survived, pending, not_made, survivors


def report(targets: tuple[Target, ...]) -> None:
    print("| module | mutants | killed | survived | pending | not made | score |")
    print("|---|---|---|---|---|---|---|")
    all_survivors: list[str] = []
    for target in targets:
        killed, survived, pending, not_made, survivors = outcomes(target)
        done = killed + survived
        score = f"{killed / done:.0%}" if done else "-"
        print(f"| {target.module} | {done + pending + not_made} | {killed} | {survived} | {pending} | {not_made} | {score} |")
        all_survivors += survivors
    if all_survivors:
        print("\nsurvivors:")
        print("\n".join(f"- {s}" for s in all_survivors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--module", action="append", choices=[t.name for t in TARGETS])
    parser.add_argument("--report", action="store_true", help="print the table from stored sessions only")
    args = parser.parse_args()
    targets = tuple(t for t in TARGETS if not args.module or t.name in args.module)
    if not args.report:
        for target in targets:
            run(target)
    report(targets)


if __name__ == "__main__":
    main()

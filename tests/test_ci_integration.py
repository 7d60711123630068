"""The CI integration files, exercised for real: ``.pre-commit-hooks.yaml`` and ``examples/ci/sdk.yml``.

- The hooks: the manifest is checked against pre-commit's schema (required keys, known keys and
  their types), each hook's ``entry`` is run the way pre-commit runs it (from the repository root,
  no file names) in a small generated project, and the ``files`` pattern is tried on paths the
  way pre-commit tries it (``re.search`` on the path from the repository root).
- The workflow: its ``run:`` scripts are executed as GitHub runs them (``bash --noprofile --norc
  -eo pipefail``, with ``$GITHUB_OUTPUT`` and ``$GITHUB_STEP_SUMMARY`` files) in a local git
  repository with a ``main`` branch, a pull-request branch and ``origin/main`` pointing at the
  base commit. ``${{ … }}`` expressions and ``if:`` conditions are evaluated from a small table
  below; an expression or a condition the table does not know fails the test, so the table keeps
  up with the workflow. Skipped: the ``uses:`` steps (actions run only on GitHub's runners: the
  local repository stands for the checkout, the interpreter running these tests for
  setup-python) and the steps in ``SKIPPED`` (they need a package index or GitHub's API).
- README's "In your CI" subsection shows the same steps and hook ids as the files.

No network, no global git configuration, nothing written outside tmp_path.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

HOOKS = ROOT / ".pre-commit-hooks.yaml"
WORKFLOW = ROOT / "examples" / "ci" / "sdk.yml"
README = ROOT / "README.md"
SMALL_SPEC = ROOT / "tests" / "specs" / "01_params_path.json"

SMALL_PYPROJECT = """\
[project]
name = "paths-consumer"
version = "0.0.0"

[tool.generator]
spec = "spec/openapi.json"
out = "generated"
package = "paths_sdk"
client = "Paths"
"""

# pre-commit 4's manifest schema (pre_commit/clientlib.py, MANIFEST_HOOK_DICT): required keys,
# then every optional one with its type.
REQUIRED_HOOK_KEYS: dict[str, type | tuple[type, ...]] = {"id": str, "name": str, "entry": str, "language": str}
OPTIONAL_HOOK_KEYS: dict[str, type | tuple[type, ...]] = {
    "alias": str,
    "files": str,
    "exclude": str,
    "types": list,
    "types_or": list,
    "exclude_types": list,
    "additional_dependencies": list,
    "args": list,
    "always_run": bool,
    "fail_fast": bool,
    "pass_filenames": bool,
    "description": str,
    "language_version": str,
    "log_file": str,
    "minimum_pre_commit_version": str,
    "require_serial": bool,
    "stages": list,
    "verbose": bool,
}
PRE_COMMIT_LANGUAGES = {
    "conda", "coursier", "dart", "docker", "docker_image", "dotnet", "fail", "golang", "haskell",
    "julia", "lua", "node", "perl", "pygrep", "python", "r", "ruby", "rust", "swift", "unsupported",
    "unsupported_script", "system", "script",
}  # fmt: skip

# Workflow steps not run here, by id, and why. (`uses:` steps are skipped too: see the docstring.)
SKIPPED = {
    "install": "pip needs a package index; the interpreter running these tests already has the generator",
    "comment": "gh pr comment posts through GitHub's API",
}


# --- helpers -----------------------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    """The environment of every subprocess: the test's interpreter first on PATH, git without config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GITHUB_", "PYTHON"))}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", os.defpath)])
    env["PYTHONPATH"] = str(ROOT)  # `python -m generator` from any folder, installed or not
    env |= {
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    return env | extra


def _run(argv: list[str], cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=_env(**extra), capture_output=True, text=True, timeout=120)


def _git(repo: Path, *args: str) -> str:
    done = _run(["git", *args], repo)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def _generate(project: Path) -> None:
    done = _run([sys.executable, "-m", "generator", "generate", "--quiet"], project)
    assert done.returncode == 0, done.stderr


def _edit_spec(project: Path, change: str) -> None:
    path = project / "spec" / "openapi.json"
    spec = json.loads(path.read_text(encoding="utf-8"))
    properties = spec["components"]["schemas"]["File"]["properties"]
    if change == "remove a response field":  # breaking: readers of File.size lose it
        del properties["size"]
    elif change == "add an optional response field":  # not breaking: a minor bump
        properties["checksum"] = {"type": "string"}
    else:
        raise AssertionError(change)
    path.write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def small_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pyproject.toml with [tool.generator], a spec from tests/specs/, the SDK generated from it."""
    project = tmp_path_factory.mktemp("small-project")
    (project / "pyproject.toml").write_text(SMALL_PYPROJECT, encoding="utf-8")
    (project / "spec").mkdir()
    shutil.copy(SMALL_SPEC, project / "spec" / "openapi.json")
    _generate(project)
    assert (project / "generated" / "paths_sdk" / "_client.py").is_file()
    return project


@pytest.fixture()
def project(small_project: Path, tmp_path: Path) -> Path:
    """A copy of the small project that a test may edit."""
    copy = tmp_path / "project"
    shutil.copytree(small_project, copy, symlinks=True)
    return copy


# --- .pre-commit-hooks.yaml ----------------------------------------------------------------------


def _hooks() -> list[dict[str, Any]]:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and hooks, "the manifest is a list of hooks"
    return hooks


def _hook(hook_id: str) -> dict[str, Any]:
    [hook] = [h for h in _hooks() if h["id"] == hook_id]
    return hook


def _console_script() -> tuple[str, str]:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    [(name, target)] = scripts.items()
    return name, target


def _hook_command(hook: Mapping[str, Any]) -> list[str]:
    """The hook's command as pre-commit builds it (entry, then args; no file names), runnable here.

    pre-commit installs this repository into the hook's environment, which puts the console
    script on PATH; here it may not be on PATH, so the script is replaced by what it runs.
    """
    script, _target = _console_script()
    words = shlex.split(hook["entry"])
    assert words[0] == script, f"{hook['id']}: the entry must start with the console script {script!r}"
    return [sys.executable, "-m", "generator", *words[1:], *hook.get("args", [])]


def test_the_manifest_follows_pre_commits_schema() -> None:
    hooks = _hooks()
    ids = [h.get("id") for h in hooks]
    assert len(set(ids)) == len(ids), ids
    assert "sdk-drift-check" in ids
    for hook in hooks:
        for key, required in REQUIRED_HOOK_KEYS.items():
            assert isinstance(hook.get(key), required) and hook[key], f"{hook.get('id')}: {key} is required"
        for key, value in hook.items():
            kind = REQUIRED_HOOK_KEYS.get(key) or OPTIONAL_HOOK_KEYS.get(key)
            assert kind is not None, f"{hook['id']}: unknown key {key!r}"
            assert isinstance(value, kind), f"{hook['id']}: {key} should be {kind}, not {value!r}"
        assert hook["language"] in PRE_COMMIT_LANGUAGES
        assert hook["language"] == "python", "pre-commit installs this repository, which provides the console script"
        assert hook["pass_filenames"] is False, "the generator reads [tool.generator], not file names"
        re.compile(hook["files"])
        assert hook["description"].strip()


def test_the_manifest_passes_pre_commits_own_validation() -> None:
    """Where pre-commit is installed, its own loader accepts the manifest (it is not a dependency)."""
    clientlib = pytest.importorskip("pre_commit.clientlib")
    loaded = clientlib.load_manifest(str(HOOKS))
    assert [h["id"] for h in loaded] == [h["id"] for h in _hooks()]


def test_the_entries_run_the_console_script_declared_in_pyproject() -> None:
    script, target = _console_script()
    assert target == "generator.cli:main"
    # so `python -m generator` (used above in place of the script) is the same program
    main_module = (ROOT / "generator" / "__main__.py").read_text(encoding="utf-8")
    assert "from .cli import main" in main_module and "code = main()" in main_module and "os._exit(code)" in main_module
    for hook in _hooks():
        assert shlex.split(hook["entry"])[0] == script


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("spec/openapi.json", True),
        ("spec/openapi.yaml", True),
        ("templates/model.py.jinja", True),
        ("templates/runtime/_types.py.jinja", True),
        ("generated/streamkap/_client.py", True),
        ("generated/.manifest.json", True),
        ("generator/render.py", True),
        ("pyproject.toml", True),
        ("README.md", False),
        ("tests/x.py", False),
        ("tests/specs/01_params_path.json", False),
        ("docs/spec/openapi.json", False),
        ("generated.md", False),
        ("pyproject.toml.orig", False),
        ("examples/ci/sdk.yml", False),
    ],
)
@pytest.mark.parametrize("hook_id", ["sdk-drift-check", "sdk-generate"])
def test_the_files_pattern_selects_what_shapes_the_sdk(hook_id: str, path: str, runs: bool) -> None:
    # pre-commit: `re.search(files, path)` on each staged path, relative to the repository root
    assert bool(re.search(_hook(hook_id)["files"], path)) is runs


def test_the_drift_check_hook_passes_when_clean_and_fails_on_drift(project: Path) -> None:
    check = _hook_command(_hook("sdk-drift-check"))
    done = _run(check, project)
    assert done.returncode == 0, done.stdout + done.stderr

    client = project / "generated" / "paths_sdk" / "_client.py"
    original = client.read_text(encoding="utf-8")
    client.write_text(original + "# a hand edit\n", encoding="utf-8")
    done = _run(check, project)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "paths_sdk/_client.py" in done.stdout and "-# a hand edit" in done.stdout
    assert re.search(r"drift: 1 changed, 0 missing, 0 extra", done.stdout)
    assert client.read_text(encoding="utf-8") == original + "# a hand edit\n", "check writes nothing"

    generate = _hook_command(_hook("sdk-generate"))
    done = _run(generate, project)
    assert done.returncode == 0, done.stderr
    assert client.read_text(encoding="utf-8") == original
    assert _run(check, project).returncode == 0


def test_the_drift_check_hook_fails_when_the_spec_changes(project: Path) -> None:
    check = _hook_command(_hook("sdk-drift-check"))
    _edit_spec(project, "add an optional response field")
    done = _run(check, project)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "paths_sdk/models/file.py" in done.stdout and "checksum" in done.stdout
    assert _run(_hook_command(_hook("sdk-generate")), project).returncode == 0
    assert _run(check, project).returncode == 0


def test_the_templates_are_installed_with_the_package() -> None:
    """pre-commit installs a hook's repository with a plain ``pip install .``: every template
    folder must ship as package data (``generator/templates/...``) for the hooks to run."""
    import tomllib

    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert setuptools["package-dir"]["generator.templates"] == "templates"
    folders = sorted({p.parent.relative_to(ROOT / "templates") for p in (ROOT / "templates").rglob("*.jinja")})
    for folder in folders:
        package = ".".join(["generator", "templates", *folder.parts])
        assert package in setuptools["packages"], package
        assert "*.jinja" in setuptools["package-data"][package], package


# --- examples/ci/sdk.yml -------------------------------------------------------------------------


def _workflow() -> dict[Any, Any]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(workflow, dict)
    return workflow


def _steps() -> list[dict[str, Any]]:
    [job] = _workflow()["jobs"].values()
    steps = job["steps"]
    assert isinstance(steps, list)
    return steps


def _step(step_id: str) -> dict[str, Any]:
    [step] = [s for s in _steps() if s.get("id") == step_id]
    return step


def test_the_workflow_runs_on_pull_requests_with_the_base_branch_fetched() -> None:
    workflow = _workflow()
    triggers: dict[str, Any] = workflow["on"] if "on" in workflow else workflow[True]  # YAML 1.1: a bare `on` is true
    assert "labeled" in triggers["pull_request"]["types"], "adding breaking-change-ok reruns the gate"
    assert workflow["permissions"]["pull-requests"] == "write"
    steps = _steps()
    checkout = steps[0]
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["fetch-depth"] == 0
    assert any(s.get("uses", "").startswith("actions/setup-python@") for s in steps)
    for step in steps:
        assert ("uses" in step) != ("run" in step), step
        assert "uses" in step or "id" in step, f"every run step has an id: {step}"
    assert "pip install" in _step("install")["run"]
    assert "gh pr comment" in _step("comment")["run"] and "--body-file sdk-diff.md" in _step("comment")["run"]
    assert set(SKIPPED) <= {s.get("id") for s in steps}
    assert {"check", "diff", "gate"} <= {s.get("id") for s in steps}


@dataclass
class StepResult:
    outcome: str  # success, failure or skipped (as GitHub's steps.<id>.outcome)
    returncode: int | None
    output: str  # stdout and stderr
    outputs: dict[str, str]  # what the step wrote to $GITHUB_OUTPUT


_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _expressions(labels: list[str], results: Mapping[str, StepResult]) -> dict[str, str]:
    """Every expression the workflow may use, with its value in this local run."""
    values = {
        "github.base_ref": "main",
        "github.token": "not-used-locally",
        "github.event.pull_request.number": "1",
        "join(github.event.pull_request.labels.*.name, ',')": ",".join(labels),
    }
    for step_id, result in results.items():
        for key, value in result.outputs.items():
            values[f"steps.{step_id}.outputs.{key}"] = value
    return values


def _expand(text: str, values: Mapping[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        expression = match[1]
        if expression.startswith("steps.") and ".outputs." in expression:
            return values.get(expression, "")  # as on GitHub: an output never written is empty
        assert expression in values, f"the test does not know the workflow's expression {expression!r}"
        return values[expression]

    return _EXPRESSION.sub(one, text)


def _condition(step: Mapping[str, Any], results: Mapping[str, StepResult], job_failed: bool) -> bool:
    """GitHub's `if:` for the conditions the workflow uses; no `if:` means success()."""
    condition = step.get("if")
    if condition is None:
        return not job_failed
    match = _EXPRESSION.fullmatch(condition.strip())
    assert match, f"write `if:` as ${{{{ … }}}}: {condition!r}"
    verdict = True
    for term in (t.strip() for t in match[1].split("&&")):
        outcome = re.fullmatch(r"steps\.(\w+)\.outcome == '(\w+)'", term)
        if term == "!cancelled()":
            continue  # nothing is cancelled here
        if outcome:
            verdict &= results[outcome[1]].outcome == outcome[2]
        else:
            pytest.fail(f"the test does not know the workflow's condition {term!r}")
    return verdict


def _run_workflow(repo: Path, labels: list[str], tmp_path: Path) -> dict[str, StepResult]:
    """Run the workflow's steps in `repo` as the runner would; return each step's result by id."""
    results: dict[str, StepResult] = {}
    job_failed = False
    runner_temp = tmp_path / "runner-temp"  # $RUNNER_TEMP: the runner's scratch folder
    runner_temp.mkdir(parents=True)
    for number, step in enumerate(_steps()):
        step_id = step.get("id", f"uses-{number}")
        if not _condition(step, results, job_failed):
            results[step_id] = StepResult("skipped", None, "", {})
            continue
        if "uses" in step or step_id in SKIPPED:
            results[step_id] = StepResult("success", None, "", {})  # it would run: taken as passed on GitHub
            continue
        values = _expressions(labels, results)
        script = tmp_path / f"step-{step_id}.sh"
        script.write_text(_expand(step["run"], values), encoding="utf-8")
        output_file, summary_file = tmp_path / f"output-{step_id}", tmp_path / f"summary-{step_id}"
        output_file.write_text("", encoding="utf-8")
        env = {key: _expand(str(value), values) for key, value in step.get("env", {}).items()}
        env |= {"GITHUB_OUTPUT": str(output_file), "GITHUB_STEP_SUMMARY": str(summary_file), "RUNNER_TEMP": str(runner_temp)}
        env["CI"] = "true"
        done = _run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], repo, **env)
        outputs = dict(line.split("=", 1) for line in output_file.read_text(encoding="utf-8").splitlines() if line)
        outcome = "success" if done.returncode == 0 else "failure"
        results[step_id] = StepResult(outcome, done.returncode, done.stdout + done.stderr, outputs)
        if outcome == "failure" and not step.get("continue-on-error", False):
            job_failed = True
    return results


def _pull_request(tmp_path: Path, small_project: Path, change: str, regenerate: bool) -> Path:
    """A git repository: `main` with the small project, a branch with `change`, origin/main at main."""
    repo = tmp_path / "repo"
    shutil.copytree(small_project, repo, symlinks=True)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    base = _git(repo, "rev-parse", "HEAD")
    _git(repo, "update-ref", "refs/remotes/origin/main", base)  # what checkout's fetch-depth 0 gives
    _git(repo, "checkout", "-q", "-b", "pull-request")
    _edit_spec(repo, change)
    if regenerate:
        _generate(repo)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", change)
    return repo


@pytest.fixture()
def breaking_pull_request(tmp_path: Path, small_project: Path) -> Path:
    return _pull_request(tmp_path, small_project, "remove a response field", regenerate=True)


def test_a_breaking_pull_request_fails_the_gate_and_reports_the_break(breaking_pull_request: Path, tmp_path: Path) -> None:
    repo = breaking_pull_request
    results = _run_workflow(repo, labels=["docs"], tmp_path=tmp_path / "run")

    assert results["check"].outcome == "success", results["check"].output

    diff = results["diff"]
    assert diff.outcome == "success", diff.output  # exit 1 from `diff` is handled, not fatal
    assert diff.outputs == {"breaking": "true"}
    report = (repo / "sdk-diff.md").read_text(encoding="utf-8")
    assert "## Breaking changes" in report
    assert "### model `File`" in report and "field `size` removed" in report
    assert (tmp_path / "run" / "summary-diff").read_text(encoding="utf-8") == report
    assert (tmp_path / "run" / "runner-temp" / "base-openapi.json").read_bytes() == SMALL_SPEC.read_bytes()

    assert results["comment"].outcome == "success" and results["comment"].returncode is None  # would run; not here
    gate = results["gate"]
    assert gate.outcome == "failure" and gate.returncode == 1
    assert "::error::this pull request breaks SDK users" in gate.output


def test_the_label_breaking_change_ok_lets_a_breaking_pull_request_pass(breaking_pull_request: Path, tmp_path: Path) -> None:
    results = _run_workflow(breaking_pull_request, labels=["docs", "breaking-change-ok"], tmp_path=tmp_path / "run")
    assert results["diff"].outputs == {"breaking": "true"}
    assert results["gate"].outcome == "success", results["gate"].output
    assert all(r.outcome == "success" for r in results.values()), {k: r.outcome for k, r in results.items()}


def test_a_compatible_pull_request_passes(tmp_path: Path, small_project: Path) -> None:
    repo = _pull_request(tmp_path, small_project, "add an optional response field", regenerate=True)
    results = _run_workflow(repo, labels=[], tmp_path=tmp_path / "run")
    assert all(r.outcome == "success" for r in results.values()), {k: r.output for k, r in results.items()}
    assert results["diff"].outputs == {"breaking": "false"}
    report = (repo / "sdk-diff.md").read_text(encoding="utf-8")
    assert "Breaking changes" not in report and "field `checksum` added" in report


def test_a_pull_request_without_the_regenerated_sdk_fails_and_still_gets_its_report(tmp_path: Path, small_project: Path) -> None:
    repo = _pull_request(tmp_path, small_project, "remove a response field", regenerate=False)
    results = _run_workflow(repo, labels=[], tmp_path=tmp_path / "run")
    check = results["check"]
    assert check.outcome == "failure" and check.returncode == 1
    assert "paths_sdk/models/file.py" in check.output
    assert results["diff"].outcome == "success" and results["diff"].outputs == {"breaking": "true"}
    assert "## Breaking changes" in (repo / "sdk-diff.md").read_text(encoding="utf-8")
    assert results["comment"].outcome == "success", "the report is posted even when the check fails"
    assert results["gate"].outcome == "failure"


# --- README ---------------------------------------------------------------------------------------


def _readme_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n### In your CI\n")
    end = text.index("\n## ", start)
    return text[start:end]


def _yaml_blocks(markdown: str) -> Iterator[Any]:
    for block in re.findall(r"^```yaml\n(.*?)^```$", markdown, flags=re.M | re.S):
        yield yaml.safe_load(block)


def test_the_readme_shows_the_workflows_steps_as_they_are_in_the_file() -> None:
    section = _readme_section()
    assert "examples/ci/sdk.yml" in section and ".pre-commit-hooks.yaml" in section
    [steps] = [b for b in _yaml_blocks(section) if isinstance(b, list)]
    assert {"check", "diff", "gate"} <= {s["id"] for s in steps}
    for step in steps:
        assert step == _step(step["id"]), f"README and {WORKFLOW.relative_to(ROOT)} differ at step {step['id']!r}"
    assert _step("install")["run"] in section
    assert "fetch-depth: 0" in section


def test_the_readme_names_the_hooks_of_the_manifest() -> None:
    section = _readme_section()
    [config] = [b for b in _yaml_blocks(section) if isinstance(b, dict)]
    hook_ids = {h["id"] for h in _hooks()}
    configured = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert configured and configured <= hook_ids
    for hook in _hooks():
        assert f"`{hook['id']}`" in section and f"`{hook['entry']}" in section

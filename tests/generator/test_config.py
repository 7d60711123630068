"""generator.config: [tool.generator] in pyproject.toml, overridden by flags, checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from generator.config import Config, load_config
from generator.errors import GeneratorError


def _pyproject(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text("[project]\nname = 'x'\n\n[tool.generator]\n" + body + "\n", encoding="utf-8")
    return path


def test_the_projects_own_configuration() -> None:
    config = load_config(ROOT / "pyproject.toml")
    assert config.spec == ROOT / "spec" / "openapi.json"
    assert config.out == ROOT / "generated"
    assert (config.package, config.project_name, config.version) == ("streamkap", "streamkap", "0.1.0")
    assert (config.client, config.async_client_name, config.env) == ("Streamkap", "AsyncStreamkap", "STREAMKAP")


def test_values_are_read_and_paths_are_relative_to_the_pyproject(tmp_path: Path) -> None:
    path = _pyproject(
        tmp_path,
        'spec = "api/openapi.yaml"\nout = "sdk"\npackage = "acme_sdk"\nproject = "acme-python"\nversion = "2.3.4"\n'
        'client = "Acme"\nasync_client = "AcmeAsync"\nenv_prefix = "ACME"\nregenerate = "just gen"',
    )
    config = load_config(path)
    assert config.spec == tmp_path / "api" / "openapi.yaml"
    assert config.out == tmp_path / "sdk"
    assert config.package == "acme_sdk"
    assert config.project_name == "acme-python"
    assert config.version == "2.3.4"
    assert config.client == "Acme" and config.async_client_name == "AcmeAsync"
    assert config.env == "ACME"
    assert config.regenerate == "just gen"


def test_defaults_follow_the_package_and_client(tmp_path: Path) -> None:
    config = load_config(_pyproject(tmp_path, 'package = "my_api"\nclient = "MyApi"'))
    assert config.project_name == "my-api"
    assert config.async_client_name == "AsyncMyApi"
    assert config.env == "MY_API"


def test_flags_override_the_file(tmp_path: Path) -> None:
    path = _pyproject(tmp_path, 'spec = "a.json"\nout = "o"\npackage = "acme"\nclient = "Acme"\nversion = "1.0"\nenv_prefix = "ACME"')
    config = load_config(
        path,
        spec="/elsewhere/b.yaml",
        out="rel/out",
        package="other",
        client="Other",
        async_client="OtherAio",
        env_prefix="OTHER",
        version="9.9.9",
    )
    assert config.spec == Path("/elsewhere/b.yaml")
    assert config.out == Path("rel/out")  # a flag is relative to where the command runs
    assert (config.package, config.client, config.async_client_name, config.env, config.version) == (
        "other",
        "Other",
        "OtherAio",
        "OTHER",
        "9.9.9",
    )


def test_flags_left_out_keep_the_file_values(tmp_path: Path) -> None:
    path = _pyproject(tmp_path, 'package = "acme"\nclient = "Acme"')
    config = load_config(path, spec=None, out=None, package=None, client=None, async_client=None, env_prefix=None, version=None)
    assert (config.package, config.client) == ("acme", "Acme")


def test_no_pyproject_gives_defaults_and_flags(tmp_path: Path) -> None:
    config = load_config(tmp_path / "missing.toml", package="solo", client="Solo")
    assert isinstance(config, Config)
    assert (config.package, config.client, config.version) == ("solo", "Solo", "0.1.0")
    assert load_config(None).package == Config().package


def test_a_pyproject_without_the_table_gives_defaults(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[project]\nname = 'x'\n", encoding="utf-8")
    assert load_config(path).package == Config().package


def test_unknown_keys_are_rejected_by_name(tmp_path: Path) -> None:
    path = _pyproject(tmp_path, 'package = "acme"\npakage = "typo"\noutput = "x"')
    with pytest.raises(GeneratorError) as caught:
        load_config(path)
    assert caught.value.source == str(path)
    message = caught.value.problems[0].message
    assert "output" in message and "pakage" in message


def test_internal_fields_cannot_be_set_from_the_file(tmp_path: Path) -> None:
    with pytest.raises(GeneratorError):
        load_config(_pyproject(tmp_path, 'root = "/"'))


@pytest.mark.parametrize(
    "package",
    ["Streamkap", "my-sdk", "my.sdk", "1sdk", "", "sdk name", "generator", "tests", "café", "class", "import", "None"],
)
def test_invalid_package_names_are_rejected(tmp_path: Path, package: str) -> None:
    with pytest.raises(GeneratorError) as caught:
        load_config(None, package=package)
    assert any("package" in p.message for p in caught.value.problems)
    with pytest.raises(GeneratorError):
        load_config(_pyproject(tmp_path, f'package = "{package}"'))


@pytest.mark.parametrize("package", ["streamkap", "my_sdk", "sdk2", "a"])
def test_valid_package_names(package: str) -> None:
    assert load_config(None, package=package).package == package


@pytest.mark.parametrize("client", ["streamkap", "1Client", "My-Client", "My Client", "", "Clíent", "None", "True", "False"])
def test_invalid_client_class_names_are_rejected(client: str) -> None:
    with pytest.raises(GeneratorError):
        load_config(None, client=client)
    if client:  # an empty async_client means "Async" + client
        with pytest.raises(GeneratorError):
            load_config(None, async_client=client)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(GeneratorError) as caught:
        load_config(None, package="Bad-Name", client="bad", version="one", env_prefix="lower")
    messages = " | ".join(p.message for p in caught.value.problems)
    assert len(caught.value.problems) >= 4, messages
    for word in ("package", "client", "version", "env_prefix"):
        assert word in messages


@pytest.mark.parametrize("version", ["", "v1", "1.0-beta", "latest", "1..2"])
def test_invalid_versions_are_rejected(version: str) -> None:
    with pytest.raises(GeneratorError):
        load_config(None, version=version)


@pytest.mark.parametrize("version", ["1", "0.1.0", "2024.1", "1.0rc1", "1.0a2"])
def test_valid_versions(version: str) -> None:
    assert load_config(None, version=version).version == version


@pytest.mark.parametrize("env", ["lower", "1ABC", "A-B", "A B"])
def test_invalid_env_prefixes_are_rejected(env: str) -> None:
    with pytest.raises(GeneratorError):
        load_config(None, env_prefix=env)


@pytest.mark.parametrize(
    "body",
    ["version = 0.1", "version = 1", "package = 5", "client = true", 'spec = ["a"]', "out = 3", "regenerate = 5"],
)
def test_values_of_the_wrong_type_are_a_problem_not_a_crash(tmp_path: Path, body: str) -> None:
    with pytest.raises(GeneratorError) as caught:
        load_config(_pyproject(tmp_path, body))
    assert caught.value.problems


def test_invalid_toml_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.generator\npackage = 'x'\n", encoding="utf-8")
    with pytest.raises(GeneratorError) as caught:
        load_config(path)
    assert caught.value.source == str(path)


def test_pagination_entries_are_read(tmp_path: Path) -> None:
    path = _pyproject(
        tmp_path,
        'package = "p"\n\n[[tool.generator.pagination]]\noperation = "listUsers"\nstyle = "page"\nparam = "page"\n'
        'size = "per_page"\nitems = "data"\nfirst = 0\n',
    )
    (paging,) = load_config(path).pagination
    assert (paging.operation, paging.style, paging.param, paging.size, paging.items, paging.first) == (
        "listUsers", "page", "page", "per_page", "data", 0
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('operation = "a"\nstyle = "pages"\nparam = "p"', "#/tool/generator/pagination/0/style: must be one of page, offset, cursor, not 'pages'"),
        ('operation = "a"\nstyle = "cursor"\nparam = "c"', "#/tool/generator/pagination/0/next: a cursor style needs next"),
        ('operation = "a"\nstyle = "page"', "#/tool/generator/pagination/0: missing: param"),
        ('operation = "a"\nstyle = "page"\nparam = "p"\nstep = 2', "#/tool/generator/pagination/0: unknown keys: step"),
        ('operation = "a"\nstyle = "page"\nparam = "p"\nfirst = "1"', "#/tool/generator/pagination/0/first: must be an integer"),
        ('operation = 5\nstyle = "page"\nparam = "p"', "#/tool/generator/pagination/0/operation: must be a string"),
    ],
)
def test_bad_pagination_entries_are_named(tmp_path: Path, entry: str, message: str) -> None:
    path = _pyproject(tmp_path, 'package = "p"\n\n[[tool.generator.pagination]]\n' + entry)
    with pytest.raises(GeneratorError) as raised:
        load_config(path)
    assert any(p.format(raised.value.source).endswith(message) or message in p.format(raised.value.source) for p in raised.value.problems), [
        p.format(raised.value.source) for p in raised.value.problems
    ]


def test_the_output_folders_name_does_not_depend_on_how_it_is_spelled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sdk").mkdir()
    monkeypatch.chdir(tmp_path / "sdk")
    names = {Config(out=Path(spelled)).out_name for spelled in (".", "../sdk", str(tmp_path / "sdk"), "../sdk/.", "x/..")}
    assert names == {"sdk"}

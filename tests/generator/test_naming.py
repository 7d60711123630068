"""generator.naming: every identifier in the generated code comes from here, whatever the spec says."""

from __future__ import annotations

import builtins
import re
import keyword
import warnings
from pathlib import Path
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import naming

FUNCTIONS = {
    "snake": naming.snake,
    "pascal": naming.pascal,
    "field_name": naming.field_name,
    "argument_name": naming.argument_name,
    "function_name": naming.function_name,
    "class_name": naming.class_name,
    "module_name": naming.module_name,
}


def _valid(name: str) -> bool:
    return name.isidentifier() and name.isascii() and not keyword.iskeyword(name) and not keyword.issoftkeyword(name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("recordsLag", "records_lag"),
        ("topic_list_from", "topic_list_from"),
        ("HTTPValidationError", "http_validation_error"),
        ("PipelineMetricsRes", "pipeline_metrics_res"),
        ("pipeline-metrics.res", "pipeline_metrics_res"),
        ("X-Request-ID", "x_request_id"),
        ("a.b.c", "a_b_c"),
        ("Tenant Ids", "tenant_ids"),
        ("searchPipelinesMetrics", "search_pipelines_metrics"),
        ("getV2Items", "get_v2_items"),
        ("from", "from_"),
        ("class", "class_"),
        ("type", "type_"),
        ("id", "id_"),
        ("list", "list_"),
        ("match", "match_"),
        ("None", "none"),
        ("123abc", "_123abc"),
        ("café", "cafe"),
        ("Ünïcödé name", "unicode_name"),
        ("", "value"),
        ("   ", "value"),
        ("---", "value"),
        ("日本語", "value"),
    ],
)
def test_snake(text: str, expected: str) -> None:
    assert naming.snake(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pipeline-metrics.res", "PipelineMetricsRes"),
        ("PipelineMetricsReqBody", "PipelineMetricsReqBody"),
        ("HTTPValidationError", "HTTPValidationError"),
        ("http_validation_error", "HttpValidationError"),
        ("timeseries entry", "TimeseriesEntry"),
        ("recordsLag", "RecordsLag"),
        ("a.b.c", "ABC"),
        ("café-au-lait", "CafeAuLait"),
        ("", "Model"),
        ("日本語", "Model"),
    ],
)
def test_class_name_is_pascal_case(text: str, expected: str) -> None:
    assert naming.class_name(text) == expected


@pytest.mark.parametrize("text", ["True", "None", "False"])
def test_class_name_never_a_keyword(text: str) -> None:
    name = naming.class_name(text)
    assert _valid(name) and name != text


@pytest.mark.parametrize("text", ["2fa", "123", "1st-item", "²"])
def test_leading_digits_give_valid_identifiers(text: str) -> None:
    for name, fn in FUNCTIONS.items():
        result = fn(text)
        assert _valid(result), (name, text, result)
        assert not result[0].isdigit()


@pytest.mark.parametrize(("api", "python"), [("recordsLag", "records_lag"), ("tenant_ids", "tenant_ids"), ("from", "from_")])
def test_field_name(api: str, python: str) -> None:
    assert naming.field_name(api) == python


@pytest.mark.parametrize("api", ["model_config", "model_fields", "model_dump", "modelConfig", "model_"])
def test_field_name_avoids_the_pydantic_model_namespace(api: str) -> None:
    name = naming.field_name(api)
    assert name not in dir(pydantic.BaseModel)
    assert _valid(name)


@pytest.mark.parametrize("api", ["_private", "__dunder__", "_", "_1"])
def test_field_name_never_private(api: str) -> None:
    name = naming.field_name(api)
    assert not name.startswith("_") and _valid(name)


@pytest.mark.parametrize("api", sorted(naming.RESERVED_FIELD_NAMES))
def test_field_name_avoids_reserved_names(api: str) -> None:
    assert naming.field_name(api) != api


@pytest.mark.parametrize("api", ["self", "timeout", "extra_headers", "extra_query", "extra_body"])
def test_argument_name_avoids_the_operation_signature(api: str) -> None:
    assert naming.argument_name(api) != api
    assert _valid(naming.argument_name(api))


def _sdk_base_model() -> type[Any]:
    from streamkap._models import BaseModel  # the committed SDK's base class

    return BaseModel  # type: ignore[no-any-return]


def test_field_names_never_shadow_the_sdk_base_model() -> None:
    """A property called ``to_dict`` must not replace ``BaseModel.to_dict`` of the generated SDK."""
    base = _sdk_base_model()
    public = sorted(n for n in dir(base) if not n.startswith("_"))
    shadowing = {api: naming.field_name(api) for api in public if naming.field_name(api) in public}
    assert shadowing == {}


def test_a_model_with_every_base_attribute_as_a_property_builds_without_warnings() -> None:
    base = _sdk_base_model()
    public = sorted(n for n in dir(base) if not n.startswith("_"))
    fields: dict[str, Any] = {
        naming.field_name(api): (str | None, pydantic.Field(default=None, alias=api)) for api in public
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = pydantic.create_model("Everything", __base__=base, **fields)
    instance = model.model_validate({api: "v" for api in public})
    assert instance.to_dict() == {api: "v" for api in public}


def test_unique_deduplicates_deterministically_in_order() -> None:
    names = ["x", "x", "X", "y", "x_2", "x"]
    first = naming.unique(names)
    assert first == naming.unique(list(names))
    assert first[0] == "x" and first[3] == "y"
    assert len({n.lower() for n in first}) == len(names)
    assert first == ["x", "x_2", "X_3", "y", "x_2_2", "x_4"]


def test_unique_respects_taken_names_case_insensitively() -> None:
    assert naming.unique(["models", "client"], taken=["Models"]) == ["models_2", "client"]
    assert naming.unique(["a"], taken=["__init__"]) == ["a"]


@settings(max_examples=300, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["a", "A", "a_2", "b", "a_3", "B_2"]), max_size=12), st.lists(st.sampled_from(["a", "b_2", "c"]), max_size=3))
def test_unique_property(names: list[str], taken: list[str]) -> None:
    result = naming.unique(names, taken)
    assert len(result) == len(names)
    lowered = [n.lower() for n in result]
    assert len(set(lowered)) == len(lowered)
    assert not set(lowered) & {t.lower() for t in taken}
    for original, new in zip(names, result):
        assert new == original or new.startswith(original + "_")
    assert naming.unique(names, taken) == result


@settings(max_examples=400, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.text(alphabet=st.sampled_from(list("aZ09_-. $\u00e9\u00df\u0131\u0130\u2163\ufb01\u00b2\u0663\u200b")))))
def test_any_string_gives_a_valid_identifier(text: str) -> None:
    for name, fn in FUNCTIONS.items():
        result = fn(text)
        assert _valid(result), (name, text, result)
    assert not naming.field_name(text).startswith("_")
    assert naming.argument_name(text) not in naming.RESERVED_ARGUMENT_NAMES
    assert naming.snake(text) not in dir(builtins) or naming.snake(text).startswith("_")


@settings(max_examples=200, derandomize=True, database=None)
@given(st.text())
def test_case_conventions(text: str) -> None:
    assert naming.snake(text) == naming.snake(text).lower()
    assert naming.module_name(text) == naming.module_name(text).lower()
    first = naming.class_name(text)[0]
    assert first.isupper() or first == "_"


def test_assign_gives_the_exact_spelling_the_bare_name_and_suffixes_the_rest() -> None:
    wanted = {"getItem": "get_item", "get_item": "get_item", "list": "list_"}
    assert naming.assign(wanted) == {"getItem": "get_item_48f2", "get_item": "get_item", "list": "list_"}
    assert naming.assign({"a": "x", "b": "X"}, suffix={"b": "header"}) == {"a": "x", "b": "X_header"}
    assert naming.assign({"models": "models"}, taken=["Models"]) == {"models": "models_8edc"}


@given(
    st.dictionaries(st.sampled_from(["pet", "Pet", "PET", "pet_", "owner", "Owner", "a", "b"]), st.just(None), min_size=1),
    st.sampled_from(["pet", "Pet", "PET", "pet_", "owner", "Owner", "new", "a"]),
)
def test_assign_is_independent_of_order_and_of_unrelated_keys(keys: dict[str, None], new: str) -> None:
    def wanted(ks: list[str]) -> dict[str, str]:
        return {k: naming.class_name(k) for k in ks}

    names = naming.assign(wanted(list(keys)))
    assert len({n.lower() for n in names.values()}) == len(names)
    assert naming.assign(wanted(list(reversed(list(keys))))) == names
    with_new = naming.assign(wanted([new, *keys]))
    for key, name in names.items():
        collides = naming.class_name(new).lower() == naming.class_name(key).lower() and new not in keys
        # Only a key that wants the same name can move an existing one, and only off the bare name.
        assert with_new[key] == name or (collides and name == naming.class_name(key))


def test_names_do_not_depend_on_the_python_that_runs_the_generator() -> None:
    """``exit``, ``quit``, ``copyright``... are builtins only when ``site`` ran; ``type`` is a
    soft keyword from 3.12: the names must be the same under any interpreter and flags."""
    import subprocess
    import sys

    words = ["exit", "quit", "copyright", "credits", "license", "help", "type", "match", "case", "PythonFinalizationError"]
    here = [naming.snake(w) for w in words] + [naming.class_name(w) for w in words]
    code = "import sys; from generator import naming; w = sys.argv[1:]; print([naming.snake(x) for x in w] + [naming.class_name(x) for x in w])"
    out = subprocess.run([sys.executable, "-S", "-c", f"import sys; sys.path[:0] = {sys.path!r}; {code}", *words], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == repr(here)


def test_the_fixed_lists_cover_this_python() -> None:
    """A Python with a new builtin or keyword fails here: add it to the lists (a new name in them
    changes the output only for specs that use that name)."""
    assert {n for n in dir(builtins) if not n.startswith("_")} <= naming._BUILTINS
    assert set(keyword.kwlist) <= naming._KEYWORDS


def test_every_public_name_of_the_runtime_clients_is_kept_from_tags() -> None:
    """A tag's namespace is an attribute of the client: one named like the runtime's own (a
    method the retry loop calls, a setting) would replace it. Read from the committed SDK's
    runtime, so a new attribute there fails this test until it is reserved."""
    import streamkap
    from streamkap._base_client import AsyncAPIClient, SyncAPIClient

    names = {n for cls in (SyncAPIClient, AsyncAPIClient) for n in dir(cls) if not n.startswith("_")}
    for client in (
        SyncAPIClient(token="t", base_url="http://127.0.0.1:9"),
        AsyncAPIClient(token="t", base_url="http://127.0.0.1:9"),
        streamkap.Streamkap(token="t", base_url="http://127.0.0.1:9"),
    ):
        names |= {n for n in vars(client) if not n.startswith("_")}
    names |= {"with_raw_response", "with_streaming_response"}
    assert names - naming.RESERVED_CLIENT_NAMES == set()


def test_an_api_keys_own_argument_avoids_what_the_runtime_uses() -> None:
    """The lower-case globals of ``_base_client`` (an argument ``os`` hid the module inside
    ``__init__``) and the names whose environment variables the runtime reads (an argument
    ``api_token`` read <PREFIX>_API_TOKEN, the bearer token's)."""
    from streamkap import _base_client

    used = {n for n in vars(_base_client) if n.islower() and not n.startswith("_")}
    assert used - naming.RESERVED_CREDENTIAL_NAMES == set()
    read = {_base_client.TOKEN_ENV, _base_client.BASE_URL_ENV, *re.findall(r"os\.environ\.get\(\"(\w+)\"", Path(_base_client.__file__).read_text())}
    assert {"STREAMKAP_API_TOKEN", "STREAMKAP_BASE_URL", "STREAMKAP_LOG"} <= read
    assert {env.removeprefix("STREAMKAP_").lower() for env in read} <= naming.RESERVED_CREDENTIAL_NAMES

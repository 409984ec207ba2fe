"""The OpenAPI schema documents every endpoint's error responses (in the one shape) and its enums."""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db
ERROR_REF = "#/components/schemas/ErrorResponse"
JOB_STARTS = ["/notifications/api/{channel}/bulk/", "/reports/api/", "/jobs/api/{id}/retry/"]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def error_schema(response):
    return response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")


def test_every_operation_documents_its_errors_in_the_one_shape(schema):
    for path, method, op in operations(schema):
        expected = {"401", "403", "405"}
        if "{id}" in path:
            expected.add("404")
        if method == "post":
            expected |= {"400", "413", "415"}
        missing = expected - set(op["responses"])
        assert not missing, f"{method.upper()} {path} lacks {missing}"
        for code in expected:
            assert error_schema(op["responses"][code]) == ERROR_REF, (method, path, code)


def test_job_starts_document_429_with_retry_after(schema):
    for path in JOB_STARTS:
        response = schema["paths"][path]["post"]["responses"]["429"]
        assert error_schema(response) == ERROR_REF
        assert "Retry-After" in response["headers"]
    assert "429" not in schema["paths"]["/jobs/api/active/"]["get"]["responses"]


def test_the_error_shape_component(schema):
    error = schema["components"]["schemas"]["ErrorResponse"]

    assert set(error["properties"]) == {"success", "message", "errors"}
    assert error["properties"]["errors"]["type"] == "object"


def test_the_channel_is_an_enum(schema):
    (channel,) = [p for p in schema["paths"]["/notifications/api/{channel}/bulk/"]["post"]["parameters"]]

    assert sorted(channel["schema"]["enum"]) == ["email", "sms"]


def test_job_status_and_type_are_enums(schema):
    components = schema["components"]["schemas"]
    job = components["BackgroundJob"]["properties"]

    def enum(prop):
        ref = prop["allOf"][0]["$ref"] if "allOf" in prop else prop["$ref"]
        return components[ref.rsplit("/", 1)[1]]["enum"]

    assert enum(job["status"]) == [0, 1, 2, 3, 4]
    assert set(enum(job["jobType"])) >= {0, 1, 2, 3}

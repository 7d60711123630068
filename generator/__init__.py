"""sdk-generator: OpenAPI 3.0/3.1 → a typed Python SDK (httpx + pydantic v2)."""

__version__ = "0.1.0"

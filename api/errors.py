"""The API's answers to refused requests, all in one shape: ``{"errors": {field: message}}``.

A data-layer ``ValidationError`` is 422 with the forms' own messages; a permission refusal
(the "user" field: the key's role may not do this) is 403; ``NotFound`` is 404; FastAPI's own
request validation (a body that is not JSON, a path id that is not a number) is 422 in the same
shape. Nothing a client sends is ever answered 500.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from data.domain.validation import ValidationError


class NotFound(Exception):
    """The path names a row that does not exist for this key (or that its scope may not see)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class Errors(BaseModel):
    """A refusal: one message per field (or per part of the request)."""

    errors: dict[str, str]


# What every endpoint may answer besides its success, for the OpenAPI document.
REFUSALS = {
    400: {"model": Errors, "description": "The body could not be read (not JSON, or not UTF-8 text)"},
    401: {"model": Errors, "description": "No key, or a key that is unknown or revoked"},
    403: {"model": Errors, "description": "The key's role may not do this"},
    413: {"model": Errors, "description": "The body is larger than the API takes"},
    422: {"model": Errors, "description": "Input refused; one message per field"},
    429: {"model": Errors, "description": "Too many requests for this key; see Retry-After"},
    503: {"model": Errors, "description": "Busy or too slow; try again after Retry-After"},
}
NOT_FOUND = {404: {"model": Errors, "description": "No such row for this key"}}


def refusal(status: int, errors: dict[str, str], headers: dict[str, str] | None = None) -> JSONResponse:
    """A refusal in the API's one shape."""
    return JSONResponse({"errors": errors}, status_code=status, headers=headers)


def _field(location: tuple) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def _validation_error(_request: Request, error: ValidationError) -> JSONResponse:
    if set(error.errors) == {"user"}:
        return refusal(403, error.errors)
    return refusal(422, error.errors)


async def _request_validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
    errors: dict[str, str] = {}
    for problem in error.errors():
        errors.setdefault(_field(tuple(problem.get("loc", ()))), problem.get("msg", "Invalid value."))
    return refusal(422, errors)


async def _not_found(_request: Request, error: NotFound) -> JSONResponse:
    return refusal(404, {"path": f"There is no such {error.what}."})


async def _http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
    detail = error.detail if isinstance(error.detail, str) else "Refused."
    return refusal(error.status_code, {"request": detail}, getattr(error, "headers", None))


async def _database_unavailable(_request: Request, error: OperationalError) -> JSONResponse:
    # A statement over the API's time limit, or the database out of reach: the request may be
    # tried again, it was not wrong.
    message = "The request took too long; try again." if "statement timeout" in str(error) else "Try again shortly."
    return refusal(503, {"request": message}, {"Retry-After": "5"})


def install(app: FastAPI) -> None:
    """Answer every refusal in the one shape."""
    app.add_exception_handler(ValidationError, _validation_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, _database_unavailable)

from typing import Any
from urllib.parse import quote

from ...client import Client
from ...models.call_stream import CallStream
from ...models.error_body import ErrorBody
from ...models.stop_stream_request import StopStreamRequest
from ...types import RawResponse, Request, Response, encode_form


def build_request(
    account_sid: str,
    call_sid: str,
    sid: str,
    *,
    body: StopStreamRequest,
) -> Request:
    """This operation's request, built once: method, path, headers and body."""
    headers: dict[str, Any] = {}

    path = "/Accounts/{account_sid}/Calls/{call_sid}/Streams/{sid}".format(
        account_sid=quote(account_sid, safe=""),
        call_sid=quote(call_sid, safe=""),
        sid=quote(sid, safe=""),
    )
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    content = encode_form(body.to_dict())
    return Request(
        method="POST",
        path=path,
        headers=tuple((name, str(value)) for name, value in headers.items()),
        content=content,
    )


def _parse(response: RawResponse) -> CallStream | ErrorBody:
    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = ErrorBody.from_dict(response.json())

        return response_422

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())

        return response_503

    if 200 <= response.status_code <= 299:
        response_2xx = CallStream.from_dict(response.json())

        return response_2xx

    response_default = ErrorBody.from_dict(response.json())

    return response_default


def parse_response(response: RawResponse) -> Response[CallStream | ErrorBody]:
    """Any answer, read into the documented model for its status (`parsed`), or with
    `parsed=None` when the body is not JSON or does not fit that model."""
    try:
        parsed = _parse(response)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        parsed = None
    return Response(
        status_code=response.status_code,
        content=response.content,
        headers=response.headers,
        parsed=parsed,
    )


def sync_detailed(
    account_sid: str,
    call_sid: str,
    sid: str,
    *,
    client: Client,
    body: StopStreamRequest,
) -> Response[CallStream | ErrorBody]:
    """Stop a stream on a call, by sid or by name.

    Args:
        account_sid (str):
        call_sid (str):
        sid (str):
        body (StopStreamRequest):

    Raises:
        errors.AttemptTimeout: An attempt ran out of time; `phase` says where.
        errors.ResponseTooLarge: The body passed the client's `max_response_size`.
        httpx.TransportError: The connection failed or broke (httpx's own types).

    Returns:
        Response[CallStream | ErrorBody]: `parsed` is None when the body does
        not fit the documented model for its status.
    """

    request = build_request(
        account_sid=account_sid,
        call_sid=call_sid,
        sid=sid,
        body=body,
    )
    return parse_response(client.send(request))


def sync(
    account_sid: str,
    call_sid: str,
    sid: str,
    *,
    client: Client,
    body: StopStreamRequest,
) -> CallStream | ErrorBody | None:
    """Stop a stream on a call, by sid or by name.

    Args:
        account_sid (str):
        call_sid (str):
        sid (str):
        body (StopStreamRequest):

    Raises:
        errors.AttemptTimeout: An attempt ran out of time; `phase` says where.
        errors.ResponseTooLarge: The body passed the client's `max_response_size`.
        httpx.TransportError: The connection failed or broke (httpx's own types).

    Returns:
        CallStream | ErrorBody | None
    """

    return sync_detailed(
        account_sid=account_sid,
        call_sid=call_sid,
        sid=sid,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    account_sid: str,
    call_sid: str,
    sid: str,
    *,
    client: Client,
    body: StopStreamRequest,
) -> Response[CallStream | ErrorBody]:
    """Stop a stream on a call, by sid or by name.

    Args:
        account_sid (str):
        call_sid (str):
        sid (str):
        body (StopStreamRequest):

    Raises:
        errors.AttemptTimeout: An attempt ran out of time; `phase` says where.
        errors.ResponseTooLarge: The body passed the client's `max_response_size`.
        httpx.TransportError: The connection failed or broke (httpx's own types).

    Returns:
        Response[CallStream | ErrorBody]: `parsed` is None when the body does
        not fit the documented model for its status.
    """

    request = build_request(
        account_sid=account_sid,
        call_sid=call_sid,
        sid=sid,
        body=body,
    )
    return parse_response(await client.asend(request))


async def asyncio(
    account_sid: str,
    call_sid: str,
    sid: str,
    *,
    client: Client,
    body: StopStreamRequest,
) -> CallStream | ErrorBody | None:
    """Stop a stream on a call, by sid or by name.

    Args:
        account_sid (str):
        call_sid (str):
        sid (str):
        body (StopStreamRequest):

    Raises:
        errors.AttemptTimeout: An attempt ran out of time; `phase` says where.
        errors.ResponseTooLarge: The body passed the client's `max_response_size`.
        httpx.TransportError: The connection failed or broke (httpx's own types).

    Returns:
        CallStream | ErrorBody | None
    """

    return (
        await asyncio_detailed(
            account_sid=account_sid,
            call_sid=call_sid,
            sid=sid,
            client=client,
            body=body,
        )
    ).parsed

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.call_stream import CallStream
from ...models.create_call_stream_request import CreateCallStreamRequest
from ...models.error_body import ErrorBody
from ...types import Response


def _get_kwargs(
    account_sid: str,
    call_sid: str,
    *,
    body: CreateCallStreamRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/Accounts/{account_sid}/Calls/{call_sid}/Streams".format(
            account_sid=quote(str(account_sid), safe=""),
            call_sid=quote(str(call_sid), safe=""),
        ),
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CallStream | ErrorBody:
    if response.status_code == 200:
        response_200 = CallStream.from_dict(response.json())

        return response_200

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

    response_default = ErrorBody.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CallStream | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    account_sid: str,
    call_sid: str,
    *,
    client: AuthenticatedClient | Client,
    body: CreateCallStreamRequest,
) -> Response[CallStream | ErrorBody]:
    """Start a stream on a live call.

    Args:
        account_sid (str):
        call_sid (str):
        body (CreateCallStreamRequest): Up to 99 custom parameters go as Parameter{N}.Name /
            Parameter{N}.Value, N = 1..99; the pairs after the second travel as additional properties.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CallStream | ErrorBody]
    """

    kwargs = _get_kwargs(
        account_sid=account_sid,
        call_sid=call_sid,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_sid: str,
    call_sid: str,
    *,
    client: AuthenticatedClient | Client,
    body: CreateCallStreamRequest,
) -> CallStream | ErrorBody | None:
    """Start a stream on a live call.

    Args:
        account_sid (str):
        call_sid (str):
        body (CreateCallStreamRequest): Up to 99 custom parameters go as Parameter{N}.Name /
            Parameter{N}.Value, N = 1..99; the pairs after the second travel as additional properties.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CallStream | ErrorBody
    """

    return sync_detailed(
        account_sid=account_sid,
        call_sid=call_sid,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    account_sid: str,
    call_sid: str,
    *,
    client: AuthenticatedClient | Client,
    body: CreateCallStreamRequest,
) -> Response[CallStream | ErrorBody]:
    """Start a stream on a live call.

    Args:
        account_sid (str):
        call_sid (str):
        body (CreateCallStreamRequest): Up to 99 custom parameters go as Parameter{N}.Name /
            Parameter{N}.Value, N = 1..99; the pairs after the second travel as additional properties.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CallStream | ErrorBody]
    """

    kwargs = _get_kwargs(
        account_sid=account_sid,
        call_sid=call_sid,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_sid: str,
    call_sid: str,
    *,
    client: AuthenticatedClient | Client,
    body: CreateCallStreamRequest,
) -> CallStream | ErrorBody | None:
    """Start a stream on a live call.

    Args:
        account_sid (str):
        call_sid (str):
        body (CreateCallStreamRequest): Up to 99 custom parameters go as Parameter{N}.Name /
            Parameter{N}.Value, N = 1..99; the pairs after the second travel as additional properties.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CallStream | ErrorBody
    """

    return (
        await asyncio_detailed(
            account_sid=account_sid,
            call_sid=call_sid,
            client=client,
            body=body,
        )
    ).parsed

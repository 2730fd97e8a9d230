from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.conference_stream import ConferenceStream
from ...models.create_conference_stream_request import CreateConferenceStreamRequest
from ...models.error_body import ErrorBody
from ...types import Response


def _get_kwargs(
    account_sid: str,
    conference_sid: str,
    *,
    body: CreateConferenceStreamRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/Accounts/{account_sid}/Conferences/{conference_sid}/Streams".format(
            account_sid=quote(str(account_sid), safe=""),
            conference_sid=quote(str(conference_sid), safe=""),
        ),
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ConferenceStream | ErrorBody:
    if response.status_code == 200:
        response_200 = ConferenceStream.from_dict(response.json())

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
) -> Response[ConferenceStream | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    account_sid: str,
    conference_sid: str,
    *,
    client: AuthenticatedClient | Client,
    body: CreateConferenceStreamRequest,
) -> Response[ConferenceStream | ErrorBody]:
    """Start a stream on a live conference.

    Args:
        account_sid (str):
        conference_sid (str):
        body (CreateConferenceStreamRequest): As CreateCallStreamRequest, plus the codec and real-
            time pacing.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ConferenceStream | ErrorBody]
    """

    kwargs = _get_kwargs(
        account_sid=account_sid,
        conference_sid=conference_sid,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_sid: str,
    conference_sid: str,
    *,
    client: AuthenticatedClient | Client,
    body: CreateConferenceStreamRequest,
) -> ConferenceStream | ErrorBody | None:
    """Start a stream on a live conference.

    Args:
        account_sid (str):
        conference_sid (str):
        body (CreateConferenceStreamRequest): As CreateCallStreamRequest, plus the codec and real-
            time pacing.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ConferenceStream | ErrorBody
    """

    return sync_detailed(
        account_sid=account_sid,
        conference_sid=conference_sid,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    account_sid: str,
    conference_sid: str,
    *,
    client: AuthenticatedClient | Client,
    body: CreateConferenceStreamRequest,
) -> Response[ConferenceStream | ErrorBody]:
    """Start a stream on a live conference.

    Args:
        account_sid (str):
        conference_sid (str):
        body (CreateConferenceStreamRequest): As CreateCallStreamRequest, plus the codec and real-
            time pacing.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ConferenceStream | ErrorBody]
    """

    kwargs = _get_kwargs(
        account_sid=account_sid,
        conference_sid=conference_sid,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_sid: str,
    conference_sid: str,
    *,
    client: AuthenticatedClient | Client,
    body: CreateConferenceStreamRequest,
) -> ConferenceStream | ErrorBody | None:
    """Start a stream on a live conference.

    Args:
        account_sid (str):
        conference_sid (str):
        body (CreateConferenceStreamRequest): As CreateCallStreamRequest, plus the codec and real-
            time pacing.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ConferenceStream | ErrorBody
    """

    return (
        await asyncio_detailed(
            account_sid=account_sid,
            conference_sid=conference_sid,
            client=client,
            body=body,
        )
    ).parsed

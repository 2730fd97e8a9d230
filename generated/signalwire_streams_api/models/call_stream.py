from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    ClassVar,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.stream_status import StreamStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="CallStream")

# The attributes of the documented fields, in the order of CallStream.WIRE_NAMES.
_ATTRIBUTES: tuple[str, ...] = (
    "sid",
    "account_sid",
    "name",
    "status",
    "date_updated",
    "uri",
    "api_version",
    "error_code",
    "call_sid",
)


@_attrs_define
class CallStream:
    """
    Attributes:
        sid (str | Unset):
        account_sid (str | Unset):
        name (None | str | Unset): The stream's name; null for a conference stream created without one.
        status (str | StreamStatus | Unset):
        date_updated (str | Unset): RFC 2822, e.g. "Wed, 19 Sep 2018 21:00:00 +0000".
        uri (str | Unset):
        api_version (str | Unset):
        error_code (int | None | str | Unset):
        call_sid (str | Unset):
    """

    sid: str | Unset = UNSET
    account_sid: str | Unset = UNSET
    name: None | str | Unset = UNSET
    status: str | StreamStatus | Unset = UNSET
    date_updated: str | Unset = UNSET
    uri: str | Unset = UNSET
    api_version: str | Unset = UNSET
    error_code: int | None | str | Unset = UNSET
    call_sid: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    WIRE_NAMES: ClassVar[tuple[str, ...]] = (
        "sid",
        "account_sid",
        "name",
        "status",
        "date_updated",
        "uri",
        "api_version",
        "error_code",
        "call_sid",
    )
    """The documented fields' names on the wire, in the order they are sent."""

    def to_dict(self) -> dict[str, Any]:
        sid = self.sid

        account_sid = self.account_sid

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        status: str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, StreamStatus):
            status = self.status.value
        else:
            status = self.status

        date_updated = self.date_updated

        uri = self.uri

        api_version = self.api_version

        error_code: int | None | str | Unset
        if isinstance(self.error_code, Unset):
            error_code = UNSET
        else:
            error_code = self.error_code

        call_sid = self.call_sid

        field_dict: dict[str, Any] = {}
        field_dict.update({})
        if sid is not UNSET:
            field_dict["sid"] = sid
        if account_sid is not UNSET:
            field_dict["account_sid"] = account_sid
        if name is not UNSET:
            field_dict["name"] = name
        if status is not UNSET:
            field_dict["status"] = status
        if date_updated is not UNSET:
            field_dict["date_updated"] = date_updated
        if uri is not UNSET:
            field_dict["uri"] = uri
        if api_version is not UNSET:
            field_dict["api_version"] = api_version
        if error_code is not UNSET:
            field_dict["error_code"] = error_code
        if call_sid is not UNSET:
            field_dict["call_sid"] = call_sid
        for prop_name, prop in self.additional_properties.items():
            field_dict.setdefault(prop_name, prop)  # a documented field keeps its own value

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if not isinstance(src_dict, Mapping):
            raise TypeError(f"{cls.__name__} is read from a JSON object, not {type(src_dict).__name__}")
        d = dict(src_dict)
        sid = d.pop("sid", UNSET)

        account_sid = d.pop("account_sid", UNSET)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_status(data: object) -> str | StreamStatus | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = StreamStatus(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(str | StreamStatus | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        date_updated = d.pop("date_updated", UNSET)

        uri = d.pop("uri", UNSET)

        api_version = d.pop("api_version", UNSET)

        def _parse_error_code(data: object) -> int | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | str | Unset, data)

        error_code = _parse_error_code(d.pop("error_code", UNSET))

        call_sid = d.pop("call_sid", UNSET)

        call_stream = cls(
            sid=sid,
            account_sid=account_sid,
            name=name,
            status=status,
            date_updated=date_updated,
            uri=uri,
            api_version=api_version,
            error_code=error_code,
            call_sid=call_sid,
        )

        call_stream.additional_properties = d
        return call_stream

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.stop_status import StopStatus

T = TypeVar("T", bound="StopStreamRequest")

# The attributes of the documented fields, in the order of StopStreamRequest.WIRE_NAMES.
_ATTRIBUTES: tuple[str, ...] = ("status",)


@_attrs_define
class StopStreamRequest:
    """
    Attributes:
        status (StopStatus):
    """

    status: StopStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    WIRE_NAMES: ClassVar[tuple[str, ...]] = ("Status",)
    """The documented fields' names on the wire, in the order they are sent."""

    def to_dict(self) -> dict[str, Any]:
        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(
            {
                "Status": status,
            }
        )
        for prop_name, prop in self.additional_properties.items():
            field_dict.setdefault(prop_name, prop)  # a documented field keeps its own value

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if not isinstance(src_dict, Mapping):
            raise TypeError(f"{cls.__name__} is read from a JSON object, not {type(src_dict).__name__}")
        d = dict(src_dict)
        status = StopStatus(d.pop("Status"))

        stop_stream_request = cls(
            status=status,
        )

        stop_stream_request.additional_properties = d
        return stop_stream_request

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

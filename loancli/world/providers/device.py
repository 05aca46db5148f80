"""The borrower's phone, as the app records it at login, and the app's minimum requirements."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, TypedDict

from loancli.i18n import _
from loancli.text import require_ascii_digits
from loancli.validation import Check
from loancli.world.providers.faults import NEVER, Fault

_VERSION = re.compile(r"[0-9]+(\.[0-9]+)*")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".") if p.isascii() and p.isdigit())


def check_version(text: str) -> str:
    """A version as an app shows it: numbers 0-9 separated by dots (``14``, ``8.6.0``)."""
    require_ascii_digits(text)
    if not _VERSION.fullmatch(text):
        raise ValueError(
            _("{text!r} is not a version; write numbers and dots, e.g. 14 or 8.6.0").format(
                text=text
            )
        )
    return text


Version = Annotated[str, Check(check_version)]


class DeviceInfo(TypedDict):
    """The phone as the app records it at login."""

    model: str
    manufacturer: str
    os: str
    app_version: str
    network: str


@dataclass
class DeviceSettings:
    model: str = "Redmi Note 13"
    manufacturer: str = "Xiaomi"
    os: str = "Android"
    os_version: Version = "14"
    app_version: Version = "8.6.0"
    camera: bool = True
    network: str = "4G"  # wifi, 4G, 5G, weak, unstable
    city: str = "北京"
    # The connection drops while an image uploads (an unstable network).
    network_drops: Fault = NEVER
    # What the app requires; a phone below it is refused before any upload.
    min_os_version: Version = "8.0"
    min_app_version: Version = "7.0.0"

    def describe(self) -> DeviceInfo:
        return {
            "model": self.model,
            "manufacturer": self.manufacturer,
            "os": f"{self.os} {self.os_version}",
            "app_version": self.app_version,
            "network": self.network,
        }

    def shortcomings(self) -> list[str]:
        """What keeps this phone from the identity check, each with the requirement."""
        out: list[str] = []
        if self.os != "Android":
            out.append(f"the app runs on Android only, this phone runs {self.os}")
        elif _version(self.os_version) < _version(self.min_os_version):
            out.append(
                f"Android {self.os_version} is older than the required Android "
                f"{self.min_os_version}"
            )
        if _version(self.app_version) < _version(self.min_app_version):
            out.append(
                f"app version {self.app_version} is older than the required {self.min_app_version}"
            )
        if not self.camera:
            out.append("no usable camera for the ID photo and face check")
        return out

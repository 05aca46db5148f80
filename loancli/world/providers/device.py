"""The borrower's phone, as the app records it at login, and the app's minimum requirements."""

from __future__ import annotations

from dataclasses import dataclass

from loancli.world.providers.faults import NEVER, Fault


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".") if p.isdigit())


@dataclass
class DeviceSettings:
    model: str = "Redmi Note 13"
    manufacturer: str = "Xiaomi"
    os: str = "Android"
    os_version: str = "14"
    app_version: str = "8.6.0"
    camera: bool = True
    network: str = "4G"  # wifi, 4G, 5G, weak, unstable
    city: str = "北京"
    # The connection drops while an image uploads (an unstable network).
    network_drops: Fault = NEVER
    # What the app requires; a phone below it is refused before any upload.
    min_os_version: str = "8.0"
    min_app_version: str = "7.0.0"

    def describe(self) -> dict[str, object]:
        return {
            "model": self.model,
            "manufacturer": self.manufacturer,
            "os": f"{self.os} {self.os_version}",
            "app_version": self.app_version,
            "network": self.network,
        }

    def shortcomings(self) -> list[str]:
        """What keeps this phone from the identity check, each with the requirement."""
        out = []
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

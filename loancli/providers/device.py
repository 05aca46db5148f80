"""The borrower's phone, as the app records it at login."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class DeviceSettings:
    model: str = "Redmi Note 13"
    manufacturer: str = "Xiaomi"
    os: str = "Android 14"
    app_version: str = "8.6.0"
    camera: bool = True
    network: str = "4G"

    def describe(self) -> dict[str, object]:
        return {
            "model": self.model,
            "manufacturer": self.manufacturer,
            "os": self.os,
            "app_version": self.app_version,
            "network": self.network,
        }

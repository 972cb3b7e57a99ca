"""A thin requests wrapper the sandbox tests use to talk to a sandbox over real HTTP."""

from __future__ import annotations

from typing import Any

import requests


class Octo:
    """Talks to one sandbox over HTTP as a plain REST client would; ``p`` is the default space's prefix."""

    def __init__(self, server: Any, api_key: str | None = None) -> None:
        self.server = server
        self.session = requests.Session()
        self.session.headers["X-Octopus-ApiKey"] = api_key or server.api_key
        self.space = server.space_id("Default")
        self.p = f"/api/{self.space}"

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(self.server.url + path, params=params, timeout=10)

    def post(self, path: str, body: Any) -> requests.Response:
        return self.session.post(self.server.url + path, json=body, timeout=10)

    def put(self, path: str, body: Any) -> requests.Response:
        return self.session.put(self.server.url + path, json=body, timeout=10)

    def delete(self, path: str) -> requests.Response:
        return self.session.delete(self.server.url + path, timeout=10)

    def ok(self, response: requests.Response) -> Any:
        assert response.status_code in (200, 201), (response.status_code, response.text)
        return response.json()

    def create(self, route: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.ok(self.post(f"{self.p}/{route}", body))
        return result

    def default_lifecycle(self) -> dict[str, Any]:
        lifecycles = self.ok(self.get(f"{self.p}/lifecycles/all"))
        return next(item for item in lifecycles if item["Name"] == "Default Lifecycle")

    def project(self, name: str, **fields: Any) -> dict[str, Any]:
        groups = self.ok(self.get(f"{self.p}/projectgroups/all"))
        group = groups[0] if groups else self.create("projectgroups", {"Name": "All Projects"})
        body = {"Name": name, "ProjectGroupId": group["Id"], "LifecycleId": self.default_lifecycle()["Id"]}
        return self.create("projects", {**body, **fields})

    def close(self) -> None:
        self.session.close()

"""The verification snippet the README gives users accepts the mock's signatures, rejects others."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from mockserver.webhooks.signing import RobawsSignature

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_verifier() -> Any:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    source = next(block for block in blocks if "def verify_robaws" in block)
    namespace: dict[str, Any] = {}
    exec(compile(source, "README.md", "exec"), namespace)
    return namespace["verify_robaws"]


def test_the_readme_snippet_verifies_what_the_mock_signs() -> None:
    verify = readme_verifier()
    signer = RobawsSignature()
    secret = signer.new_secret()
    body = b'{"id":"evt_1","event":"client.created","data":{"id":"1001"}}'
    header = signer.headers(secret, "evt_1", body, int(time.time()))["Robaws-Signature"]
    assert verify(secret, header, body)
    assert not verify(secret, header, body + b" ")
    assert not verify("another-secret", header, body)
    stale = signer.headers(secret, "evt_1", body, int(time.time()) - 3600)["Robaws-Signature"]
    assert not verify(secret, stale, body)

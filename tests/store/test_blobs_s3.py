"""The object store on S3 (the `[s3]` extra), against a real S3-compatible server: moto in server
mode on loopback, one per module. Objects keep their guarantees there — content addressed,
verified on read, never partial under an object name — a delivery and a freeze run with their
bytes on S3, and `flywheel init` on a bucket that does not exist fails, creates nothing (no
bucket either) and leaves the retry clean."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("s3fs", reason="the [s3] extra is not installed")
moto_server = pytest.importorskip("moto.server", reason="moto[server] is not installed")

from clirun import flywheel  # noqa: E402
from datapool_helpers import frozen_version  # noqa: E402
from team_helpers import make_team  # noqa: E402

from dataflywheel.errors import WorkspaceError  # noqa: E402
from dataflywheel.flows.governance.bootstrap import init_workspace  # noqa: E402
from dataflywheel.flows.integrity import check_objects, check_versions  # noqa: E402
from dataflywheel.settings import Settings  # noqa: E402
from dataflywheel.store.blobs import BlobStore  # noqa: E402

BUCKET = "flywheel-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3() -> Iterator[Any]:
    """A moto S3 server on loopback with one bucket; the AWS settings point every client at it."""
    import boto3
    import s3fs  # type: ignore[import-untyped]

    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(),
                                            verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as env:
        for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint}.items():
            env.setenv(key, value)
        s3fs.S3FileSystem.clear_instance_cache()
        client = boto3.client("s3", endpoint_url=endpoint)
        client.create_bucket(Bucket=BUCKET)
        yield client
        s3fs.S3FileSystem.clear_instance_cache()
    server.stop()


def test_objects_round_trip_and_verify_on_s3(s3: Any) -> None:
    store = BlobStore(f"s3://{BUCKET}/roundtrip")
    ref = store.put_stream(io.BytesIO(b"hello\n" * 1000))
    assert store.put_stream(io.BytesIO(b"hello\n" * 1000)) == ref  # idempotent
    with store.open(ref.sha256) as handle:
        assert handle.read() == b"hello\n" * 1000
    assert list(store.iter_objects()) == [ref.sha256]
    assert store.verify(expected=[ref.sha256]) == [] and store.temp_files() == []
    key = f"roundtrip/{ref.sha256[:2]}/{ref.sha256[2:4]}/{ref.sha256}"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"tampered")  # someone edits the object
    store.fs.invalidate_cache()
    [problem] = store.verify()
    assert problem.kind == "mismatch" and problem.expected == ref.sha256


class _Breaks(io.RawIOBase):
    """A stream that fails after its first chunk, as a dropped upload does."""

    def __init__(self) -> None:
        self.calls = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        if self.calls > 1:
            raise ConnectionError("the sender went away")
        return b"x" * 1024


def test_a_failed_write_leaves_no_object_and_no_temp_key(s3: Any) -> None:
    store = BlobStore(f"s3://{BUCKET}/failed")
    with pytest.raises(ConnectionError):
        store.put_stream(_Breaks())  # type: ignore[arg-type]
    store.fs.invalidate_cache()
    assert list(store.iter_objects()) == [] and store.temp_files() == []


def test_a_bucket_that_does_not_exist_is_an_error_and_is_not_created(s3: Any) -> None:
    with pytest.raises(WorkspaceError, match="cannot write the object store") as caught:
        BlobStore("s3://no-such-bucket/objects").probe()
    assert caught.value.path == "s3://no-such-bucket/objects"
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [BUCKET]


def test_init_on_a_missing_bucket_leaves_nothing_and_the_retry_works(
        s3: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    home = tmp_path / "fresh"
    url = "s3://later-bucket/ws"
    failed = flywheel(capsys, home, "--objects", url, "init")
    assert failed.code == 2 and "cannot write the object store" in failed.err
    assert not home.exists()  # no folder, no database: nothing blocks the retry
    s3.create_bucket(Bucket="later-bucket")
    done = flywheel(capsys, home, "--objects", url, "init")
    assert done.code == 0, done.err
    assert (home / ".flywheel" / "flywheel.db").is_file()
    assert not (home / ".flywheel" / "objects").exists()  # the objects are on S3


def test_a_delivery_and_a_freeze_keep_their_bytes_on_s3(s3: Any, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", objects=f"s3://{BUCKET}/team", login="tester",
                        audit_key=tmp_path / "audit.key")
    with init_workspace(settings, person="tester") as ws:
        make_team(ws)
        version = frozen_version(ws, tmp_path)
        found = check_objects(ws)
        checked, problems = check_versions(ws)
    assert found.objects >= 2 and not found.problems and not found.malformed
    assert (checked, problems) == (1, [])
    assert version
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="team/")["Contents"]]
    assert len(keys) == found.objects and not any("/.tmp/" in k for k in keys)


def test_a_scheme_whose_package_is_missing_says_what_to_install() -> None:
    with pytest.raises(WorkspaceError, match="needs a package that is not installed"):
        BlobStore("gcs://bucket/objects").probe()

"""The artifact store and cached steps: a cache hit's cost, memory while saving 1 GB, a duplicate save's cost."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

from bench.common import report, scratch_dir

CACHE_HIT = r"""
import json, os, statistics, sys, time
import mltrace
from mltrace.tracking import caching
mltrace.set_db_uri(f"sqlite:///{os.environ['MLTRACE_HOME']}/bench.db")
PAYLOAD = os.urandom(1_000_000)

def body(n):
    return PAYLOAD

step = mltrace.register("cached", cache=True)(body)

def median_us(fn, repeat=301):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e6

assert step(1) == PAYLOAD  # the miss: computed, result stored
assert mltrace.flush(30)
plain = median_us(lambda: body(1))
hit = median_us(lambda: step(1))  # this process remembers its own result

def hit_from_the_database():
    caching._mine.clear()  # as another process would: ask the database
    step(1)

cold = median_us(hit_from_the_database, repeat=101)
assert mltrace.flush(30)
statuses = {r.status for r in mltrace.get_history("cached")}
assert statuses == {"success", "cached"}, statuses
print(json.dumps({"plain_us": plain, "hit_added_us": hit - plain, "hit_from_database_added_us": cold - plain}))
"""

BIG_SAVE = r"""
import json, os, sys, time
import mltrace

def peak_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024

size = int(sys.argv[2])
if sys.argv[1] == "file":
    path = os.path.join(os.environ["MLTRACE_HOME"], "big.bin")
    block = os.urandom(1 << 20)
    with open(path, "wb") as out:
        for i in range(size >> 20):
            out.write(block[:-8] + i.to_bytes(8, "little"))
    save = lambda: mltrace.log_artifact(path)
else:
    import numpy
    obj = numpy.frombuffer(os.urandom(1 << 20) * (size >> 20), dtype=numpy.uint8)  # in the baseline, every page
    save = lambda: mltrace.save(obj, "big")  # pickled (protocol 5: the array's buffer is written, not copied)
mltrace.save(b"warm up", "small")  # imports and the store's folders, outside the measure
before = peak_mb()
started = time.perf_counter()
save()
print(json.dumps({"growth_mb": peak_mb() - before, "seconds": time.perf_counter() - started}))
"""

DUPLICATE = r"""
import json, os, statistics, sys, time, uuid
import mltrace

obj = os.urandom(100 * 10**6)
firsts, seconds = [], []
for round in range(int(sys.argv[1])):
    if len(sys.argv) > 2:  # an S3 endpoint
        import s3fs
        bucket = f"bench-{uuid.uuid4().hex[:10]}"
        s3fs.S3FileSystem().mkdir(bucket)
        os.environ["MLTRACE_ARTIFACT_URI"] = f"s3://{bucket}/artifacts"
    else:
        os.environ["MLTRACE_ARTIFACT_URI"] = os.path.join(os.environ["MLTRACE_HOME"], f"store-{round}")
    mltrace.client._reset_default()
    mltrace.save(b"warm up", "small")
    started = time.perf_counter()
    first = mltrace.save(obj, "model.pkl")
    firsts.append(time.perf_counter() - started)
    for _ in range(3):  # the first duplicate, right after 100 MB were written and synced, shares the disk's flush
        started = time.perf_counter()
        assert mltrace.save(obj, "model.pkl") == first
        seconds.append(time.perf_counter() - started)
first, second = statistics.median(firsts), statistics.median(seconds)
print(json.dumps({"first_s": first, "duplicate_s": second, "ratio": first / second}))
"""


def _measure(script: str, *args: str, **extra_env: str) -> dict[str, float]:
    home = scratch_dir()
    path = f"{home}/measure.py"  # a file: a cached step needs its source
    with open(path, "w") as handle:
        handle.write(script)
    env = {"MLTRACE_HOME": home, "MLTRACE_FLUSH_INTERVAL": "0.01", "PATH": "/usr/bin:/bin", **extra_env}
    out = subprocess.run([sys.executable, path, *args], env=env, capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        raise RuntimeError(f"the benchmark failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> dict[str, dict[str, float]]:
    hit = _measure(CACHE_HIT)
    report(
        "cache hit, 1 MB result, local store: added over a plain call",
        f"{hit['hit_added_us'] / 1000:.2f} ms",
        "target ≤ 2 ms",
    )
    report(
        "  the same, looked up in the database (another process)", f"{hit['hit_from_database_added_us'] / 1000:.2f} ms"
    )
    big_file = _measure(BIG_SAVE, "file", str(1 << 30))
    report("log_artifact of a 1 GiB file: peak memory growth", f"{big_file['growth_mb']:.1f} MB", "target ≤ 64 MB")
    big_object = _measure(BIG_SAVE, "object", str(1 << 30))
    report("save of a 1 GiB NumPy array: peak memory growth", f"{big_object['growth_mb']:.1f} MB", "target ≤ 64 MB")
    duplicate = _measure(DUPLICATE, "5")
    report(
        "save of 100 MB: first / duplicate",
        f"{duplicate['first_s'] * 1000:.0f} / {duplicate['duplicate_s'] * 1000:.0f} ms",
    )
    report("  duplicate save, times faster than the first", f"{duplicate['ratio']:.1f}×", "target ≥ 10×")
    on_s3 = _duplicate_on_s3()
    if on_s3 is not None:
        report(
            "save of 100 MB to S3 (moto on loopback): first / duplicate",
            f"{on_s3['first_s'] * 1000:.0f} / {on_s3['duplicate_s'] * 1000:.0f} ms",
        )
        report("  duplicate save, times faster than the first", f"{on_s3['ratio']:.1f}×", "target ≥ 10×")
    return {
        "cache_hit": hit,
        "save_1gib_file": big_file,
        "save_1gib_object": big_object,
        "duplicate_100mb": duplicate,
        "duplicate_100mb_s3": on_s3 or {},
    }


def _duplicate_on_s3() -> dict[str, float] | None:
    """The duplicate save against an S3 API (moto's server on loopback), when moto and s3fs are installed."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        return None
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the server's request log
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        credentials = {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        return _measure(DUPLICATE, "3", "s3", AWS_ENDPOINT_URL=f"http://{host}:{port}", **credentials)
    finally:
        server.stop()

#!/usr/bin/env python3
"""Checks an image tarball jib wrote (jib:buildTar, OCI layout) without a container engine:

  1. its config: the entrypoint runs `java` with the expected main class, the user is not root,
     the exposed ports are exactly the expected ones, and the service binds every interface;
  2. that it runs: the layers are unpacked into a root file system in order and the entrypoint is
     started there under chroot as the image's user, with the environment of the image plus
     --env overrides (so it binds 127.0.0.1 on free ports here), until --ready-url answers 200;
  3. that it stops: SIGTERM to the entrypoint's process, as a runtime sends on stop, ends it
     within 10 s.
Steps 2 and 3 need root (chroot) and run only with --ready-url; CI runs as root.

Usage: check-image.py TAR --main CLASS --ports 8081,8082 [--env K=V ...] [--ready-url URL]
In --env and --ready-url, {port0}, {port1}, ... are free loopback ports picked here."""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request


def fail(message):
    sys.exit(f"check-image: FAIL: {message}")


def read_json(tar, name):
    return json.load(tar.extractfile(name))


def blob(digest):
    return "blobs/" + digest.replace(":", "/")


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def check_config(config, main, ports):
    cfg = config["config"]
    entrypoint = cfg.get("Entrypoint") or fail("no entrypoint")
    if entrypoint[0] != "java" or entrypoint[-1] != main:
        fail(f"entrypoint {entrypoint} does not run java ... {main}")
    user = cfg.get("User", "")
    if user.split(":")[0] in ("", "0", "root"):
        fail(f"runs as root (User={user!r})")
    exposed = sorted(cfg.get("ExposedPorts", {}))
    expected = sorted(f"{p}/tcp" for p in ports)
    if exposed != expected:
        fail(f"exposes {exposed}, expected {expected}")
    env = dict(e.split("=", 1) for e in cfg.get("Env", []))
    binds = {k: v for k, v in env.items() if k.endswith("_BIND")}
    if not binds or any(v != "0.0.0.0" for v in binds.values()):
        fail(f"binds {binds}; a container's service must bind 0.0.0.0")
    print(f"check-image: config ok: user {user}, ports {exposed}, binds {sorted(binds)}, entrypoint java ... {main}")
    return cfg, env


def leaf_processes(pid):
    """The processes under pid that have no children of their own (the exec'd entrypoint)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = [int(c) for c in f.read().split()]
    except FileNotFoundError:
        return []
    if not children:
        return [pid]
    return [leaf for child in children for leaf in leaf_processes(child)]


def unpack(tar, manifest, root):
    for layer in manifest["layers"]:
        with tarfile.open(fileobj=tar.extractfile(blob(layer["digest"])), mode="r:*") as layer_tar:
            for member in layer_tar.getmembers():
                name = os.path.basename(member.name)
                if name.startswith(".wh."):
                    fail(f"whiteout {member.name}: this checker does not apply deletions")
            layer_tar.extractall(root, filter="tar")


def run(cfg, env, root, overrides, ready_url, timeout):
    env = {**env, **overrides, "PATH": env.get("PATH", "") + ":/usr/sbin:/usr/bin:/sbin:/bin"}
    user = cfg["User"] if ":" in cfg["User"] else cfg["User"] + ":" + cfg["User"]
    # A container runtime gives the process /proc (the dynamic loader finds libjli.so through
    # /proc/self/exe) and /dev (the JVM's SecureRandom reads /dev/urandom); so does this, in a
    # mount and pid namespace of its own that dies with the check.
    for mount_point in ("proc", "dev"):
        os.makedirs(os.path.join(root, mount_point), exist_ok=True)
    inner = ["chroot", f"--userspec={user}", root] + cfg["Entrypoint"] + cfg.get("Cmd", [])
    command = ["unshare", "--mount", "--pid", "--fork", "--kill-child=SIGTERM", "sh", "-c",
               'mount -t proc proc "$0/proc" && mount --rbind /dev "$0/dev" && shift && exec "$@"', root, "-"] + inner
    workdir = cfg.get("WorkingDir", "/")
    log_path = os.path.join(root, "..", "service.log")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(["env", "-i"] + [f"{k}={v}" for k, v in env.items()] + command,
                                   stdout=log, stderr=subprocess.STDOUT, cwd=os.path.join(root, workdir.lstrip("/")))
    started = time.monotonic()
    try:
        while time.monotonic() - started < timeout:
            if process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(ready_url, timeout=1) as answer:
                    if answer.status == 200:
                        print(f"check-image: runs: {ready_url} answered 200 after {time.monotonic() - started:.1f}s "
                              f"(chroot as {user})")
                        return
            except OSError:
                pass
            time.sleep(0.2)
        with open(log_path, errors="replace") as f:
            tail = f.read()[-3000:]
        fail(f"{ready_url} did not answer 200 within {timeout}s (exit {process.poll()}); output:\n{tail}")
    finally:
        if process.poll() is None:
            stopping = time.monotonic()
            # unshare ignores SIGTERM while it waits for its child, so the signal goes where a
            # container runtime sends it on stop: to the entrypoint's process (PID 1 inside).
            for pid in leaf_processes(process.pid):
                os.kill(pid, signal.SIGTERM)
            try:
                process.wait(10)
                print(f"check-image: stopped {time.monotonic() - stopping:.1f}s after SIGTERM (exit {process.returncode})")
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                fail("still running 10s after SIGTERM (a container runtime would kill it): killed")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tar")
    parser.add_argument("--main", required=True)
    parser.add_argument("--ports", required=True)
    parser.add_argument("--env", action="append", default=[])
    parser.add_argument("--ready-url")
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    with tarfile.open(args.tar) as tar:
        index = read_json(tar, "index.json")
        manifest = read_json(tar, blob(index["manifests"][0]["digest"]))
        config = read_json(tar, blob(manifest["config"]["digest"]))
        cfg, env = check_config(config, args.main, [int(p) for p in args.ports.split(",")])
        if not args.ready_url:
            return
        if os.geteuid() != 0:
            fail("running the image needs root (chroot)")
        ports = {f"port{i}": p for i, p in enumerate(free_ports(8))}
        overrides = dict(e.format(**ports).split("=", 1) for e in args.env)
        work = tempfile.mkdtemp(prefix="embassy-image-check-")
        try:
            root = os.path.join(work, "rootfs")
            os.mkdir(root)
            started = time.monotonic()
            unpack(tar, manifest, root)
            print(f"check-image: unpacked {len(manifest['layers'])} layers in {time.monotonic() - started:.1f}s")
            run(cfg, env, root, overrides, args.ready_url.format(**ports), args.timeout)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Builds the offline base image for jib (profile image-offline-base): a JRE and the glibc it
needs, assembled from this machine alone, written as a `docker save` tarball that jib reads
through `tar://`. No registry is reachable here, so eclipse-temurin cannot be pulled; this base
exists so CI can build and run real images anyway. Releases use the registry base in pom.xml.

  - /opt/java/openjdk: jlink of the JDK in JAVA_HOME (java.se and the jdk modules the services
    load: jdk.unsupported for protobuf/Netty, jdk.management, jdk.naming.dns, jdk.zipfs);
  - the shared libraries that JRE links against (ldd), copied from the host, i.e. Debian's libc6;
  - /etc/passwd and /etc/group with root and nonroot (65532, the uid jib runs the services as),
    /etc/nsswitch.conf, and a world-writable /tmp for the JVM's perf data and temp files.

Usage: offline-base.py OUTPUT.tar      (JAVA_HOME names the JDK; output is byte-for-byte
reproducible for the same JDK and host libraries)"""
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile

MODULES = "java.se,jdk.httpserver,jdk.unsupported,jdk.management,jdk.naming.dns,jdk.zipfs,jdk.crypto.cryptoki"
JAVA_DIR = "opt/java/openjdk"
LIB_DIR = "usr/lib/x86_64-linux-gnu"
# Loaded only by AWT, sound and the splash screen, never by a headless service; their X11 and
# ALSA dependencies are left out with them.
DESKTOP_LIBS = {"libawt_xawt.so", "libjawt.so", "libsplashscreen.so", "libjsound.so"}
NONROOT = 65532
ETC = {
    "etc/passwd": f"root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:{NONROOT}:{NONROOT}:nonroot:/home/nonroot:/sbin/nologin\n",
    "etc/group": f"root:x:0:\nnonroot:x:{NONROOT}:\n",
    "etc/nsswitch.conf": "passwd: files\ngroup: files\nhosts: files dns\n",
}


def jlink(java_home, out):
    subprocess.run([os.path.join(java_home, "bin", "jlink"), "--add-modules", MODULES, "--strip-debug",
                    "--no-man-pages", "--no-header-files", "--output", out], check=True)
    for name in DESKTOP_LIBS:
        path = os.path.join(out, "lib", name)
        if os.path.exists(path):
            os.remove(path)


def linked_libraries(jre):
    """Host libraries (real paths) that the JRE's binaries and shared objects load."""
    objects = [os.path.join(jre, "bin", "java")]
    for root, _, files in os.walk(jre):
        objects += [os.path.join(root, f) for f in files if f.endswith(".so")]
    own = {os.path.basename(o) for o in objects}
    libs = set()
    for obj in objects:
        out = subprocess.run(["ldd", obj], capture_output=True, text=True).stdout
        for line in out.splitlines():
            parts = line.split()
            # libjvm.so is already loaded when the JDK's own libraries are, so ldd's "not found"
            # for a library of the JRE itself means nothing.
            if "=>" in parts and parts[parts.index("=>") + 1] == "not" and parts[0] not in own:
                sys.exit(f"offline-base: {obj} needs {parts[0]}, which this machine lacks")
            path = parts[2] if "=>" in parts else parts[0]
            if path.startswith("/") and not path.startswith(jre):
                libs.add(path)
    return sorted(libs)


def entry(name, kind=tarfile.REGTYPE, mode=0o644, size=0, link="", owner=0):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.size, info.linkname = kind, mode, size, link
    info.mtime = 0
    info.uid = info.gid = owner
    return info


def layer(jre, libs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        def add_dir(name, mode=0o755):
            tar.addfile(entry(name, tarfile.DIRTYPE, mode))

        for d in ["etc", "home", "opt", "opt/java", "usr", "usr/lib", LIB_DIR, "usr/lib64", "root"]:
            add_dir(d, 0o700 if d == "root" else 0o755)
        tar.addfile(entry("home/nonroot", tarfile.DIRTYPE, 0o755, owner=NONROOT))
        add_dir("tmp", 0o1777)
        # Debian's merged /usr: /lib and /lib64 are links, and the dynamic loader is named by
        # its /lib64 path in every binary.
        tar.addfile(entry("lib", tarfile.SYMTYPE, 0o777, link="usr/lib"))
        tar.addfile(entry("lib64", tarfile.SYMTYPE, 0o777, link="usr/lib64"))
        tar.addfile(entry("usr/lib64/ld-linux-x86-64.so.2", tarfile.SYMTYPE, 0o777,
                          link="../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"))
        for name, text in ETC.items():
            data = text.encode()
            tar.addfile(entry(name, size=len(data)), io.BytesIO(data))
        for lib in libs:
            real = os.path.realpath(lib)
            with open(real, "rb") as f:
                data = f.read()
            tar.addfile(entry(f"{LIB_DIR}/{os.path.basename(lib)}", mode=0o755, size=len(data)), io.BytesIO(data))
        for root, dirs, files in os.walk(jre):
            dirs.sort()
            rel = os.path.relpath(root, jre)
            target = JAVA_DIR if rel == "." else f"{JAVA_DIR}/{rel}"
            add_dir(target)
            for f in sorted(files):
                path = os.path.join(root, f)
                with open(path, "rb") as fh:
                    data = fh.read()
                tar.addfile(entry(f"{target}/{f}", mode=os.stat(path).st_mode & 0o777, size=len(data)), io.BytesIO(data))
    return buf.getvalue()


def java_version(jre):
    with open(os.path.join(jre, "release")) as f:
        for line in f:
            if line.startswith("JAVA_VERSION="):
                return line.split("=", 1)[1].strip().strip('"')
    return "unknown"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    java_home = os.environ.get("JAVA_HOME") or sys.exit("offline-base: JAVA_HOME is not set")
    with tempfile.TemporaryDirectory() as tmp:
        jre = os.path.join(tmp, "jre")
        jlink(java_home, jre)
        libs = linked_libraries(jre)
        data = layer(jre, libs)
        version = java_version(jre)
    diff_id = "sha256:" + hashlib.sha256(data).hexdigest()
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": "1970-01-01T00:00:00Z",
        "config": {
            "Env": [f"JAVA_HOME=/{JAVA_DIR}", f"PATH=/{JAVA_DIR}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Labels": {
                "org.opencontainers.image.title": "embassy offline JRE base",
                "org.opencontainers.image.description": "jlink'ed JRE from the build machine's JDK with that machine's glibc; for CI image checks only",
                "dev.embassy.base.java.version": version,
                "dev.embassy.base.libraries": " ".join(os.path.basename(lib) for lib in libs),
            },
        },
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "deploy/images/offline-base.py"}],
    }
    config_bytes = json.dumps(config, sort_keys=True).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    layer_name = diff_id.split(":")[1] + "/layer.tar"
    manifest = [{"Config": config_name, "RepoTags": ["embassy/offline-jre-base:latest"], "Layers": [layer_name]}]
    tmp_out = out + ".tmp"
    with tarfile.open(tmp_out, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, blob in [(config_name, config_bytes), (layer_name, data),
                           ("manifest.json", json.dumps(manifest).encode())]:
            tar.addfile(entry(name, size=len(blob)), io.BytesIO(blob))
    os.replace(tmp_out, out)
    print(f"offline-base: {out}: Java {version}, {len(libs)} host libraries, layer {len(data) // (1 << 20)} MiB")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Installs out/rdmarun and, on request, registers it with Docker, containerd and podman.
#
#   scripts/install.sh [OPTIONS]
#     --prefix DIR              install to DIR/bin/rdmarun (default /usr/local)
#     --bin FILE                the binary to install (default: out/rdmarun of this checkout)
#     --no-binary               register only (the binary is already at PREFIX/bin/rdmarun)
#     --name NAME               the runtime's name in the engines (default rdmarun)
#     --docker                  add runtimes.NAME.path to daemon.json, keeping every other key
#     --docker-config FILE      (default /etc/docker/daemon.json)
#     --print-docker-flag       print the dockerd flag (last line): --add-runtime NAME=PATH
#     --containerd              add runtime NAME (io.containerd.runc.v2, options.BinaryName=PATH)
#                               to the CRI plugin of config.toml; created from
#                               `containerd config default` when missing
#     --containerd-config FILE  (default /etc/containerd/config.toml)
#     --podman                  add NAME = ["PATH"] to [engine.runtimes] of containers.conf
#     --podman-config FILE      (default /etc/containers/containers.conf)
#     --uninstall               undo: remove the binary and the registrations selected with
#                               --docker/--containerd/--podman (only what this script added)
#
# Idempotent: a second run changes nothing. Every changed config file is first copied to
# FILE.bak.<UTC timestamp>; an edit that would leave a file unparsable is not written.
# Engines read these files at start: reload dockerd (SIGHUP) and restart containerd/podman.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
prefix=/usr/local bin_src=$repo/out/rdmarun name=rdmarun
docker=0 docker_flag=0 containerd=0 podman=0 uninstall=0 binary=1
docker_cfg=/etc/docker/daemon.json containerd_cfg=/etc/containerd/config.toml
podman_cfg=/etc/containers/containers.conf
usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
need_arg() { [ $# -ge 2 ] && [ -n "$2" ] || { echo "install.sh: $1 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
    case $1 in
        --prefix) need_arg "$@"; prefix=$2; shift 2 ;;
        --bin) need_arg "$@"; bin_src=$2; shift 2 ;;
        --no-binary) binary=0; shift ;;
        --name) need_arg "$@"; name=$2; shift 2 ;;
        --docker) docker=1; shift ;;
        --docker-config) need_arg "$@"; docker_cfg=$2; shift 2 ;;
        --print-docker-flag) docker_flag=1; shift ;;
        --containerd) containerd=1; shift ;;
        --containerd-config) need_arg "$@"; containerd_cfg=$2; shift 2 ;;
        --podman) podman=1; shift ;;
        --podman-config) need_arg "$@"; podman_cfg=$2; shift 2 ;;
        --uninstall) uninstall=1; shift ;;
        -h | --help) usage ;;
        *) echo "install.sh: unknown option $1" >&2; usage ;;
    esac
done
[[ $name =~ ^[A-Za-z0-9_.-]+$ ]] || { echo "install.sh: runtime name '$name' must be [A-Za-z0-9_.-]+" >&2; exit 2; }
# Engines exec the registered path from their own cwd: it must be absolute.
prefix=$(realpath -m "$prefix")
path=$prefix/bin/rdmarun
[[ $path != *[\"\\]* ]] || { echo "install.sh: prefix must not contain quotes or backslashes" >&2; exit 2; }

# Debian's python3 edits the configs: json for daemon.json, tomllib (3.11) to validate the TOML.
py=$(command -v /usr/bin/python3 || command -v python3 || true)
if [ "$docker$containerd$podman" != 000 ] && [ -z "$py" ]; then
    echo "install.sh: python3 is required to edit engine configs (apt-get install python3)" >&2; exit 1
fi

# edit.py ACTION FILE ARGS: one python program, so every config edit shares backup + atomic write.
edit() {
    "$py" - "$@" <<'PY'
import json, os, shutil, sys, time, tomllib

action, path, name, binpath = sys.argv[1:5]
MARK = "# added by rdmarun install.sh"

def backup_and_write(text):
    if os.path.exists(path):
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        bak = f"{path}.bak.{stamp}"
        n = 1
        while os.path.exists(bak):
            bak = f"{path}.bak.{stamp}.{n}"; n += 1
        shutil.copy2(path, bak)
        print(f"{path}: backup {bak}")
        mode = os.stat(path).st_mode & 0o7777
    else:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        mode = 0o644
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)

def read_text():
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return None

def parse_toml(text, what):
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        sys.exit(f"install.sh: {path}: {what}: {e}")

def docker(add):
    text = read_text()
    try:
        cfg = json.loads(text) if text and text.strip() else {}
    except json.JSONDecodeError as e:
        sys.exit(f"install.sh: {path}: not valid JSON ({e}); nothing changed")
    if not isinstance(cfg, dict):
        sys.exit(f"install.sh: {path}: top level is not a JSON object; nothing changed")
    runtimes = cfg.get("runtimes", {})
    if not isinstance(runtimes, dict):
        sys.exit(f"install.sh: {path}: \"runtimes\" is not an object; nothing changed")
    if add:
        if runtimes.get(name) == {"path": binpath}:
            print(f"{path}: runtime {name} already registered"); return
        runtimes[name] = {"path": binpath}
        cfg["runtimes"] = runtimes
    else:
        if name not in runtimes:
            print(f"{path}: runtime {name} not registered"); return
        if cfg.get("default-runtime") == name:
            sys.exit(f"install.sh: {path}: \"default-runtime\" is {name}; change it first (dockerd would not start)")
        del runtimes[name]
        if not runtimes:
            cfg.pop("runtimes", None)
    backup_and_write(json.dumps(cfg, indent=2) + "\n")
    print(f"{path}: runtime {name} {'registered' if add else 'removed'} (reload dockerd: kill -HUP <pid>)")

def marked_block_removed(lines):
    # Our lines carry MARK; a block we appended sits between "# begin"/"# end" comment lines.
    out, inside = [], False
    for line in lines:
        if line.strip() == f"{MARK}: begin {name}":
            if out and not out[-1].strip():
                out.pop()  # the blank line we put before the block
            inside = True; continue
        if inside and line.strip() == f"{MARK}: end {name}":
            inside = False; continue
        if inside or line.rstrip().endswith(f"{MARK} ({name})"):
            continue
        out.append(line)
    return out

def containerd(add):
    text = read_text()
    if text is None:
        sys.exit(f"install.sh: {path}: missing (the caller creates it from `containerd config default`)")
    cfg = parse_toml(text, "not valid TOML; nothing changed")
    version = cfg.get("version", 1)
    plugin = {1: "cri", 2: '"io.containerd.grpc.v1.cri"', 3: '"io.containerd.cri.v1.runtime"'}.get(version)
    if plugin is None:
        sys.exit(f"install.sh: {path}: config version {version} is not supported")
    key = plugin.strip('"')
    cur = cfg.get("plugins", {}).get(key, {}).get("containerd", {}).get("runtimes", {}).get(name)
    lines = text.splitlines(keepends=True)
    ours = any(l.strip() == f"{MARK}: begin {name}" for l in lines)
    want = {"runtime_type": "io.containerd.runc.v2", "options": {"BinaryName": binpath}}
    if add:
        if cur is not None and not ours:
            sys.exit(f"install.sh: {path}: runtime {name} is already defined (not by install.sh); edit it by hand")
        if cur is not None and cur.get("runtime_type") == want["runtime_type"] \
                and cur.get("options", {}).get("BinaryName") == binpath:
            print(f"{path}: runtime {name} already registered"); return
        lines = marked_block_removed(lines)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        table = f"plugins.{plugin}.containerd.runtimes.{name}"
        lines += [f"\n{MARK}: begin {name}\n", f"[{table}]\n",
                  f'  runtime_type = "io.containerd.runc.v2"\n',
                  f"  [{table}.options]\n", f'    BinaryName = "{binpath}"\n', f"{MARK}: end {name}\n"]
    else:
        if not ours:
            if cur is not None:
                sys.exit(f"install.sh: {path}: runtime {name} was not added by install.sh; left as is")
            print(f"{path}: runtime {name} not registered"); return
        lines = marked_block_removed(lines)
    new = "".join(lines)
    parse_toml(new, "the edit would not parse; nothing changed")
    backup_and_write(new)
    print(f"{path}: runtime {name} {'registered' if add else 'removed'} (restart containerd)")

def podman(add):
    text = read_text() or ""
    cfg = parse_toml(text, "not valid TOML; nothing changed")
    cur = cfg.get("engine", {}).get("runtimes", {}).get(name)
    lines = text.splitlines(keepends=True)
    ours = any(l.rstrip().endswith(f"{MARK} ({name})") for l in lines)
    if add:
        if cur is not None and not ours:
            sys.exit(f"install.sh: {path}: runtime {name} is already in [engine.runtimes] (not by install.sh); edit it by hand")
        if cur == [binpath]:
            print(f"{path}: runtime {name} already registered"); return
        lines = [l for l in lines if not l.rstrip().endswith(f"{MARK} ({name})")]
        entry = f'{name} = ["{binpath}"] {MARK} ({name})\n'
        at = next((i for i, l in enumerate(lines) if l.split("#")[0].strip() == "[engine.runtimes]"), None)
        if at is not None:
            lines.insert(at + 1, entry)
        else:
            if lines and not lines[-1].endswith("\n"):
                lines[-1] += "\n"
            lines += [f"\n{MARK}: begin {name}\n", "[engine.runtimes]\n", entry, f"{MARK}: end {name}\n"]
    else:
        if not ours:
            if cur is not None:
                sys.exit(f"install.sh: {path}: runtime {name} was not added by install.sh; left as is")
            print(f"{path}: runtime {name} not registered"); return
        lines = marked_block_removed(lines)
    new = "".join(lines)
    after = parse_toml(new, "the edit would not parse; nothing changed")
    if add and after.get("engine", {}).get("runtimes", {}).get(name) != [binpath]:
        sys.exit(f"install.sh: {path}: could not place {name} in [engine.runtimes]; edit it by hand")
    backup_and_write(new)
    print(f"{path}: runtime {name} {'registered' if add else 'removed'}")

{"docker-add": lambda: docker(True), "docker-remove": lambda: docker(False),
 "containerd-add": lambda: containerd(True), "containerd-remove": lambda: containerd(False),
 "podman-add": lambda: podman(True), "podman-remove": lambda: podman(False)}[action]()
PY
}

install_binary() {
    [ -f "$bin_src" ] || { echo "install.sh: $bin_src missing (run scripts/build.sh, or pass --bin FILE)" >&2; exit 1; }
    if [ -f "$path" ] && cmp -s "$bin_src" "$path"; then
        echo "$path: already installed"; return
    fi
    mkdir -p "$prefix/bin"
    # A new inode, renamed over the old one: a shim running the old binary keeps it ("text file busy").
    install -m 0755 "$bin_src" "$path.new.$$"
    mv -f "$path.new.$$" "$path"
    echo "$path: installed"
}

# (if-statements, not `&&` lists: set -e must stop at a failed edit)
if [ "$uninstall" = 1 ]; then
    if [ "$docker" = 1 ]; then edit docker-remove "$docker_cfg" "$name" "$path"; fi
    if [ "$containerd" = 1 ] && [ -f "$containerd_cfg" ]; then edit containerd-remove "$containerd_cfg" "$name" "$path"; fi
    if [ "$podman" = 1 ] && [ -f "$podman_cfg" ]; then edit podman-remove "$podman_cfg" "$name" "$path"; fi
    if [ "$binary" = 1 ]; then
        if [ -e "$path" ]; then rm -f "$path"; echo "$path: removed"; else echo "$path: not installed"; fi
    fi
    exit 0
fi

if [ "$binary" = 1 ]; then install_binary; fi
if [ "$docker" = 1 ]; then edit docker-add "$docker_cfg" "$name" "$path"; fi
if [ "$containerd" = 1 ]; then
    if [ ! -f "$containerd_cfg" ]; then
        command -v containerd >/dev/null || { echo "install.sh: $containerd_cfg missing and no containerd to write its default" >&2; exit 1; }
        mkdir -p "$(dirname "$containerd_cfg")"
        containerd config default >"$containerd_cfg.tmp.$$"
        mv "$containerd_cfg.tmp.$$" "$containerd_cfg"
        echo "$containerd_cfg: created from containerd config default"
    fi
    edit containerd-add "$containerd_cfg" "$name" "$path"
fi
if [ "$podman" = 1 ]; then edit podman-add "$podman_cfg" "$name" "$path"; fi
# Last, so `install.sh --print-docker-flag | tail -1` is the flag.
if [ "$docker_flag" = 1 ]; then echo "--add-runtime $name=$path"; fi
exit 0

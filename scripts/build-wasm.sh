#!/usr/bin/env bash
# Builds crates/sqrtk-wasm for wasm32 and generates its JavaScript bindings, in two variants:
#   pkg/          simd128, single-threaded (runs everywhere SIMD does)
#   pkg-threads/  simd128 + atomics + shared memory (Node worker_threads, browser Workers)
#
# Toolchain, in order of preference:
#   1. Debian's rustc-web + rust-web-src + lld-16, building std from source with -Z build-std
#      (our machines: rustup cannot download the wasm32 standard library there). If missing and
#      we are root on Debian, they are installed with apt-get.
#   2. rustup with the wasm32-unknown-unknown target (a contributor's machine): the
#      single-threaded variant only, unless the toolchain can build std (nightly + rust-src).
# The wasm-bindgen CLI must match the wasm-bindgen crate version exactly; it is installed with
# cargo if missing.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' crates/sqrtk-wasm/Cargo.toml)
TARGET=wasm32-unknown-unknown
SIMD="-C target-feature=+simd128"
# Threads: atomics in the code and in std, one shared memory imported by every instance (max
# 4 GiB, the wasm32 limit), and the TLS symbols wasm-bindgen needs to start a thread.
THREADS="-C target-feature=+simd128,+atomics,+bulk-memory,+mutable-globals \
  -C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=4294967296 \
  -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size \
  -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base"

log() { echo "[build-wasm] $*" >&2; }

has_debian_wasm() {
  [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] && [ -x /usr/lib/llvm-16/bin/wasm-ld ] &&
    compgen -G "/usr/src/rustc-*/library/std" >/dev/null
}

has_rustup_wasm() {
  local libdir
  libdir=$(rustc --print target-libdir --target "$TARGET" 2>/dev/null) || return 1
  compgen -G "$libdir/libstd-*.rlib" >/dev/null
}

# build <rustflags> <target dir>: release build of sqrtk-wasm with std built from source.
build_std() {
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 RUSTFLAGS="$1" CARGO_TARGET_DIR="$2" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-16/bin/wasm-ld \
    /usr/bin/cargo build --release --target "$TARGET" -Z build-std=std,panic_abort -p sqrtk-wasm
}

if ! has_debian_wasm && ! has_rustup_wasm; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian's rustc-web, cargo-web, rust-web-src and lld-16"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rustc-web cargo-web rust-web-src lld-16 >/dev/null
  else
    echo "error: no wasm32 toolchain. Either run 'rustup target add $TARGET', or (Debian) install" >&2
    echo "       rustc-web cargo-web rust-web-src lld-16 as root, then run this script again." >&2
    exit 1
  fi
fi

THREADED=yes
if has_debian_wasm; then
  log "using Debian's rustc-web with -Z build-std"
  build_std "$SIMD" target/wasm-simd
  build_std "$THREADS" target/wasm-threads
else
  log "using rustup's $TARGET target (single-threaded build only)"
  RUSTFLAGS="$SIMD" CARGO_TARGET_DIR=target/wasm-simd cargo build --release --target "$TARGET" -p sqrtk-wasm
  THREADED=no
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (one time, a few minutes)"
  # Not --locked: its lock file pins a webpki-roots release that the registry here lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

rm -rf pkg pkg-threads
wasm-bindgen --target web --out-dir pkg target/wasm-simd/$TARGET/release/sqrtk_wasm.wasm
log "wrote pkg/ ($(du -k pkg/sqrtk_wasm_bg.wasm | cut -f1) KiB)"
if [ "$THREADED" = yes ]; then
  wasm-bindgen --target web --out-dir pkg-threads target/wasm-threads/$TARGET/release/sqrtk_wasm.wasm
  log "wrote pkg-threads/ ($(du -k pkg-threads/sqrtk_wasm_bg.wasm | cut -f1) KiB)"
fi

#!/usr/bin/env bash
# Builds crates/sqrtk-wasm for wasm32 (simd128) and generates its JavaScript bindings in pkg/.
#
# Toolchain, in order of preference:
#   1. rustup with the wasm32-unknown-unknown target installed (a contributor's machine);
#   2. Debian's rustc-web + rust-web-src + lld-16, building std from source (our machines,
#      where rustup cannot download the wasm32 standard library). If they are missing and we
#      are root on Debian, they are installed with apt-get.
# The wasm-bindgen CLI must match the wasm-bindgen crate version exactly; it is installed with
# cargo if missing.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' crates/sqrtk-wasm/Cargo.toml)
TARGET=wasm32-unknown-unknown
export RUSTFLAGS="-C target-feature=+simd128"
PROFILE_DIR=target/$TARGET/release

log() { echo "[build-wasm] $*" >&2; }

has_rustup_wasm() {
  local libdir
  libdir=$(rustc --print target-libdir --target "$TARGET" 2>/dev/null) || return 1
  compgen -G "$libdir/libstd-*.rlib" >/dev/null
}

has_debian_wasm() {
  [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] && [ -x /usr/lib/llvm-16/bin/wasm-ld ] &&
    compgen -G "/usr/src/rustc-*/library/std" >/dev/null
}

if has_rustup_wasm; then
  log "using rustup's $TARGET target"
  cargo build --release --target "$TARGET" -p sqrtk-wasm
else
  if ! has_debian_wasm; then
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
  log "using Debian's rustc-web with -Z build-std"
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-16/bin/wasm-ld \
    /usr/bin/cargo build --release --target "$TARGET" -Z build-std=std,panic_abort -p sqrtk-wasm
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (one time, a few minutes)"
  # Not --locked: its lock file pins a webpki-roots release that the registry here lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

rm -rf pkg
wasm-bindgen --target web --out-dir pkg "$PROFILE_DIR/sqrtk_wasm.wasm"
log "wrote pkg/ ($(du -k pkg/sqrtk_wasm_bg.wasm | cut -f1) KiB wasm)"

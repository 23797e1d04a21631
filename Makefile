# sigmafit: `make serve` and `make test` work on a fresh machine; they install what is missing.
SHELL := /bin/bash
PORT ?= 8000
CARGO_BIN := $(HOME)/.cargo/bin
export PATH := $(CARGO_BIN):$(PATH)
# The wasm-bindgen CLI must match the library version locked in Cargo.lock exactly.
WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/version = "\(.*\)"/\1/p}' Cargo.lock)

.PHONY: serve build test test-rust test-wasm test-e2e bench tools tools-wasm tools-browser tools-node clean

## Build the static site (index.html, www/, pkg/) and serve it on 127.0.0.1:$(PORT).
serve: build
	@echo "sigmafit is served at http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	python3 -m http.server $(PORT) --bind 127.0.0.1

## The static site: any static host can serve index.html, www/ and pkg/.
build: tools-wasm
	wasm-pack build --target web --mode no-install --release --out-dir pkg --no-pack
	@ls -l pkg/sigmafit_bg.wasm

## Every test: Rust unit and integration tests, wasm-bindgen tests in headless
## Chromium, end-to-end tests of the real page.
test: test-rust test-wasm test-e2e

test-rust:
	cargo test --release

test-wasm: tools-wasm tools-browser
	wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver --mode no-install --release

test-e2e: build tools-browser tools-node
	cd tests/e2e && node --test

bench:
	cargo bench --bench fit

tools: tools-wasm tools-browser tools-node

tools-wasm:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@command -v wasm-pack >/dev/null || cargo install wasm-pack --locked
	@# Not --locked: the CLI's own lockfile names crate versions the registry mirror may lack.
	@[ "$$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ] \
		|| cargo install wasm-bindgen-cli --version =$(WASM_BINDGEN_VERSION) --force

tools-browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		apt-get update && apt-get install -y chromium chromium-driver; fi

tools-node:
	@[ -d tests/e2e/node_modules/playwright-core ] || (cd tests/e2e && npm ci --no-audit --no-fund)

clean:
	cargo clean
	rm -rf pkg tests/e2e/node_modules

# sigmafit: `make serve` and `make test` work on a fresh machine; they install what is missing.
SHELL := /bin/bash
PORT ?= 8000
CARGO_BIN := $(HOME)/.cargo/bin
export PATH := $(CARGO_BIN):$(PATH)
# The wasm-bindgen CLI must match the library version locked in Cargo.lock exactly.
WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/version = "\(.*\)"/\1/p}' Cargo.lock)

.PHONY: serve build pkg-probe fuzz single test lint test-rust test-wasm test-e2e bench bench-web bench-series bench-explore example tools tools-lint tools-wasm-target tools-wasm tools-browser tools-node clean

## Build the static site (index.html, www/, pkg/) and serve it on 127.0.0.1:$(PORT).
serve: build
	@echo "sigmafit is served at http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	python3 -m http.server $(PORT) --bind 127.0.0.1

## The static site: any static host can serve index.html, www/ and pkg/.
build: tools-wasm
	wasm-pack build --target web --mode no-install --release --out-dir pkg --no-pack
	@# wasm-pack writes pkg/.gitignore ('*'): a site committed to a Pages repo would lose pkg/.
	@rm -f pkg/.gitignore
	@ls -l pkg/sigmafit_bg.wasm

## The page's WebAssembly built with the test-only panic-probe feature (a file named
## sigmafit-panic-probe.csv panics when fitted): tests/e2e/crash.test.mjs serves it in
## place of pkg/ to show that a worker's panic costs that file's result and nothing else.
pkg-probe: tools-wasm
	wasm-pack build --target web --mode no-install --release --out-dir target/pkg-probe --no-pack -- --features panic-probe

## Fuzzing with cargo-fuzz (nightly only): the import, the circuit-string parser and the
## whole analysis, FUZZ_SECONDS each (600 by default); figures go in ROBUSTNESS.md. A
## crash leaves its input in fuzz/artifacts/<target>/ and stops here. No sanitizer (-s none):
## sigmafit has no unsafe code, and AddressSanitizer cut the import's executions 7-fold.
FUZZ_SECONDS ?= 600
fuzz:
	@rustup toolchain list | grep -q '^nightly' || { echo "make fuzz needs a nightly Rust toolchain, and there is none here (rustup toolchain list). Install one with: rustup toolchain install nightly"; exit 1; }
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --version =0.13.2 --locked
	mkdir -p fuzz/corpus/import fuzz/corpus/circuit fuzz/corpus/analyse
	cd fuzz && cargo +nightly fuzz run import -O -s none corpus/import ../tests/data/real $$(ls -d ../tests/data/bad 2>/dev/null) -- -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=4096
	cd fuzz && cargo +nightly fuzz run circuit -O -s none corpus/circuit seeds/circuit -- -max_total_time=$(FUZZ_SECONDS) -dict=circuit.dict -max_len=200000 -rss_limit_mb=4096
	cd fuzz && cargo +nightly fuzz run analyse -O -s none corpus/analyse -- -max_total_time=$(FUZZ_SECONDS) -max_len=2000 -rss_limit_mb=4096

## The whole page in one file, dist/sigmafit.html, that works opened from file:// (no
## server, no network): the WebAssembly, modules, worker, stylesheet and examples
## inlined by tools/single.mjs.
single: build
	@command -v node >/dev/null || { echo "make single needs Node.js 20 or newer"; exit 1; }
	node tools/single.mjs

## Every test: the lint first, then Rust unit and integration tests, wasm-bindgen
## tests in headless Chromium, end-to-end tests of the real page.
test: lint test-rust test-wasm test-e2e

## Formatting (rustfmt.toml) and clippy with warnings as errors, natively and for
## wasm32: src/web.rs and the wasm-only code compile only for the latter.
lint: tools-lint
	cargo fmt --check
	cargo clippy --all-targets --release -- -D warnings
	cargo clippy --all-targets --release --target wasm32-unknown-unknown -- -D warnings

test-rust:
	cargo test --release

## wasm-bindgen tests of src/web.rs (tests/web.rs, tests/web_explore.rs, tests/web_bad_corpus.rs) in headless
## Chromium. cargo runs them through wasm-bindgen-test-runner, which reads webdriver.json
## (--no-sandbox etc., needed as root). Only these: the native tests read files from disk.
test-wasm: tools-wasm tools-browser
	CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_ONLY_WEB=1 \
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
		cargo test --release --target wasm32-unknown-unknown --test web --test web_explore --test web_bad_corpus

## playwright-core drives Debian's Chromium against the page on 127.0.0.1 (the tests
## start and stop their own server), and against dist/sigmafit.html opened from
## file:// (single.test.mjs); screenshots go to target/screenshots/.
test-e2e: build single pkg-probe tools-browser tools-node
	cd tests/e2e && node --test

## Page timings for BENCHMARKS.md: load to data-ready, fit + redraw per spectrum.
bench-web: build tools-browser tools-node
	cd tests/e2e && node bench.mjs
	@echo "wasm: $$(stat -c %s pkg/sigmafit_bg.wasm) bytes raw, $$(gzip -9 -c pkg/sigmafit_bg.wasm | wc -c) bytes gzip -9"

## 1000 spectra given to the page at once: time to all fitted, long main-thread tasks.
bench-series: build tools-browser tools-node
	cd tests/e2e && node bench-series.mjs

## The explorer's slider updates (spectrum, plots, map, sentences) at 1280 x 720.
bench-explore: build tools-browser tools-node
	cd tests/e2e && node bench-explore.mjs

## Rewrite the page's bundled synthetic spectra (www/examples/) from their true parameters.
example:
	cargo run --release --example make_example

bench:
	cargo bench --bench fit

tools: tools-lint tools-wasm tools-browser tools-node

## rustfmt and clippy are rustup components that a minimal toolchain lacks.
tools-lint: tools-wasm-target
	@for c in rustfmt clippy; do \
		rustup component list --installed | grep -q "^$$c-" || rustup component add $$c; done

tools-wasm-target:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

tools-wasm: tools-wasm-target
	@command -v wasm-pack >/dev/null || cargo install wasm-pack --version =0.15.1 --locked
	@# Not --locked: the CLI's own lockfile names crate versions the registry mirror may lack.
	@[ "$$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ] \
		|| cargo install wasm-bindgen-cli --version =$(WASM_BINDGEN_VERSION) --force

tools-browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; fi

tools-node:
	@command -v npm >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm)
	@node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' \
		|| { echo "the end-to-end tests need Node.js 20 or newer (found $$(node --version))"; exit 1; }
	@# npm ci again whenever the lockfile is newer than what is installed.
	@[ tests/e2e/node_modules/.package-lock.json -nt tests/e2e/package-lock.json ] \
		|| (cd tests/e2e && npm ci --no-audit --no-fund)

clean:
	cargo clean
	rm -rf pkg dist tests/e2e/node_modules

# jtchain build. `make run` starts a dev chain; `make testnet` a local network of
# four validators; `make test` is everything CI checks.
SHELL := /bin/bash
GO ?= go
export GOTOOLCHAIN := local
export GOFLAGS := -buildvcs=false

BIN := bin
PKGS := ./...
# Work for each fuzz target in `make test`: a count of executions, not a
# duration. Go 1.26's coordinator can fail a duration-bounded run with a
# bare "context deadline exceeded" at the deadline (go.dev/issue/75804,
# fixed in 1.27); a count has no deadline to race. 40,000 executions take
# 3-15 s per target here. Longer runs: make fuzz FUZZTIME=2000000x (or 5m).
FUZZTIME ?= 40000x
# Runs spent minimizing each new interesting input (a count, for the reason
# above). Go's default of 60 s per input can stall a worker for a minute on
# a large input; minimizing is for humans reading crashers, not for CI.
FUZZMINIMIZE ?= 200x
# Records per (library, transaction type) in the client-library cross-check.
JSCOMPAT_COUNT ?= 300

# Fuzz targets run by `make test`: package:target, or package:target:budget
# for a target much slower than the rest (FUZZTIME, when set on the command
# line, overrides every budget).
FUZZ_TARGETS := \
	./host/codec:FuzzDecode \
	./host/codec:FuzzParseJSON \
	./host/crypto:FuzzVerify \
	./host/crypto:FuzzParseSecret \
	./host/shamap:FuzzMapOps:8000x \
	./host/shamap:FuzzDecodeProof \
	./host/shamap:FuzzSplitTxWithMetaData \
	./host/ledger:FuzzApply \
	./host/config:FuzzLoad \
	./host/rpc:FuzzHandleRequest \
	./host/crypto/vrf:FuzzVerify \
	./host/consensus/rbft:FuzzDecodeMessage \
	./host/consensus/rbft:FuzzStep \
	./host/node:FuzzDecodeBlock \
	./host/node:FuzzNetWire \
	./host/p2p:FuzzReadFrame \
	./plugins/consensus/raft:FuzzStep \
	./plugins/consensus/raft:FuzzDecode

.PHONY: all build plugins run testnet test unit postgres lint vet fmt fuzz bench jscompat jsdeps clean proto proto-check

all: build plugins

build:
	$(GO) build -o $(BIN)/ ./host/cmd/...

# First-party plugins, each to bin/plugins/<kind>-<name>, and their hashes in
# bin/plugins.sha256 (sha256sum format), which configs name in
# plugins.sha256_file so a rebuilt plugin is pinned by the build that made it.
plugins:
	@mkdir -p $(BIN)/plugins
	@set -e; for d in plugins/*/*/; do \
		d=$${d%/}; kind=$$(basename $$(dirname $$d)); name=$$(basename $$d); \
		ls $$d/*.go >/dev/null 2>&1 || continue; \
		$(GO) build -o $(BIN)/plugins/$$kind-$$name ./$$d; \
	done
	@cd $(BIN)/plugins && sha256sum * > ../plugins.sha256.tmp && mv ../plugins.sha256.tmp ../plugins.sha256

# A development chain in ./data: created on first run (genesis account
# snoPBjXtMeMyMHUVTgbuqAfg1SUTb holds every coin), kept across runs. Its
# engine is the solo consensus plugin (bin/plugins/consensus-solo).
# The API listens on ws://127.0.0.1:5020 (and HTTP JSON-RPC on :5050).
run: build plugins
	@if [ ! -f data/genesis.json ]; then $(BIN)/jtd init --dev --data-dir ./data; fi
	$(BIN)/jtd run --config configs/dev.toml

# A local network of four rbft validators in ./testnet: created on first run
# (genesis account snoPBjXtMeMyMHUVTgbuqAfg1SUTb), kept across runs; rm -rf
# testnet to start over. node-1 serves ws://127.0.0.1:6020, node-2 :6030, ...
# (jtd testnet init --help); Ctrl-C stops every node.
testnet: build
	@if [ ! -e testnet ]; then $(BIN)/jtd testnet init --validators 4 --dir ./testnet --dev; fi
	$(BIN)/jtd testnet run --dir ./testnet

test: lint proto-check unit jscompat fuzz

# unit needs a PostgreSQL server for the postgres indexer plugin's tests.
unit: postgres
	$(GO) test -count=1 $(PKGS)

# A PostgreSQL 15 server from Debian 12's packages in .cache/postgres, for the
# tests of plugins/indexer/postgres: no root, nothing started, every package
# pinned by sha256, a no-op once installed (see the script for the sources).
postgres:
	plugins/indexer/postgres/install-server.sh $(CURDIR)/.cache/postgres

lint: vet fmt

vet:
	$(GO) vet $(PKGS)
	$(GO) vet -tags jscompat ./host/codec/ ./host/e2e/

fmt:
	@out=$$(gofmt -l host plugins sdk examples 2>/dev/null); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		IFS=: read -r pkg name budget <<< "$$t"; \
		if [ -z "$$budget" ] || [ "$(origin FUZZTIME)" = "command line" ]; then budget=$(FUZZTIME); fi; \
		echo "fuzz $$pkg $$name ($$budget)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $$budget -fuzzminimizetime $(FUZZMINIMIZE) $$pkg; \
	done

# Benchmarks; compare runs with benchstat. BENCH selects, COUNT repeats.
BENCH ?= .
COUNT ?= 1
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count $(COUNT) $(PKGS)

# The client-library suites (jingtum-lib and swtc-lib from npm): the libraries
# sign random transactions and our codec must match them byte for byte; then
# both libraries drive a real jtd through connect, payments, trust lines,
# multi-signing, streams, queries and a restart.
jscompat: jsdeps
	$(GO) test -tags jscompat -run JSCompat -count=1 ./host/codec/ -args -jscompat.count $(JSCOMPAT_COUNT)
	$(GO) test -tags jscompat -run Clients -count=1 ./host/e2e/

# Node deps for the JS-compat vector generator (host/codec/testdata/jscompat).
# The stamp makes repeated `make jsdeps` a no-op until package-lock.json changes.
JSCOMPAT_DIR := host/codec/testdata/jscompat

jsdeps: $(JSCOMPAT_DIR)/node_modules/.stamp

$(JSCOMPAT_DIR)/node_modules/.stamp: $(JSCOMPAT_DIR)/package-lock.json
	cd $(JSCOMPAT_DIR) && npm ci --no-audit --no-fund
	touch $@

# Protobuf code for the plugin SDK (sdk/proto/jt/<kind>/v1). The generator
# tools are pinned here and installed from the Go module proxy into
# bin/tools; sdk/proto/buf.yaml and sdk/proto/buf.gen.yaml configure buf.
# The generated *.pb.go files are committed: edit a .proto, run `make proto`,
# commit both. `make proto-check` fails when the committed code is stale.
TOOLS := $(CURDIR)/bin/tools
PROTO_DIR := sdk/proto
BUF_VERSION := v1.75.0
PROTOC_GEN_GO_VERSION := v1.36.12
# v1.6.x generates code for grpc >= 1.64 (SupportPackageIsVersion9); go.mod has 1.85.
PROTOC_GEN_GO_GRPC_VERSION := v1.6.2

define install-proto-tools
	GOBIN=$(TOOLS) $(GO) install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)
	GOBIN=$(TOOLS) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	GOBIN=$(TOOLS) $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)
endef

proto:
	$(install-proto-tools)
	cd $(PROTO_DIR) && PATH=$(TOOLS):$$PATH $(TOOLS)/buf lint
	cd $(PROTO_DIR) && PATH=$(TOOLS):$$PATH $(TOOLS)/buf generate

# Regenerates into a temporary directory and compares with the committed
# files, both ways, so a stale, missing or orphaned *.pb.go fails.
proto-check:
	$(install-proto-tools)
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	(cd $(PROTO_DIR) && PATH=$(TOOLS):$$PATH $(TOOLS)/buf generate -o "$$tmp"); \
	stale=0; \
	for f in $$(cd "$$tmp" && find . -name '*.pb.go' | sort); do \
		if ! cmp -s "$$tmp/$$f" "$(PROTO_DIR)/$$f"; then echo "stale or missing: $(PROTO_DIR)/$${f#./}"; stale=1; fi; \
	done; \
	for f in $$(cd $(PROTO_DIR) && find . -name '*.pb.go' | sort); do \
		if [ ! -e "$$tmp/$$f" ]; then echo "not generated by any .proto: $(PROTO_DIR)/$${f#./}"; stale=1; fi; \
	done; \
	if [ $$stale -ne 0 ]; then echo "generated protobuf code is out of date: run make proto and commit the result"; exit 1; fi

clean:
	rm -rf $(BIN) .cache $(JSCOMPAT_DIR)/node_modules

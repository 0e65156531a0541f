# hitless: make help lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

GO        ?= go
BIN       := bin
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.buildVersion=$(VERSION)
PKGS      := ./...
FUZZTIME  ?= 30s
BENCH     ?= .
COUNT     ?= 1
PERFFLAGS ?=
# Debian packages the tests and benchmarks use.
DEB_TOOLS := haproxy socat wrk spin gcc nginx-light libnginx-mod-stream iperf3 curl apache2-utils \
             redis-server mariadb-server mariadb-client postgresql
# Fuzz targets: "<package dir> <FuzzName>" pairs.
FUZZ_TARGETS := \
	./engine/config:FuzzParse \
	./engine/config:FuzzEvalCond \
	./engine/cli:FuzzParseLine \
	./engine/h1:FuzzRequest \
	./engine/h1:FuzzResponse \
	./engine/h1:FuzzChunked \
	./engine/h1:FuzzFindHeadEnd \
	./engine/rules:FuzzParseCond \
	./engine/rules:FuzzParseRule \
	./engine/logs:FuzzCompile \
	./engine/logs:FuzzAppend \
	./engine/logs:FuzzParseAddr

.PHONY: help
help: ## list targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

.PHONY: build
build: ## build every package and bin/hitless
	$(GO) build $(PKGS)
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/hitless ./cmd/hitless
	$(GO) build -o $(BIN)/demo-backend ./perf/cmd/demo-backend

.PHONY: run
run: build ## start two demo backends and hitless on its embedded configuration (curl 127.0.0.1:8080)
	@./scripts/run-demo.sh $(BIN)

.PHONY: deps
deps: ## install the Debian tools tests and benchmarks need (idempotent)
	@./scripts/install-deps.sh $(DEB_TOOLS)

.PHONY: test
test: deps ## install what tests need, then run all tests (fuzz seed corpora included)
	$(GO) test -count=1 $(PKGS)

.PHONY: race
race: deps ## run all tests under the race detector
	$(GO) test -count=1 -race $(PKGS)

.PHONY: vet
vet: ## go vet, including the non-Linux stubs
	$(GO) vet $(PKGS)
	GOOS=darwin $(GO) vet ./poller/

.PHONY: fmt
fmt: ## rewrite sources with gofmt -s
	gofmt -s -w $$(git ls-files '*.go')

.PHONY: fmt-check
fmt-check: ## fail if a source is not gofmt -s clean
	@out=$$(gofmt -s -l $$(git ls-files '*.go' ; git ls-files -o --exclude-standard '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

.PHONY: fuzz
fuzz: ## run each fuzz target for FUZZTIME (default 30s)
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== $$pkg $$name"; \
		$(GO) test $$pkg -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) || exit 1; \
	done

.PHONY: bench
bench: ## run the go test benchmarks (hot paths report allocations)
	$(GO) test -run='^$$' -bench='$(BENCH)' -benchmem -count=$(COUNT) $(PKGS)

.PHONY: perf
perf: deps build ## hitless vs HAProxy, nginx and Go proxies on loopback (~25 min); writes perf/results/<date>.md
	$(GO) run ./perf/cmd/perf -hitless $(BIN)/hitless -rounds 5 -out perf/results $(PERFFLAGS)

.PHONY: perf-quick
perf-quick: deps build ## a short perf run (under 2 minutes) for development
	$(GO) run ./perf/cmd/perf -hitless $(BIN)/hitless -quick $(PERFFLAGS)

.PHONY: check
check: fmt-check vet test race ## everything CI requires: fmt, vet, tests, race

.PHONY: clean
clean: ## remove build outputs and test caches
	rm -rf $(BIN)
	$(GO) clean -testcache

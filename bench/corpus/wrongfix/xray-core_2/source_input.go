//go:build !patched

// Package outbound checks that proxy/vless/outbound/outbound.go's pre-connect loop stays
// gofmt-stable (xray-core's CI "Check Format" runs gofumpt, a stricter gofmt, on every file).
package outbound

// sourceFile is the testpre block of Handler.Process as it is.
const sourceFile = "testdata/preconnect_input.go.txt"

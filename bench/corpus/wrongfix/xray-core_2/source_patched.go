//go:build patched

// Package outbound checks that proxy/vless/outbound/outbound.go's pre-connect loop stays
// gofmt-stable (xray-core's CI "Check Format" runs gofumpt, a stricter gofmt, on every file).
package outbound

// sourceFile is the block as gofixleaks rewrites it (polling-without-exit, outbound.go:166):
// the sleep becomes a select on a ctx of Background (which never ends), and the trailing
// comment aligned to the send above is left after the select's closing brace.
const sourceFile = "testdata/preconnect_patched.go.txt"

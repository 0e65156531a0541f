//go:build race

package queue

// raceBuild reports whether the tests run under the race detector.
const raceBuild = true

//go:build race

package hosting_test

// raceEnabled is true under the race detector, which slows argon2id down
// about a hundredfold: timing tests then only count.
const raceEnabled = true

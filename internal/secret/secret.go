// Package secret makes and checks the bearer tokens of machines (probe
// locations, heartbeat jobs): PREFIX<lookup>_<secret>, where the lookup is
// 16 lower-case hex characters stored in clear to find the row, and the
// secret 32 random bytes in unpadded base64url, stored only as a SHA-256.
// SHA-256 suffices because the secret has 256 random bits: a slow hash
// protects guessable passwords, and here would only make every request cost
// CPU. The prefix lets secret scanners spot a leaked token.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

const (
	lookupBytes = 8
	secretBytes = 32
)

var (
	lookupLen = hex.EncodedLen(lookupBytes)
	// Strict refuses non-zero trailing bits, so each token has one spelling.
	secretBase64 = base64.RawURLEncoding.Strict()
)

// Format is a kind of token, told apart by its prefix ("hb_", "vloc_").
type Format struct {
	Prefix string
}

func (f Format) tokenLen() int {
	return len(f.Prefix) + lookupLen + 1 + base64.RawURLEncoding.EncodedLen(secretBytes)
}

// New returns a fresh token with its lookup id and the hash to store.
func (f Format) New() (token, lookup, hash string) {
	l := make([]byte, lookupBytes)
	s := make([]byte, secretBytes)
	_, _ = rand.Read(l) // crypto/rand.Read never fails
	_, _ = rand.Read(s)
	lookup = hex.EncodeToString(l)
	sec := secretBase64.EncodeToString(s)
	return f.Prefix + lookup + "_" + sec, lookup, Hash(sec)
}

// Parse splits a well-formed token into its lookup id and secret; anything
// else is refused before any database work.
func (f Format) Parse(token string) (lookup, sec string, ok bool) {
	if len(token) != f.tokenLen() || !strings.HasPrefix(token, f.Prefix) {
		return "", "", false
	}
	lookup, sec, found := strings.Cut(token[len(f.Prefix):], "_")
	if !found || len(lookup) != lookupLen || lookup != strings.ToLower(lookup) {
		return "", "", false
	}
	if _, err := hex.DecodeString(lookup); err != nil {
		return "", "", false
	}
	if b, err := secretBase64.DecodeString(sec); err != nil || len(b) != secretBytes {
		return "", "", false
	}
	return lookup, sec, true
}

// Hash is the stored form of a secret.
func Hash(sec string) string {
	sum := sha256.Sum256([]byte(sec))
	return hex.EncodeToString(sum[:])
}

// Matches compares a secret with a stored hash in constant time.
func Matches(sec, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(Hash(sec)), []byte(hash)) == 1
}

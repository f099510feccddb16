package auth

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// A token secret reads vigie_<lookup>_<random>: the lookup is 16 lower-case
// hex characters stored in clear to find the row without scanning every
// hash, and the random part is 32 bytes in unpadded base64url, which is what
// makes the token unguessable. The prefix lets secret scanners spot leaks.
const (
	secretPrefix = "vigie_"
	lookupBytes  = 8
	randomLen    = 32
)

var (
	lookupLen = hex.EncodedLen(lookupBytes)
	secretLen = len(secretPrefix) + lookupLen + 1 + base64.RawURLEncoding.EncodedLen(randomLen)
	// Strict refuses non-zero trailing bits, so each secret has one spelling.
	secretBase64 = base64.RawURLEncoding.Strict()
)

// newSecret returns a fresh token secret and its lookup id.
func newSecret() (secret, lookup string) {
	lookup = hex.EncodeToString(randomBytes(lookupBytes))
	return secretPrefix + lookup + "_" + secretBase64.EncodeToString(randomBytes(randomLen)), lookup
}

// parseSecret returns the lookup id of a well-formed secret; anything else
// is refused here, before any database work.
func parseSecret(secret string) (lookup string, ok bool) {
	if len(secret) != secretLen || !strings.HasPrefix(secret, secretPrefix) {
		return "", false
	}
	rest := secret[len(secretPrefix):]
	lookup, random := rest[:lookupLen], rest[lookupLen:]
	if !isLowerHex(lookup) || random[0] != '_' {
		return "", false
	}
	b, err := secretBase64.DecodeString(random[1:])
	if err != nil || len(b) != randomLen {
		return "", false
	}
	return lookup, true
}

func isLowerHex(s string) bool {
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

package probe

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// A location token reads vloc_<lookup>_<secret>: the lookup is 16 lower-case
// hex characters stored in clear to find the row without comparing every
// hash, and the secret is 32 random bytes in unpadded base64url, stored only
// as a SHA-256. The prefix lets secret scanners spot a leaked token.
const (
	locationTokenPrefix = "vloc_"
	locationLookupBytes = 8
	locationSecretBytes = 32
)

var (
	locationLookupLen = hex.EncodedLen(locationLookupBytes)
	locationTokenLen  = len(locationTokenPrefix) + locationLookupLen + 1 +
		base64.RawURLEncoding.EncodedLen(locationSecretBytes)
	// Strict refuses non-zero trailing bits, so each token has one spelling.
	locationBase64 = base64.RawURLEncoding.Strict()
)

// newLocationToken returns a fresh token with its lookup id and the hash to
// store.
func newLocationToken() (token, lookup, hash string) {
	l := make([]byte, locationLookupBytes)
	s := make([]byte, locationSecretBytes)
	_, _ = rand.Read(l) // crypto/rand.Read never fails since Go 1.24
	_, _ = rand.Read(s)
	lookup = hex.EncodeToString(l)
	secret := locationBase64.EncodeToString(s)
	return locationTokenPrefix + lookup + "_" + secret, lookup, hashLocationSecret(secret)
}

// parseLocationToken splits a well-formed token into its lookup id and
// secret; anything else is refused before any database work.
func parseLocationToken(token string) (lookup, secret string, ok bool) {
	if len(token) != locationTokenLen || !strings.HasPrefix(token, locationTokenPrefix) {
		return "", "", false
	}
	rest := token[len(locationTokenPrefix):]
	lookup, secret = rest[:locationLookupLen], rest[locationLookupLen:]
	if !isLowerHexLookup(lookup) || secret[0] != '_' {
		return "", "", false
	}
	secret = secret[1:]
	if b, err := locationBase64.DecodeString(secret); err != nil || len(b) != locationSecretBytes {
		return "", "", false
	}
	return lookup, secret, true
}

// hashLocationSecret is the stored form of a secret. SHA-256 is enough, unlike
// the argon2id of passwords and staff API tokens: the secret has 256 random
// bits, so no hashing speed makes guessing it feasible, and a slow hash would
// only make every probe request (one per poll) cost CPU on the server.
func hashLocationSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// locationSecretMatches compares a secret with a stored hash in constant time.
func locationSecretMatches(secret, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(hashLocationSecret(secret)), []byte(hash)) == 1
}

func isLowerHexLookup(s string) bool {
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

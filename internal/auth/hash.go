package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// params are the argon2id costs of one hash, written into its PHC string.
type params struct {
	memory  uint32 // KiB
	time    uint32 // passes
	threads uint8
	saltLen uint32 // bytes
	keyLen  uint32 // bytes
}

// passwordParams are OWASP's first recommended argon2id setting
// (m=19 MiB, t=2, p=1): passwords are low entropy, so every guess must cost.
var passwordParams = params{memory: 19 * 1024, time: 2, threads: 1, saltLen: 16, keyLen: 32}

// tokenParams are much lighter because token secrets carry 256 random bits:
// no amount of hashing speed makes guessing them feasible, so the hash only
// has to keep a leaked table from being usable as is. argon2id is kept
// (rather than a plain SHA-256) so one verification path serves both.
var tokenParams = params{memory: 8 * 1024, time: 1, threads: 1, saltLen: 16, keyLen: 32}

// Bounds on parameters read back from the database, so that a corrupt or
// hostile row cannot make a verification allocate gigabytes or spin forever.
const (
	maxMemory  = 1 << 20 // KiB, 1 GiB
	maxTime    = 64
	minSaltLen = 8
	minKeyLen  = 16
	maxKeyLen  = 128
)

// errBadHash is wrapped by errors about a stored hash that cannot be parsed.
var errBadHash = errors.New("malformed argon2id hash")

var phcBase64 = base64.RawStdEncoding.Strict()

// hashSecret hashes secret with fresh salt and returns it in PHC string form:
// $argon2id$v=19$m=...,t=...,p=...$salt$hash.
func hashSecret(secret string, p params) string {
	salt := randomBytes(int(p.saltLen))
	key := argon2.IDKey([]byte(secret), salt, p.time, p.memory, p.threads, p.keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads,
		phcBase64.EncodeToString(salt), phcBase64.EncodeToString(key))
}

// verifySecret reports whether secret matches the PHC string encoded, using
// the parameters written in it. It errs only when encoded is malformed.
func verifySecret(secret, encoded string) (bool, params, error) {
	p, salt, key, err := parseHash(encoded)
	if err != nil {
		return false, params{}, err
	}
	got := argon2.IDKey([]byte(secret), salt, p.time, p.memory, p.threads, p.keyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, p, nil
}

// parseHash splits a PHC argon2id string into its parameters, salt and key.
func parseHash(encoded string) (params, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return params{}, nil, nil, fmt.Errorf("%w: want $argon2id$v=..$m=..,t=..,p=..$salt$hash", errBadHash)
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return params{}, nil, nil, fmt.Errorf("%w: version %q, want v=%d", errBadHash, parts[2], argon2.Version)
	}
	p, err := parseParams(parts[3])
	if err != nil {
		return params{}, nil, nil, err
	}
	salt, err := phcBase64.DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen {
		return params{}, nil, nil, fmt.Errorf("%w: bad salt", errBadHash)
	}
	key, err := phcBase64.DecodeString(parts[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return params{}, nil, nil, fmt.Errorf("%w: bad key", errBadHash)
	}
	p.saltLen, p.keyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// parseParams reads "m=..,t=..,p=.." in that order, within sane bounds.
func parseParams(s string) (params, error) {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return params{}, fmt.Errorf("%w: parameters %q, want m=N,t=N,p=N", errBadHash, s)
	}
	var vals [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(fields[i], name+"=")
		if !ok {
			return params{}, fmt.Errorf("%w: parameters %q, want m=N,t=N,p=N", errBadHash, s)
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return params{}, fmt.Errorf("%w: parameter %s: %w", errBadHash, name, err)
		}
		vals[i] = n
	}
	p := params{memory: uint32(vals[0]), time: uint32(vals[1])}
	if vals[2] < 1 || vals[2] > 255 {
		return params{}, fmt.Errorf("%w: p=%d out of 1..255", errBadHash, vals[2])
	}
	p.threads = uint8(vals[2])
	if p.time < 1 || p.time > maxTime {
		return params{}, fmt.Errorf("%w: t=%d out of 1..%d", errBadHash, p.time, maxTime)
	}
	// argon2 needs at least 8 KiB per thread.
	if p.memory < 8*uint32(p.threads) || p.memory > maxMemory {
		return params{}, fmt.Errorf("%w: m=%d out of %d..%d", errBadHash, p.memory, 8*uint32(p.threads), maxMemory)
	}
	return p, nil
}

// randomBytes returns n bytes from the system's secure generator.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	// crypto/rand.Read never returns an error since Go 1.24: it crashes the
	// program instead of handing out predictable bytes.
	_, _ = rand.Read(b)
	return b
}

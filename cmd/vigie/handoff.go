package main

import (
	"fmt"
	"os"
	"strings"
)

// minHandOffSecret is the fewest bytes a hand-off secret may have (256 bits).
const minHandOffSecret = 32

// readHandOffSecret reads the secret shared with the host's customer panel
// from path: the file's bytes, a final line break removed, used as they are
// (hex text stays text). It is read from a file, never from a flag's value,
// which any user of the machine may read in the process list.
func readHandOffSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--handoff-secret-file: %w", err)
	}
	secret := strings.TrimRight(string(b), "\r\n")
	if len(secret) < minHandOffSecret {
		return nil, fmt.Errorf("%w: --handoff-secret-file: %s holds %d bytes, a hand-off secret needs at least %d: make one with 'openssl rand -hex 32 > %s'",
			errUsage, path, len(secret), minHandOffSecret, path)
	}
	return []byte(secret), nil
}

package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/vigie/vigie/internal/store"
)

// RecoveryCodeCount is how many recovery codes a user is given at a time.
const RecoveryCodeCount = 10

// A recovery code is 10 characters of Crockford's base32 (digits and
// letters without I, L, O and U), 50 random bits, shown in lower case as
// "xxxxx-xxxxx". Typing is forgiving: case, dashes and spaces do not
// matter, and i, l and o are read as 1, 1 and 0.
//
// Codes are stored as argon2id hashes (at tokenParams, each with its own
// salt), not as SHA-256 as 256-bit secrets are: 50 bits is within reach of
// a fast hash on a GPU (2^50 SHA-256 take a day or two), so a copied table
// would give the codes away, while a memory-hard hash makes that many tries
// out of reach. The cost is paid only at a recovery sign-in, which checks at
// most RecoveryCodeCount hashes and comes after the password.
const (
	recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	recoveryLen      = 10
)

// newRecoveryCode returns a fresh code as shown to its user.
func newRecoveryCode() string {
	b := randomBytes(recoveryLen)
	out := make([]byte, 0, recoveryLen+1)
	for i, c := range b {
		if i == recoveryLen/2 {
			out = append(out, '-')
		}
		// 256 is a multiple of 32: every character is equally likely.
		out = append(out, recoveryAlphabet[c%32])
	}
	return string(out)
}

// normalizeRecoveryCode returns the canonical form of a typed code, the one
// hashed, or false when it cannot be a code.
func normalizeRecoveryCode(code string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToLower(code) {
		switch r {
		case '-', ' ', '\t':
			continue
		case 'i', 'l':
			r = '1'
		case 'o':
			r = '0'
		}
		if r > 127 || !strings.ContainsRune(recoveryAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != recoveryLen {
		return "", false
	}
	return b.String(), true
}

// NewRecoveryCodes gives a user RecoveryCodeCount fresh recovery codes,
// replacing all earlier ones, and returns them: they are stored only
// hashed and cannot be shown again. An unknown user gives an error wrapping
// store.ErrNotFound.
func (s *Service) NewRecoveryCodes(ctx context.Context, email string) ([]string, error) {
	email = normalizeEmail(email)
	codes := make([]string, RecoveryCodeCount)
	hashes := make([]string, RecoveryCodeCount)
	for i := range codes {
		codes[i] = newRecoveryCode()
		canonical, _ := normalizeRecoveryCode(codes[i])
		hashes[i] = hashSecret(canonical, s.tokenParams)
	}
	now := s.timestamp()
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		u, _, err := userByEmail(ctx, tx, email)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff_recovery_codes WHERE user_id = $1`, u.ID); err != nil {
			return err
		}
		for _, h := range hashes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO staff_recovery_codes (user_id, hash, created_at)
				VALUES ($1, $2, $3)`, u.ID, h, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("new recovery codes for %s: %w", email, err)
	}
	return codes, nil
}

// UseRecoveryCode accepts one of a user's unused recovery codes in place of
// a TOTP code and uses it up, so that it works once. A wrong, used or
// malformed code, or an unknown or disabled user, gives an error wrapping
// ErrUnauthorized.
func (s *Service) UseRecoveryCode(ctx context.Context, email, code string) error {
	canonical, ok := normalizeRecoveryCode(code)
	if !ok {
		return fmt.Errorf("use recovery code: %w", ErrUnauthorized)
	}
	email = normalizeEmail(email)
	u, _, err := userByEmail(ctx, s.db, email)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("use recovery code: %w", ErrUnauthorized)
	}
	if err != nil {
		return fmt.Errorf("use recovery code of %s: %w", email, err)
	}
	if u.Disabled {
		return fmt.Errorf("use recovery code: %w", ErrUnauthorized)
	}
	type stored struct {
		id   int64
		hash string
	}
	var unused []stored
	err = store.Each(ctx, s.db, "recovery codes of "+email,
		`SELECT id, hash FROM staff_recovery_codes WHERE user_id = $1 AND used_at IS NULL ORDER BY id`,
		[]any{u.ID}, func(rows *sql.Rows) error {
			var c stored
			if err := rows.Scan(&c.id, &c.hash); err != nil {
				return err
			}
			unused = append(unused, c)
			return nil
		})
	if err != nil {
		return fmt.Errorf("use recovery code: %w", err)
	}
	for _, c := range unused {
		match, _, err := verifySecret(canonical, c.hash)
		if err != nil {
			return fmt.Errorf("use recovery code %d of %s: %w", c.id, email, err)
		}
		if !match {
			continue
		}
		// The condition makes using the code atomic: of two requests
		// with it, only one marks it used.
		res, err := s.db.ExecContext(ctx, `UPDATE staff_recovery_codes SET used_at = $1
			WHERE id = $2 AND used_at IS NULL`, s.timestamp(), c.id)
		if err != nil {
			return fmt.Errorf("use recovery code of %s: %w", email, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			break
		}
		return nil
	}
	return fmt.Errorf("use recovery code: %w", ErrUnauthorized)
}

// RecoveryCodesLeft returns how many unused recovery codes a user has. An
// unknown user gives an error wrapping store.ErrNotFound.
func (s *Service) RecoveryCodesLeft(ctx context.Context, email string) (int, error) {
	email = normalizeEmail(email)
	u, _, err := userByEmail(ctx, s.db, email)
	if err != nil {
		return 0, fmt.Errorf("recovery codes left of %s: %w", email, err)
	}
	var n int
	err = s.db.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM staff_recovery_codes WHERE user_id = $1 AND used_at IS NULL`, u.ID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("recovery codes left of %s: %w", email, err)
	}
	return n, nil
}

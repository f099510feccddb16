package auth

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"github.com/vigie/vigie/internal/store"
)

// DefaultTOTPIssuer is the issuer authenticator apps show next to a staff
// user's account unless BeginTOTPWithIssuer names another.
const DefaultTOTPIssuer = "Vigie"

// The TOTP settings every authenticator app understands (RFC 6238's
// defaults): SHA-1, 6 digits, a code every 30 seconds, and one step of
// skew either side for clocks that drift.
const (
	totpPeriod     = 30
	totpDigits     = otp.DigitsSix
	totpSkew       = 1
	totpSecretSize = 20 // bytes, 160 bits as RFC 4226 recommends
)

var totpOpts = hotp.ValidateOpts{Digits: totpDigits, Algorithm: otp.AlgorithmSHA1}

// TOTPRequired reports whether users of role must sign in with a TOTP code
// after their password: admins must, other staff may.
func TOTPRequired(role Role) bool {
	return role == RoleAdmin
}

// BeginTOTP starts a user's TOTP enrolment and returns the new secret (base32)
// and its otpauth:// URL, to show once as text and QR code. The secret is
// pending: codes are not asked for until ConfirmTOTP accepts one, and an
// already active secret keeps working until then. A later BeginTOTP replaces
// a pending secret. An unknown user gives an error wrapping
// store.ErrNotFound, a disabled one an error wrapping ErrInvalid.
func (s *Service) BeginTOTP(ctx context.Context, email string) (secret, otpauthURL string, err error) {
	return s.BeginTOTPWithIssuer(ctx, email, DefaultTOTPIssuer)
}

// BeginTOTPWithIssuer is BeginTOTP with the issuer apps show (the host's
// name, say) instead of DefaultTOTPIssuer.
func (s *Service) BeginTOTPWithIssuer(ctx context.Context, email, issuer string) (secret, otpauthURL string, err error) {
	email = normalizeEmail(email)
	if issuer = strings.TrimSpace(issuer); issuer == "" {
		issuer = DefaultTOTPIssuer
	}
	u, _, err := userByEmail(ctx, s.db, email)
	if err != nil {
		return "", "", fmt.Errorf("begin totp for %s: %w", email, err)
	}
	if u.Disabled {
		return "", "", fmt.Errorf("begin totp for %s: %w", email, invalid("user", "the user is disabled"))
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: u.Email, Period: totpPeriod,
		SecretSize: totpSecretSize, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", "", fmt.Errorf("begin totp for %s: %w", email, err)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO staff_totp (user_id, pending_secret) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET pending_secret = excluded.pending_secret`, u.ID, key.Secret())
	if err != nil {
		return "", "", fmt.Errorf("begin totp for %s: %w", email, s.db.MapError(err))
	}
	return key.Secret(), key.URL(), nil
}

// ConfirmTOTP activates a user's pending TOTP secret when code is right for
// it at now, replacing any active one; that code is then used up. A wrong
// code gives an error wrapping ErrInvalid, no pending enrolment one
// wrapping store.ErrNotFound.
func (s *Service) ConfirmTOTP(ctx context.Context, email, code string, now time.Time) error {
	email = normalizeEmail(email)
	u, _, err := userByEmail(ctx, s.db, email)
	if err != nil {
		return fmt.Errorf("confirm totp for %s: %w", email, err)
	}
	var pending sql.NullString
	err = s.db.QueryRowContext(ctx, `SELECT pending_secret FROM staff_totp WHERE user_id = $1`, u.ID).Scan(&pending)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !pending.Valid {
		return fmt.Errorf("confirm totp: %w", store.NotFound("pending TOTP enrolment for", email))
	}
	if err != nil {
		return fmt.Errorf("confirm totp for %s: %w", email, err)
	}
	step, ok := matchTOTP(pending.String, code, now, 0)
	if !ok {
		return fmt.Errorf("confirm totp for %s: %w", email,
			invalid("code", "the code does not match: check the device's clock and type the code it shows now"))
	}
	// Matching the pending secret keeps a concurrent BeginTOTP's new secret
	// from being activated by a code for the old one.
	res, err := s.db.ExecContext(ctx, `UPDATE staff_totp SET secret = pending_secret, pending_secret = NULL,
		last_step = $1, enabled_at = $2 WHERE user_id = $3 AND pending_secret = $4`,
		step, now.UTC().Truncate(time.Microsecond), u.ID, pending.String)
	if err != nil {
		return fmt.Errorf("confirm totp for %s: %w", email, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("confirm totp: %w", store.NotFound("pending TOTP enrolment for", email))
	}
	return nil
}

// DisableTOTP removes a user's TOTP secret, active or pending, and their
// recovery codes: an admin's action for someone who lost their device. An
// unknown user gives an error wrapping store.ErrNotFound.
func (s *Service) DisableTOTP(ctx context.Context, email string) error {
	email = normalizeEmail(email)
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		u, _, err := userByEmail(ctx, tx, email)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff_totp WHERE user_id = $1`, u.ID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM staff_recovery_codes WHERE user_id = $1`, u.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("disable totp for %s: %w", email, err)
	}
	return nil
}

// HasTOTP reports whether a user has an active (confirmed) TOTP secret. An
// unknown user gives an error wrapping store.ErrNotFound.
func (s *Service) HasTOTP(ctx context.Context, email string) (bool, error) {
	email = normalizeEmail(email)
	u, _, err := userByEmail(ctx, s.db, email)
	if err != nil {
		return false, fmt.Errorf("has totp %s: %w", email, err)
	}
	var n int
	err = s.db.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM staff_totp WHERE user_id = $1 AND secret IS NOT NULL`, u.ID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("has totp %s: %w", email, err)
	}
	return n > 0, nil
}

// VerifyTOTP accepts code when it is right at now, within one step of skew,
// for the user's active secret, and was not used before: each time step is
// taken once, and never one older than the last taken, even by another
// replica at the same moment. Anything else (a wrong, replayed or malformed
// code, no active secret, an unknown or disabled user) gives an error
// wrapping ErrUnauthorized.
func (s *Service) VerifyTOTP(ctx context.Context, email, code string, now time.Time) error {
	email = normalizeEmail(email)
	u, _, err := userByEmail(ctx, s.db, email)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("verify totp: %w", ErrUnauthorized)
	}
	if err != nil {
		return fmt.Errorf("verify totp for %s: %w", email, err)
	}
	var (
		secret sql.NullString
		last   int64
	)
	err = s.db.QueryRowContext(ctx, `SELECT secret, last_step FROM staff_totp WHERE user_id = $1`, u.ID).Scan(&secret, &last)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (!secret.Valid || u.Disabled) {
		return fmt.Errorf("verify totp: %w", ErrUnauthorized)
	}
	if err != nil {
		return fmt.Errorf("verify totp for %s: %w", email, err)
	}
	step, ok := matchTOTP(secret.String, code, now, last)
	if !ok {
		return fmt.Errorf("verify totp: %w", ErrUnauthorized)
	}
	// The condition on last_step makes taking the step atomic: of two
	// requests with the same code, only one moves it.
	res, err := s.db.ExecContext(ctx, `UPDATE staff_totp SET last_step = $1
		WHERE user_id = $2 AND secret = $3 AND last_step < $1`, step, u.ID, secret.String)
	if err != nil {
		return fmt.Errorf("verify totp for %s: %w", email, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("verify totp: %w", ErrUnauthorized)
	}
	return nil
}

// matchTOTP returns the latest time step within the skew of now, and after
// last, for which code is right.
func matchTOTP(secret, code string, now time.Time, last int64) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != totpDigits.Length() || strings.Trim(code, "0123456789") != "" {
		return 0, false
	}
	current := now.Unix() / totpPeriod
	for step := current + totpSkew; step >= current-totpSkew; step-- {
		if step <= last || step < 0 {
			break
		}
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"image/png"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"

	"github.com/vigie/vigie/internal/auth"
)

// staffHome is where a staff member lands after signing in.
const staffHome = "/staff"

// localNext returns next when it is a path of this site (so that a link
// cannot send someone signing in elsewhere), staffHome otherwise.
func localNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t") {
		return staffHome
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return staffHome
	}
	// The sign-in steps themselves are no place to come back to.
	if strings.HasPrefix(u.Path, "/staff/signin") || strings.HasPrefix(u.Path, "/staff/totp") ||
		strings.HasPrefix(u.Path, "/staff/signout") {
		return staffHome
	}
	return u.RequestURI()
}

// otpKey reads an otpauth://totp/ URL with a secret.
func otpKey(otpauthURL string) (*otp.Key, error) {
	key, err := otp.NewKeyFromURL(otpauthURL)
	if err == nil && (key.Type() != "totp" || key.Secret() == "") {
		err = errors.New("not an otpauth://totp/ URL with a secret")
	}
	return key, err
}

// qrSize is the side of the enrolment QR code, in pixels.
const qrSize = 200

// totpQR returns the QR code of an otpauth:// URL as a PNG data: URI, for
// an <img> (the pages' CSP allows data: images, and no script is needed).
func totpQR(otpauthURL string) (template.URL, error) {
	key, err := otpKey(otpauthURL)
	if err != nil {
		return "", fmt.Errorf("totp qr code: %w", err)
	}
	img, err := key.Image(qrSize, qrSize)
	if err != nil {
		return "", fmt.Errorf("totp qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", fmt.Errorf("totp qr code: %w", err)
	}
	// A data: URI of our own PNG, base64: safe as an image source.
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())), nil
}

// groupSecret shows a base32 secret in groups of four, easier to type
// into an app by hand.
func groupSecret(secret string) string {
	var b strings.Builder
	for i, r := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// secondFactor is how a staff member proved the second step.
type secondFactor string

// The second factors.
const (
	byTOTP         secondFactor = "totp"
	byRecoveryCode secondFactor = "recovery code"
)

// words names a second factor in the audit log.
func (f secondFactor) words() string {
	switch f {
	case byTOTP:
		return "TOTP code"
	case byRecoveryCode:
		return "recovery code"
	}
	return "empty code"
}

// checkSecondFactor accepts, for the user with email, a TOTP code (six
// digits, spaces allowed) or one of their recovery codes; it returns which
// one was used, or an error wrapping auth.ErrUnauthorized. A TOTP code is
// taken once: the same code again is refused.
func checkSecondFactor(ctx context.Context, a *auth.Service, email, code string, now time.Time) (secondFactor, error) {
	digits := strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if digits == "" {
		return "", fmt.Errorf("second factor: empty code: %w", auth.ErrUnauthorized)
	}
	if strings.Trim(digits, "0123456789") == "" {
		if err := a.VerifyTOTP(ctx, email, digits, now); err != nil {
			return byTOTP, err
		}
		return byTOTP, nil
	}
	if err := a.UseRecoveryCode(ctx, email, code); err != nil {
		return byRecoveryCode, err
	}
	return byRecoveryCode, nil
}

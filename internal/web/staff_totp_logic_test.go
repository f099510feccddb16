package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestLocalNextKeepsOnlyPathsOfThisSite(t *testing.T) {
	for next, want := range map[string]string{
		"":                         "/staff",
		"/staff/audit?actor=a%40b": "/staff/audit?actor=a%40b",
		"/staff/security":          "/staff/security",
		"https://evil.example/x":   "/staff",
		"//evil.example/x":         "/staff",
		"/\\evil.example":          "/staff",
		"staff":                    "/staff",
		"javascript:alert(1)":      "/staff",
		"/staff/signin?next=/x":    "/staff",
		"/staff/totp":              "/staff",
		"/x\r\nSet-Cookie: a=b":    "/staff",
		"/%2F%2Fevil.example":      "/%2F%2Fevil.example",
	} {
		if got := localNext(next); got != want {
			t.Errorf("localNext(%q) = %q, want %q", next, got, want)
		}
	}
}

func TestTOTPQRIsAPNGDataURI(t *testing.T) {
	uri, err := totpQR("otpauth://totp/Vigie:ops@example.org?secret=JBSWY3DPEHPK3PXP&issuer=Vigie")
	if err != nil {
		t.Fatal(err)
	}
	data, ok := strings.CutPrefix(string(uri), "data:image/png;base64,")
	if !ok {
		t.Fatalf("not a PNG data URI: %.40s", uri)
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil || img.Bounds().Dx() != qrSize || img.Bounds().Dy() != qrSize {
		t.Fatalf("QR image: %v %v", err, img)
	}
	if _, err := totpQR("https://example.org/not-otpauth"); err == nil {
		t.Fatal("a URL that is no otpauth:// one gave a QR code")
	}
}

// TestTheSecondFactorRefusesReplaysAndUsedRecoveryCodes: a TOTP code works
// once, a recovery code works once, anything else is refused.
func TestTheSecondFactorRefusesReplaysAndUsedRecoveryCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := auth.NewService(db)
		if _, err := a.AddUser(ctx, "ops@example.org", auth.RoleAdmin, "a long enough password"); err != nil {
			t.Fatal(err)
		}
		secret, _, err := a.BeginTOTP(ctx, "ops@example.org")
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
		code := func(at time.Time) string {
			c, err := totp.GenerateCode(secret, at)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		if err := a.ConfirmTOTP(ctx, "ops@example.org", code(now), now); err != nil {
			t.Fatal(err)
		}
		codes, err := a.NewRecoveryCodes(ctx, "ops@example.org")
		if err != nil {
			t.Fatal(err)
		}
		later := now.Add(2 * time.Minute)
		steps := []struct {
			code string
			at   time.Time
			how  secondFactor
			ok   bool
		}{
			{code(later)[:3] + " " + code(later)[3:], later, byTOTP, true},
			{code(later), later, byTOTP, false},                        // the same code again
			{code(later.Add(-30 * time.Second)), later, byTOTP, false}, // an older step
			{strings.ToUpper(codes[0]), later, byRecoveryCode, true},
			{codes[0], later, byRecoveryCode, false}, // used
			{"not-a-code", later, byRecoveryCode, false},
			{"", later, "", false},
			{code(later.Add(time.Minute)), later.Add(time.Minute), byTOTP, true},
		}
		for i, s := range steps {
			how, err := checkSecondFactor(ctx, a, "ops@example.org", s.code, s.at)
			if how != s.how || (err == nil) != s.ok || (err != nil && !errors.Is(err, auth.ErrUnauthorized)) {
				t.Errorf("step %d, %q: %s, %v; want %s, ok %v", i, s.code, how, err, s.how, s.ok)
			}
		}
		if left, err := a.RecoveryCodesLeft(ctx, "ops@example.org"); err != nil || left != auth.RecoveryCodeCount-1 {
			t.Fatalf("recovery codes left: %d, %v", left, err)
		}
	})
}

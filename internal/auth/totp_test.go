package auth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// codeAt is what an authenticator app shows for secret at t.
func codeAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{
		Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enrol gives email an active TOTP secret, confirmed at at, and returns it.
func enrol(t *testing.T, s *Service, email string, at time.Time) string {
	t.Helper()
	secret, _, err := s.BeginTOTP(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ConfirmTOTP(context.Background(), email, codeAt(t, secret, at), at); err != nil {
		t.Fatalf("ConfirmTOTP with the right code: %v", err)
	}
	return secret
}

// wrongCode returns a six-digit code that is not code.
func wrongCode(code string) string {
	return fmt.Sprintf("%06d", (mustAtoi(code)+1)%1000000)
}

func mustAtoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestTOTPEnrolmentNeedsACorrectCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		secret, _, err := s.BeginTOTP(ctx, "Ana@example.org")
		if err != nil {
			t.Fatal(err)
		}
		code := codeAt(t, secret, start)
		if err := s.VerifyTOTP(ctx, "ana@example.org", code, start); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("a pending secret's code is accepted at sign-in: %v", err)
		}
		if err := s.ConfirmTOTP(ctx, "ana@example.org", wrongCode(code), start); !errors.Is(err, ErrInvalid) {
			t.Fatalf("ConfirmTOTP with a wrong code = %v, want ErrInvalid", err)
		}
		if on, err := s.HasTOTP(ctx, "ana@example.org"); err != nil || on {
			t.Fatalf("HasTOTP after a wrong confirmation = %v, %v; want false", on, err)
		}
		if err := s.ConfirmTOTP(ctx, "ana@example.org", code, start); err != nil {
			t.Fatalf("ConfirmTOTP with the right code: %v", err)
		}
		if on, err := s.HasTOTP(ctx, "ana@example.org"); err != nil || !on {
			t.Fatalf("HasTOTP after confirmation = %v, %v; want true", on, err)
		}
		if err := s.ConfirmTOTP(ctx, "ana@example.org", code, start); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a second ConfirmTOTP = %v, want ErrNotFound (nothing pending)", err)
		}
		// The confirming code is used up; the next step's is good.
		if err := s.VerifyTOTP(ctx, "ana@example.org", code, start); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("the code that confirmed the enrolment signs in again: %v", err)
		}
		next := start.Add(30 * time.Second)
		if err := s.VerifyTOTP(ctx, "ana@example.org", codeAt(t, secret, next), next); err != nil {
			t.Fatalf("VerifyTOTP with the next code: %v", err)
		}
	})
}

func TestReEnrolmentKeepsTheActiveSecretUntilConfirmed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		old := enrol(t, s, "ana@example.org", start)
		fresh, _, err := s.BeginTOTP(ctx, "ana@example.org")
		if err != nil || fresh == old {
			t.Fatalf("BeginTOTP again = %q, %v; want a new secret", fresh, err)
		}
		at := start.Add(time.Minute)
		if err := s.VerifyTOTP(ctx, "ana@example.org", codeAt(t, old, at), at); err != nil {
			t.Fatalf("the active secret stopped working before the new one was confirmed: %v", err)
		}
		at = at.Add(time.Minute)
		if err := s.ConfirmTOTP(ctx, "ana@example.org", codeAt(t, fresh, at), at); err != nil {
			t.Fatal(err)
		}
		at = at.Add(time.Minute)
		if err := s.VerifyTOTP(ctx, "ana@example.org", codeAt(t, old, at), at); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("the replaced secret still works: %v", err)
		}
		if err := s.VerifyTOTP(ctx, "ana@example.org", codeAt(t, fresh, at), at); err != nil {
			t.Fatalf("the new secret: %v", err)
		}
	})
}

func TestOtpauthURLNamesIssuerAndAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		for _, issuer := range []string{"", "Hébergeur Libre"} {
			secret, raw, err := s.BeginTOTPWithIssuer(ctx, "ANA@example.org", issuer)
			if err != nil {
				t.Fatal(err)
			}
			key, err := otp.NewKeyFromURL(raw)
			if err != nil {
				t.Fatalf("parse %s: %v", raw, err)
			}
			want := issuer
			if want == "" {
				want = DefaultTOTPIssuer
			}
			u, _ := url.Parse(raw)
			if u.Scheme != "otpauth" || u.Host != "totp" || key.Issuer() != want || u.Query().Get("issuer") != want ||
				key.AccountName() != "ana@example.org" || key.Secret() != secret || key.Period() != 30 ||
				key.Digits() != otp.DigitsSix || key.Algorithm() != otp.AlgorithmSHA1 {
				t.Errorf("otpauth URL %s: issuer %q account %q period %d digits %v algorithm %v; want %q, ana@example.org, 30, 6, SHA1",
					raw, key.Issuer(), key.AccountName(), key.Period(), key.Digits(), key.Algorithm(), want)
			}
		}
	})
}

func TestVerifyTOTPRefusesWrongFarAndReplayedCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		secret := enrol(t, s, "ana@example.org", start)
		now := start.Add(time.Hour)
		step := 30 * time.Second
		tests := []struct {
			name string
			code string
			ok   bool
		}{
			{"wrong code", wrongCode(codeAt(t, secret, now)), false},
			{"two steps early", codeAt(t, secret, now.Add(-2*step)), false},
			{"two steps late", codeAt(t, secret, now.Add(2*step)), false},
			{"malformed", "12a456", false},
			{"too short", codeAt(t, secret, now)[:5], false},
			{"one step early", codeAt(t, secret, now.Add(-step)), true},
			{"replayed", codeAt(t, secret, now.Add(-step)), false},
			{"current, with spaces", " " + codeAt(t, secret, now)[:3] + " " + codeAt(t, secret, now)[3:], true},
			{"current replayed", codeAt(t, secret, now), false},
			{"one step late", codeAt(t, secret, now.Add(step)), true},
		}
		for _, tt := range tests {
			err := s.VerifyTOTP(ctx, "ana@example.org", tt.code, now)
			if tt.ok && err != nil || !tt.ok && !errors.Is(err, ErrUnauthorized) {
				t.Errorf("%s: VerifyTOTP = %v, want ok=%v", tt.name, err, tt.ok)
			}
		}
		// Once a later step is taken, an earlier unused one is refused too.
		later := now.Add(5 * time.Minute)
		if err := s.VerifyTOTP(ctx, "ana@example.org", codeAt(t, secret, later), later); err != nil {
			t.Fatal(err)
		}
		if err := s.VerifyTOTP(ctx, "ana@example.org", codeAt(t, secret, later.Add(-step)), later); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("a step older than the last one taken is accepted: %v", err)
		}
	})
}

func TestConcurrentVerificationsOfOneCodeAcceptOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		secret := enrol(t, s, "ana@example.org", start)
		for round := range 5 {
			now := start.Add(time.Duration(round+1) * time.Minute)
			code := codeAt(t, secret, now)
			const n = 8
			var (
				wg    sync.WaitGroup
				ready = make(chan struct{})
				errs  = make(chan error, n)
			)
			for range n {
				wg.Go(func() {
					<-ready
					errs <- s.VerifyTOTP(ctx, "ana@example.org", code, now)
				})
			}
			close(ready)
			wg.Wait()
			close(errs)
			accepted := 0
			for err := range errs {
				switch {
				case err == nil:
					accepted++
				case !errors.Is(err, ErrUnauthorized):
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if accepted != 1 {
				t.Fatalf("round %d: %d of %d concurrent verifications of one code accepted, want 1", round, accepted, n)
			}
		}
	})
}

func TestTOTPSecretIsNotReadBackAfterEnrolment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		secret := enrol(t, s, "ana@example.org", start)
		var seen []any
		u, err := s.User(ctx, "ana@example.org")
		seen = append(seen, u, err)
		on, err := s.HasTOTP(ctx, "ana@example.org")
		seen = append(seen, on, err)
		seen = append(seen, s.VerifyTOTP(ctx, "ana@example.org", "000000", start))
		seen = append(seen, s.ConfirmTOTP(ctx, "ana@example.org", "000000", start))
		secret2, url2, err := s.BeginTOTP(ctx, "ana@example.org")
		seen = append(seen, secret2, url2, err)
		all := strings.ToUpper(fmt.Sprintf("%+v", seen))
		if strings.Contains(all, strings.ToUpper(secret)) {
			t.Fatalf("a read after enrolment shows the secret: %s", all)
		}
	})
}

func TestDisabledTOTPAndDisabledUsersAreRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		mustAddUser(t, s, "bob@example.org", RoleStaff)
		secret := enrol(t, s, "ana@example.org", start)
		bob := enrol(t, s, "bob@example.org", start)
		if _, err := s.NewRecoveryCodes(ctx, "ana@example.org"); err != nil {
			t.Fatal(err)
		}
		if err := s.DisableTOTP(ctx, "ana@example.org"); err != nil {
			t.Fatal(err)
		}
		at := start.Add(time.Minute)
		if on, err := s.HasTOTP(ctx, "ana@example.org"); err != nil || on {
			t.Fatalf("HasTOTP after DisableTOTP = %v, %v", on, err)
		}
		if err := s.VerifyTOTP(ctx, "ana@example.org", codeAt(t, secret, at), at); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("VerifyTOTP after DisableTOTP = %v", err)
		}
		if n, err := s.RecoveryCodesLeft(ctx, "ana@example.org"); err != nil || n != 0 {
			t.Fatalf("RecoveryCodesLeft after DisableTOTP = %d, %v; want 0", n, err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE users SET disabled_at = $1 WHERE email = 'bob@example.org'`, start); err != nil {
			t.Fatal(err)
		}
		if err := s.VerifyTOTP(ctx, "bob@example.org", codeAt(t, bob, at), at); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("VerifyTOTP of a disabled user = %v", err)
		}
		if err := s.VerifyTOTP(ctx, "nobody@example.org", "123456", at); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("VerifyTOTP of an unknown user = %v", err)
		}
		if err := s.DisableTOTP(ctx, "nobody@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("DisableTOTP of an unknown user = %v", err)
		}
	})
}

func TestTOTPIsRequiredForAdminsOnly(t *testing.T) {
	for role, want := range map[Role]bool{RoleAdmin: true, RoleStaff: false, RoleViewer: false} {
		if got := TOTPRequired(role); got != want {
			t.Errorf("TOTPRequired(%s) = %v, want %v", role, got, want)
		}
	}
}

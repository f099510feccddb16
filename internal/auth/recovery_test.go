package auth

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

var recoveryCodeForm = regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$`)

func TestRecoveryCodesWorkOnceEach(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		codes, err := s.NewRecoveryCodes(ctx, "Ana@example.org")
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, c := range codes {
			if !recoveryCodeForm.MatchString(c) || seen[c] {
				t.Fatalf("codes %q: %q is malformed or repeated", codes, c)
			}
			seen[c] = true
		}
		if len(codes) != RecoveryCodeCount {
			t.Fatalf("%d codes, want %d", len(codes), RecoveryCodeCount)
		}
		for i, c := range codes {
			if err := s.UseRecoveryCode(ctx, "ana@example.org", c); err != nil {
				t.Fatalf("code %d: %v", i, err)
			}
			if err := s.UseRecoveryCode(ctx, "ana@example.org", c); !errors.Is(err, ErrUnauthorized) {
				t.Fatalf("code %d used twice: %v", i, err)
			}
			if n, err := s.RecoveryCodesLeft(ctx, "ana@example.org"); err != nil || n != len(codes)-i-1 {
				t.Fatalf("after code %d RecoveryCodesLeft = %d, %v; want %d", i, n, err, len(codes)-i-1)
			}
		}
	})
}

func TestRecoveryCodeInputIsNormalized(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		codes, err := s.NewRecoveryCodes(ctx, "ana@example.org")
		if err != nil {
			t.Fatal(err)
		}
		typings := []func(string) string{
			strings.ToUpper,
			func(c string) string { return strings.ReplaceAll(c, "-", "") },
			func(c string) string { return " " + strings.ReplaceAll(c, "-", " - ") + "\t" },
			func(c string) string { return strings.NewReplacer("1", "l", "0", "O").Replace(c) },
			func(c string) string { return strings.ToUpper(strings.ReplaceAll(c, "1", "I")) },
		}
		for i, typed := range typings {
			if err := s.UseRecoveryCode(ctx, "ana@example.org", typed(codes[i])); err != nil {
				t.Errorf("typing %d of %q (%q): %v", i, codes[i], typed(codes[i]), err)
			}
		}
		for _, bad := range []string{"", codes[9][:10], codes[9] + "x", "uuuuu-uuuuu", "ééééé-ééééé"} {
			if err := s.UseRecoveryCode(ctx, "ana@example.org", bad); !errors.Is(err, ErrUnauthorized) {
				t.Errorf("UseRecoveryCode(%q) = %v, want ErrUnauthorized", bad, err)
			}
		}
	})
}

func TestReplacedRecoveryCodesStopWorking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		mustAddUser(t, s, "bob@example.org", RoleStaff)
		old, err := s.NewRecoveryCodes(ctx, "ana@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.UseRecoveryCode(ctx, "ana@example.org", old[0]); err != nil {
			t.Fatal(err)
		}
		fresh, err := s.NewRecoveryCodes(ctx, "ana@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if n, err := s.RecoveryCodesLeft(ctx, "ana@example.org"); err != nil || n != RecoveryCodeCount {
			t.Fatalf("RecoveryCodesLeft after replacing = %d, %v; want %d", n, err, RecoveryCodeCount)
		}
		if err := s.UseRecoveryCode(ctx, "ana@example.org", old[1]); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("a replaced code works: %v", err)
		}
		if err := s.UseRecoveryCode(ctx, "bob@example.org", fresh[0]); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("another user's code works: %v", err)
		}
		if err := s.UseRecoveryCode(ctx, "ana@example.org", fresh[0]); err != nil {
			t.Fatalf("a new code: %v", err)
		}
		if _, err := s.NewRecoveryCodes(ctx, "nobody@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("NewRecoveryCodes of an unknown user = %v", err)
		}
	})
}

func TestRecoveryCodesAreNotStoredInClear(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestService(db)
		mustAddUser(t, s, "ana@example.org", RoleAdmin)
		codes, err := s.NewRecoveryCodes(ctx, "ana@example.org")
		if err != nil {
			t.Fatal(err)
		}
		var table strings.Builder
		err = store.Each(ctx, db, "dump", `SELECT id, user_id, hash, created_at, used_at FROM staff_recovery_codes`, nil,
			func(rows *sql.Rows) error {
				var (
					id, user int64
					hash     string
					created  any
					used     sql.NullTime
				)
				if err := rows.Scan(&id, &user, &hash, &created, &used); err != nil {
					return err
				}
				if !strings.HasPrefix(hash, "$argon2id$") {
					t.Errorf("stored %q is not an argon2id hash", hash)
				}
				table.WriteString(strings.ToLower(hash) + "\n")
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range codes {
			if strings.Contains(table.String(), c) || strings.Contains(table.String(), strings.ReplaceAll(c, "-", "")) {
				t.Fatalf("code %s is stored in clear:\n%s", c, table.String())
			}
		}
	})
}

func TestNormalizeRecoveryCode(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"ab1cd-e0fgh", "ab1cde0fgh", true},
		{"AB1CD-E0FGH", "ab1cde0fgh", true},
		{"abIcd eOfgh", "ab1cde0fgh", true},
		{"ablcd--e0fgh", "ab1cde0fgh", true},
		{" ab1cde0fgh\t", "ab1cde0fgh", true},
		{"ab1cd-e0fg", "", false},
		{"ab1cd-e0fghj", "", false},
		{"ab1cd-e0fgu", "", false},
		{"ab1cd-e0fgé", "", false},
		{"ab1cd_e0fgh", "", false},
	}
	for _, tt := range tests {
		got, ok := normalizeRecoveryCode(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("normalizeRecoveryCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

package status_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/status"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func addCustomers(t *testing.T, db *store.DB, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if _, err := db.ExecContext(context.Background(), `INSERT INTO customers (id, name, email, language, timezone)
			VALUES ($1, $2, $3, 'fr', 'Europe/Paris')`, id, "Name "+id, id+"@example.org"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCustomerTokensResolveRotateAndRevoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		addCustomers(t, db, "c1", "c2")
		s := status.NewTokenStore(db)
		clock := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { clock = clock.Add(time.Second); return clock }

		fp0, err := s.Fingerprint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t1, err := s.Issue(ctx, "c1")
		if err != nil {
			t.Fatal(err)
		}
		t2, err := s.Issue(ctx, "c2")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(t1, "vst_") || t1 == t2 {
			t.Fatalf("tokens %q %q", t1, t2)
		}
		tokens, err := s.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		fp1, _ := s.Fingerprint(ctx)
		if fp, _ := s.Fingerprint(ctx); fp == fp0 {
			t.Errorf("fingerprint unchanged after issuing: %s", fp)
		}
		if c, ok := tokens.Customer(t1); !ok || c != "c1" {
			t.Errorf("token 1 resolves to %q %v", c, ok)
		}
		if c, ok := tokens.Customer(t2); !ok || c != "c2" {
			t.Errorf("token 2 resolves to %q %v", c, ok)
		}
		// A token whose secret is changed by one character is refused.
		forged := t1[:len(t1)-1] + map[bool]string{true: "A", false: "B"}[t1[len(t1)-1] != 'A']
		for _, bad := range []string{"", "vst_", forged, strings.Replace(t1, "vst_", "vagt_", 1)} {
			if c, ok := tokens.Customer(bad); ok {
				t.Errorf("token %q resolves to %q", bad, c)
			}
		}

		// Rotation: the old token dies, the new one works, the fingerprint moves.
		t1b, err := s.Issue(ctx, "c1")
		if err != nil {
			t.Fatal(err)
		}
		tokens, err = s.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		fp2, _ := s.Fingerprint(ctx)
		if _, ok := tokens.Customer(t1); ok {
			t.Error("the rotated token still resolves")
		}
		if c, ok := tokens.Customer(t1b); !ok || c != "c1" {
			t.Errorf("new token resolves to %q %v", c, ok)
		}
		if fp2 == fp1 {
			t.Error("fingerprint unchanged after rotation")
		}

		// Revocation.
		before, _ := s.Fingerprint(ctx)
		if err := s.Revoke(ctx, "c2"); err != nil {
			t.Fatal(err)
		}
		if after, _ := s.Fingerprint(ctx); after == before {
			t.Error("fingerprint unchanged after revocation")
		}
		tokens, _ = s.Load(ctx)
		if _, ok := tokens.Customer(t2); ok {
			t.Error("a revoked token still resolves")
		}
		if err := s.Revoke(ctx, "c2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second revoke: %v", err)
		}
		if _, err := s.Issue(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("issue for an unknown customer: %v", err)
		}
		if info, err := s.Get(ctx, "c1"); err != nil || info.CreatedAt.IsZero() {
			t.Errorf("get: %+v %v", info, err)
		}
		// Deleting the customer deletes their token.
		if _, err := db.ExecContext(ctx, `DELETE FROM customers WHERE id = 'c1'`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "c1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("token of a deleted customer: %v", err)
		}
	})
}

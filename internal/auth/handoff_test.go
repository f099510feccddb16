package auth_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

var handOffSecret = []byte("a secret shared with the panel, 32+ bytes long")

func TestAHandOffLinkOpensOnceForItsCustomerOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		h, err := auth.NewHandOffs(db, handOffSecret, 0, 0, func() time.Time { return now })
		if err != nil {
			t.Fatal(err)
		}
		q := auth.SignHandOff(handOffSecret, "C00042", now.Add(-10*time.Second), "n0nce-aaaaaaaaaaaaaaaa", "/account/tickets/")
		got, err := h.Check(ctx, q)
		if err != nil || got.Customer != "C00042" || got.Next != "/account/tickets/" {
			t.Fatalf("a good link: %+v %v", got, err)
		}
		if _, err := h.Check(ctx, q); !errors.Is(err, auth.ErrHandOff) || !strings.Contains(err.Error(), "replay") {
			t.Errorf("the same link again: %v, want a refused replay", err)
		}
		fresh := func(customer string, at time.Time, nonce, next string) url.Values {
			return auth.SignHandOff(handOffSecret, customer, at, nonce, next)
		}
		for _, c := range []struct {
			name string
			q    url.Values
			says string
		}{
			{"another customer in a signed link", with(fresh("C00042", now, "nonce-bbbbbbbbbbbbbbbb", ""), "customer", "C00043"), "signature"},
			{"a changed landing path", with(fresh("C00042", now, "nonce-cccccccccccccccc", "/account/"), "next", "/account/x"), "signature"},
			{"signed by another secret", auth.SignHandOff([]byte("another secret, also 32 bytes or more"), "C00042", now, "nonce-dddddddddddddddd", ""), "signature"},
			{"expired", fresh("C00042", now.Add(-3*time.Minute), "nonce-eeeeeeeeeeeeeeee", ""), "expired"},
			{"from the future beyond the skew", fresh("C00042", now.Add(time.Minute), "nonce-ffffffffffffffff", ""), "future"},
			{"a short nonce", fresh("C00042", now, "short", ""), "nonce"},
			{"a landing elsewhere", fresh("C00042", now, "nonce-gggggggggggggggg", "//evil.example/"), "next"},
			{"a landing by scheme", fresh("C00042", now, "nonce-hhhhhhhhhhhhhhhh", "https://evil.example/"), "next"},
			{"no signature", with(fresh("C00042", now, "nonce-iiiiiiiiiiiiiiii", ""), "sig", ""), "signature"},
			{"a time that is no number", with(fresh("C00042", now, "nonce-jjjjjjjjjjjjjjjj", ""), "ts", "soon"), "ts"},
		} {
			if _, err := h.Check(ctx, c.q); !errors.Is(err, auth.ErrHandOff) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("%s: %v, want a refusal about %s", c.name, err, c.says)
			}
		}
		// A panel clock ahead by less than the skew is forgiven.
		if _, err := h.Check(ctx, fresh("C00042", now.Add(20*time.Second), "nonce-kkkkkkkkkkkkkkkk", "")); err != nil {
			t.Errorf("20 s ahead: %v", err)
		}
		// The nonces of expired links are forgotten; they cannot pass anyway.
		if n, err := h.Retain(ctx, now.Add(time.Hour)); err != nil || n != 2 {
			t.Errorf("retain: %d %v, want the 2 nonces spent", n, err)
		}
	})
}

// Two replicas given the same link at once: exactly one opens it.
func TestAHandOffLinkPassesOnceAcrossReplicas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		h, err := auth.NewHandOffs(db, handOffSecret, 0, 0, func() time.Time { return now })
		if err != nil {
			t.Fatal(err)
		}
		q := auth.SignHandOff(handOffSecret, "C1", now, "nonce-once-only-0123", "")
		var ok atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if _, err := h.Check(context.Background(), q); err == nil {
					ok.Add(1)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 1 {
			t.Errorf("%d checks passed, want exactly 1", ok.Load())
		}
	})
}

func TestAHandOffSecretMustBeLong(t *testing.T) {
	if _, err := auth.NewHandOffs(nil, []byte("short"), 0, 0, nil); !errors.Is(err, auth.ErrInvalid) {
		t.Errorf("a 5-byte secret: %v", err)
	}
}

func with(q url.Values, k, v string) url.Values {
	q.Set(k, v)
	return q
}

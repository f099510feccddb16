package auth

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// wantWait fails unless Allow says wait for account from addr at now.
func wantWait(t *testing.T, th *Throttle, account, addr string, now time.Time, want time.Duration) {
	t.Helper()
	got, err := th.Allow(context.Background(), account, addr, now)
	if err != nil || got != want {
		t.Fatalf("Allow(%s, %s) at +%v = %v, %v; want %v", account, addr, now.Sub(start), got, err, want)
	}
}

func mustFail(t *testing.T, th *Throttle, account, addr string, now time.Time) {
	t.Helper()
	if err := th.Failed(context.Background(), account, addr, now); err != nil {
		t.Fatalf("Failed(%s, %s): %v", account, addr, err)
	}
}

func TestThrottleGivesFiveFreeFailuresThenDoublingCappedWaits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		th := NewThrottle(db)
		now := start
		for i := range 5 {
			// A new address each time, so that only the account counts.
			mustFail(t, th, "Ana@Example.org", fmt.Sprintf("192.0.2.%d", i), now)
			wantWait(t, th, "ana@example.org", "198.51.100.1", now, 0)
			now = now.Add(time.Second)
		}
		want := time.Second
		for i := 5; i < 20; i++ {
			mustFail(t, th, "ana@example.org ", fmt.Sprintf("192.0.2.%d", i), now)
			wantWait(t, th, "ana@example.org", "198.51.100.1", now, want)
			wantWait(t, th, "ana@example.org", "198.51.100.1", now.Add(want/2), want-want/2)
			wantWait(t, th, "bob@example.org", "198.51.100.1", now, 0)
			now = now.Add(want)
			wantWait(t, th, "ana@example.org", "198.51.100.1", now, 0)
			want = min(2*want, 15*time.Minute)
		}
		if want != 15*time.Minute {
			t.Fatalf("the waits never reached their cap")
		}
	})
}

func TestThrottleCountsAnAddressAcrossAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		th := NewThrottle(db)
		for i := range 20 {
			// Addresses of one /64 count as one.
			mustFail(t, th, fmt.Sprintf("user%d@example.org", i), fmt.Sprintf("[2001:db8:1:2::%x]:443", i), start)
		}
		wantWait(t, th, "new@example.org", "2001:db8:1:2:ffff::1", start, 0)
		mustFail(t, th, "user21@example.org", "2001:db8:1:2::21", start)
		wantWait(t, th, "new@example.org", "2001:db8:1:2:ffff::1", start, time.Second)
		wantWait(t, th, "new@example.org", "2001:db8:1:3::1", start, 0)
		wantWait(t, th, "user0@example.org", "192.0.2.1", start, 0)
	})
}

func TestThrottleSuccessResetsTheAccountNotTheAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		th := NewThrottle(db)
		th.Address.Free = 5
		for range 7 {
			mustFail(t, th, "ana@example.org", "192.0.2.1", start)
		}
		wantWait(t, th, "ana@example.org", "198.51.100.1", start, 2*time.Second)
		if err := th.Succeeded(ctx, "ANA@example.org"); err != nil {
			t.Fatal(err)
		}
		wantWait(t, th, "ana@example.org", "198.51.100.1", start, 0)
		wantWait(t, th, "bob@example.org", "192.0.2.1", start, 2*time.Second)
		mustFail(t, th, "ana@example.org", "198.51.100.1", start)
		wantWait(t, th, "ana@example.org", "198.51.100.1", start, 0)
	})
}

func TestThrottleForgetsAfterAQuietWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		th := NewThrottle(db)
		for range 6 {
			mustFail(t, th, "ana@example.org", "192.0.2.1", start)
		}
		// The 1 s wait plus 15 min: not yet forgotten, the count goes on.
		quiet := time.Second + 15*time.Minute
		mustFail(t, th, "ana@example.org", "192.0.2.1", start.Add(quiet-time.Microsecond))
		last := start.Add(quiet - time.Microsecond)
		wantWait(t, th, "ana@example.org", "192.0.2.1", last, 2*time.Second)
		if n, err := th.Retain(ctx, last.Add(15*time.Minute-time.Microsecond)); err != nil || n != 0 {
			t.Fatalf("Retain before the window = %d, %v", n, err)
		}
		// Forgotten: the next failures are the first again.
		later := last.Add(2*time.Second + 15*time.Minute)
		wantWait(t, th, "ana@example.org", "192.0.2.1", later, 0)
		for range 5 {
			mustFail(t, th, "ana@example.org", "192.0.2.1", later)
		}
		wantWait(t, th, "ana@example.org", "192.0.2.1", later, 0)
		if n, err := th.Retain(ctx, later.Add(15*time.Minute)); err != nil || n != 2 {
			t.Fatalf("Retain = %d, %v; want the account's and the address's rows", n, err)
		}
	})
}

func TestNormalizeAddr(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1":                 "192.0.2.1",
		"192.0.2.1:5555":            "192.0.2.1",
		"::ffff:192.0.2.1":          "192.0.2.1",
		"2001:DB8:1:2:3:4:5:6":      "2001:db8:1:2::/64",
		"[2001:db8:1:2::9%eth0]:80": "2001:db8:1:2::/64",
		"[2001:db8:1:2::9]:80":      "2001:db8:1:2::/64",
		" Unknown ":                 "unknown",
		"":                          "",
	} {
		if got := NormalizeAddr(in); got != want {
			t.Errorf("NormalizeAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestThrottleCountsConcurrentFailuresOfTwoServers has two servers, each
// with its own connections, count failures of one account at once: every
// one counts.
func TestThrottleCountsConcurrentFailuresOfTwoServers(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, e)
			var servers []*Throttle
			for range 2 {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = db.Close() })
				if _, err := db.Migrate(ctx, nil); err != nil {
					t.Fatal(err)
				}
				servers = append(servers, NewThrottle(db))
			}
			const each = 12
			var wg sync.WaitGroup
			errs := make(chan error, 2*each)
			for i := range 2 * each {
				wg.Go(func() {
					errs <- servers[i%2].Failed(ctx, "ana@example.org", fmt.Sprintf("192.0.2.%d", i%3), start)
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			var n int
			err := servers[0].db.QueryRowContext(ctx,
				`SELECT failures FROM signin_throttle WHERE throttle_key = $1`, accountKey("ana@example.org")).Scan(&n)
			if err != nil || n != 2*each {
				t.Fatalf("failures counted = %d, %v; want %d", n, err, 2*each)
			}
			// 24 failures: 19 past the free 5, so 2^18 s, capped.
			wantWait(t, servers[1], "ana@example.org", "198.51.100.1", start, 15*time.Minute)
		})
	}
}

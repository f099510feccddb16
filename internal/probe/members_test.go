package probe

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// shareChecks returns n checks of distinct keys, as a location's.
func shareChecks(n int) []check.Check {
	out := make([]check.Check, n)
	for i := range out {
		out[i] = check.Check{Asset: fmt.Sprintf("s%07d", i), Kind: check.HTTP, URL: fmt.Sprintf("https://s%07d.example.org/", i)}
	}
	return out
}

func owners(list []check.Check, alive []string) map[string]string {
	out := make(map[string]string, len(list))
	for i := range list {
		out[list[i].Key()] = OwnerOf(list[i].Key(), alive)
	}
	return out
}

func TestRendezvousSharesAreBalanced(t *testing.T) {
	list := shareChecks(60_000)
	for _, n := range []int{2, 3, 5, 10} {
		alive := make([]string, n)
		for i := range alive {
			alive[i] = fmt.Sprintf("%016x", uint64(i)*0x9e3779b97f4a7c15)
		}
		counts := Shares(list, alive)
		want := float64(len(list)) / float64(n)
		total := 0
		for _, id := range alive {
			total += counts[id]
			if dev := math.Abs(float64(counts[id])-want) / want; dev > 0.03 {
				t.Errorf("%d members: %s has %d checks, %.1f%% off the even %0.f", n, id, counts[id], 100*dev, want)
			}
		}
		if total != len(list) {
			t.Errorf("%d members: %d checks shared, want %d", n, total, len(list))
		}
		// Each member's share is what Shares counted, and the shares cover
		// the list once.
		seen := map[string]int{}
		for _, id := range alive {
			share := ShareOf(list, alive, id)
			if len(share) != counts[id] {
				t.Errorf("%d members: ShareOf(%s) has %d checks, Shares says %d", n, id, len(share), counts[id])
			}
			for i := range share {
				seen[share[i].Key()]++
			}
		}
		if len(seen) != len(list) {
			t.Errorf("%d members: the shares cover %d checks of %d", n, len(seen), len(list))
		}
	}
}

func TestRendezvousMovesOnlyTheShareOfWhoJoinsOrLeaves(t *testing.T) {
	list := shareChecks(30_000)
	three := []string{"a1b2c3d4e5f60718", "0f1e2d3c4b5a6978", "77aa88bb99cc00dd"}
	four := append(slices.Clone(three), "1234567890abcdef")
	slices.Sort(four)
	before, after := owners(list, three), owners(list, four)
	moved := 0
	for key, was := range before {
		now := after[key]
		if now == was {
			continue
		}
		moved++
		if now != "1234567890abcdef" {
			t.Fatalf("check %s moved from %s to %s, not to the member joining", key, was, now)
		}
	}
	// The newcomer takes a quarter, from each of the three alike.
	if want := len(list) / 4; math.Abs(float64(moved-want))/float64(want) > 0.03 {
		t.Errorf("a fourth member took %d checks, want about %d", moved, want)
	}
	// The member leaving hands out only its own checks.
	two := []string{three[0], three[2]}
	left := owners(list, two)
	for key, was := range before {
		if was != three[1] && left[key] != was {
			t.Fatalf("check %s of %s moved to %s when %s left", key, was, left[key], three[1])
		}
	}
	// Without members, or for a probe that names none, the list is whole.
	if got := ShareOf(list, nil, "x"); len(got) != len(list) {
		t.Errorf("no members: %d checks, want all %d", len(got), len(list))
	}
	if got := ShareOf(list, three, "not-a-member"); len(got) != len(list) {
		t.Errorf("a caller not among the members: %d checks, want all %d", len(got), len(list))
	}
}

func TestHelloIsParsedStrictly(t *testing.T) {
	good := []struct {
		in   string
		want Hello
	}{
		{"0a1b2c3d4e5f6071", Hello{ID: "0a1b2c3d4e5f6071", Name: "0a1b2c3d4e5f6071", Heartbeat: time.Second}},
		{"0a1b; name=probe-2.paris; heartbeat=400ms", Hello{ID: "0a1b", Name: "probe-2.paris", Heartbeat: 400 * time.Millisecond}},
	}
	for _, c := range good {
		got, err := ParseHello(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseHello(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
		if again, err := ParseHello(got.String()); err != nil || again != got {
			t.Errorf("ParseHello(%q) = %+v, %v; want %+v back", got.String(), again, err, got)
		}
	}
	bad := map[string]string{
		"":                       "want the probe buffer's id first",
		"a b":                    "want the probe buffer's id first",
		"ab; name=":              `name ""`,
		"ab; name=x y":           `name "x y"`,
		"ab; heartbeat=1ms":      "heartbeat: want a duration from 250ms to 1m0s",
		"ab; heartbeat=soon":     "heartbeat: want a duration",
		"ab; colour=blue":        `unknown part " colour=blue"`,
		strings.Repeat("a", 65):  "want the probe buffer's id first",
		"ab; name=" + "-leading": `name "-leading"`,
	}
	for in, want := range bad {
		_, err := ParseHello(in)
		if !errors.Is(err, ErrInvalidMember) || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseHello(%q): %v, want ErrInvalidMember saying %q", in, err, want)
		}
	}
}

func TestMembersAreSharedByEveryServerAndDieAfterTheirWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := NewLocationStore(db).Add(ctx, "paris"); err != nil {
			t.Fatal(err)
		}
		clock := &testClock{t: queueT0}
		// Two servers on one database, each with its own cache.
		one, two := NewMemberStore(db), NewMemberStore(db)
		one.SetClock(clock.now)
		two.SetClock(clock.now)
		a := Hello{ID: "aaaa", Name: "probe-a", Heartbeat: time.Second}
		b := Hello{ID: "bbbb", Name: "probe-b", Heartbeat: 2 * time.Second}
		if err := one.Touch(ctx, "paris", a); err != nil {
			t.Fatal(err)
		}
		view := func(s *MemberStore) Members {
			t.Helper()
			v, err := s.View(ctx, "paris")
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		if v := view(two); !slices.Equal(v.Alive, []string{"aaaa"}) || !v.Since.Equal(queueT0) {
			t.Fatalf("after a's first call: alive %v since %v, want [aaaa] since %v", v.Alive, v.Since, queueT0)
		}
		clock.advance(500 * time.Millisecond)
		if err := two.Touch(ctx, "paris", b); err != nil {
			t.Fatal(err)
		}
		// The other server sees b once its cache is a quarter second old.
		clock.advance(memberCacheTTL)
		v := view(one)
		if !slices.Equal(v.Alive, []string{"aaaa", "bbbb"}) || !v.Since.Equal(queueT0.Add(500*time.Millisecond)) {
			t.Fatalf("after b joined: alive %v since %v", v.Alive, v.Since)
		}
		if !v.HandoverAt().Equal(v.Since.Add(MemberHandover)) {
			t.Errorf("handover at %v, want %v", v.HandoverAt(), v.Since.Add(MemberHandover))
		}
		tag := v.Tag
		// a calls again within its window: nothing changes.
		clock.advance(time.Second)
		if err := one.Touch(ctx, "paris", a); err != nil {
			t.Fatal(err)
		}
		if v := view(two); v.Tag != tag || len(v.Alive) != 2 {
			t.Fatalf("a calling again changed the members: %v (tag %s, was %s)", v.Alive, v.Tag, tag)
		}
		// a falls silent: alive until three heartbeats after its last call,
		// dead from then, on both servers alike.
		lastA := clock.t
		clock.t = lastA.Add(3 * time.Second)
		if err := two.Touch(ctx, "paris", b); err != nil {
			t.Fatal(err)
		}
		if v := view(one); len(v.Alive) != 2 {
			t.Fatalf("a at the end of its window: alive %v, want both", v.Alive)
		}
		clock.advance(time.Millisecond)
		for _, s := range []*MemberStore{one, two} {
			v := view(s)
			if !slices.Equal(v.Alive, []string{"bbbb"}) || !v.Since.Equal(lastA.Add(3*time.Second)) || v.Tag == tag {
				t.Fatalf("a past its window: alive %v since %v (tag %s), want [bbbb] since %v", v.Alive, v.Since, v.Tag, lastA.Add(3*time.Second))
			}
		}
		// a back (same buffer, a restart): alive again from now.
		clock.advance(10 * time.Second)
		if err := one.Touch(ctx, "paris", a); err != nil {
			t.Fatal(err)
		}
		if err := two.Touch(ctx, "paris", b); err != nil {
			t.Fatal(err)
		}
		v = view(two)
		if !slices.Equal(v.Alive, []string{"aaaa", "bbbb"}) || !v.Since.Equal(clock.t) {
			t.Fatalf("a back: alive %v since %v, want both since %v", v.Alive, v.Since, clock.t)
		}
		list, err := two.List(ctx, "paris")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Name != "probe-a" || !list[0].FirstSeen.Equal(queueT0) || list[1].Heartbeat != 2*time.Second {
			t.Fatalf("members: %+v", list)
		}
	})
}

func TestMembersNumberTheirResultsApart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := newQueue(t, db)
		members := NewMemberStore(db)
		for _, id := range []string{"m1", "m2"} {
			if err := members.Touch(ctx, "paris", Hello{ID: id, Name: id, Heartbeat: time.Second}); err != nil {
				t.Fatal(err)
			}
		}
		// Two members send batches in turn, each numbering from 1: none of
		// them is taken for a replay of the other's.
		for round := range 3 {
			for _, id := range []string{"m1", "m2"} {
				seqs := []uint64{uint64(2*round + 1), uint64(2*round + 2)}
				taken, err := take(ctx, q, "paris", id, records(id, seqs...), queueT0)
				if err != nil || taken != seqs[1] {
					t.Fatalf("round %d, %s: took up to %d (%v), want %d", round, id, taken, err, seqs[1])
				}
				if got := drain(t, q); len(got) != 2 {
					t.Fatalf("round %d, %s: queued %v, want 2", round, id, keysOf(got))
				}
			}
		}
		list, err := members.List(ctx, "paris")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			if m.LastSeq != 6 {
				t.Errorf("member %s: last sequence %d, want 6", m.ID, m.LastSeq)
			}
		}
		// A batch of a buffer that never named itself is numbered, yet no
		// member: it never shares the checks.
		if _, err := take(ctx, q, "paris", "anon", records("anon", 1), queueT0); err != nil {
			t.Fatal(err)
		}
		if v, err := members.View(ctx, "paris"); err != nil || len(v.All) != 2 {
			t.Fatalf("after an unnamed batch: %+v, %v; want the two members", v.All, err)
		}
	})
}

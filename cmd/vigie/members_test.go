package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/probe"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// hitLog is what the sites checked saw: each request's check, the probe
// process that sent it (by its User-Agent) and when it came.
type hitLog struct {
	mu   sync.Mutex
	hits []hit
}

type hit struct {
	check, member string
	at            time.Time
}

func (l *hitLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	member := strings.TrimSuffix(strings.TrimPrefix(r.UserAgent(), "Vigie (probe "), ")")
	l.mu.Lock()
	l.hits = append(l.hits, hit{check: strings.TrimPrefix(r.URL.Path, "/c/"), member: member, at: at})
	l.mu.Unlock()
	_, _ = w.Write([]byte("ok"))
}

func (l *hitLog) all() []hit {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.hits)
}

// locationMembers reads the members of a location from the API.
func locationMembers(p *proc, token, location string) ([]struct {
	ID, Name string
	Alive    bool
	Checks   int
}, error) {
	var out struct {
		Locations []struct {
			Name    string `json:"name"`
			Members []struct {
				ID, Name string
				Alive    bool
				Checks   int
			} `json:"members"`
		} `json:"locations"`
	}
	if err := p.getJSON("/api/v1/locations", token, &out); err != nil {
		return nil, err
	}
	for _, l := range out.Locations {
		if l.Name == location {
			return l.Members, nil
		}
	}
	return nil, fmt.Errorf("no location %s", location)
}

// TestProbeProcessesShareALocationThroughJoinAndKill runs one server and
// three real probe processes of one location against loopback sites that
// log every request: two members share the checks, a third joins, then
// one is killed (SIGKILL, no goodbye). Between the changes every check
// runs from the member rendezvous hashing gives it; across them no check
// runs twice in an interval, a check changing hands at a join misses no
// run, and the checks of the member killed miss at most one run.
//
// Timing: checks every 3 s; members call every 400 ms and are dead after
// 1.2 s of silence; a change of shares takes effect 1 s after the change
// (probe.MemberHandover). A check of the killed member whose slot falls
// within those 2.2 s after its last call is not run: its gap is then two
// intervals. Tolerance for jitter: 0.75 s on each bound (a run starts at
// its slot within milliseconds, more on a loaded machine).
func TestProbeProcessesShareALocationThroughJoinAndKill(t *testing.T) {
	const (
		n         = 24
		every     = 3 * time.Second
		tolerance = 750 * time.Millisecond
		settle    = probe.MemberHandover + 300*time.Millisecond
		window    = 2 * every
	)
	sites := &hitLog{}
	target := httptest.NewServer(sites)
	t.Cleanup(target.Close)
	var inv strings.Builder
	inv.WriteString("assets:\n")
	for i := range n {
		fmt.Fprintf(&inv, "  - {name: s%02d, kind: site}\n", i)
	}
	inv.WriteString("checks:\n")
	keys := make([]string, n) // by check number
	for i := range n {
		fmt.Fprintf(&inv, "  - {asset: s%02d, name: web, kind: http, url: %q, interval: 3s, locations: [paris]}\n",
			i, fmt.Sprintf("%s/c/%02d", target.URL, i))
		keys[i] = fmt.Sprintf("s%02d/web", i)
	}
	dsn := storetest.DSN(t, store.SQLite)
	importYAML(t, dsn, inv.String())
	token := staffToken(t, dsn)
	r := vigie(t, dsn, "", "location", "add", "paris")
	locToken := strings.TrimSpace(r.stdout)
	if r.code != 0 {
		t.Fatalf("location add: %+v", r)
	}
	server := startServe(t, "server", dsn, "--probe=false")
	dir := t.TempDir()
	startProbe := func(name string) *proc {
		return startVigie(t, name, dsn, "probe", "--server", "http://"+server.addr, "--token", locToken,
			"--location", "paris", "--buffer", filepath.Join(dir, name), "--member", name, "--heartbeat", "400ms")
	}
	ids := map[string]string{} // member name → id
	// waitMembers waits until exactly names are alive and share the
	// checks, and returns when it saw them so.
	waitMembers := func(names ...string) time.Time {
		t.Helper()
		waitFor(t, 20*time.Second, fmt.Sprintf("members %v alive", names), func() bool {
			list, err := locationMembers(server, token, "paris")
			if err != nil {
				t.Logf("members: %v", err)
				return false
			}
			var alive []string
			total := 0
			for _, m := range list {
				if m.Alive {
					alive = append(alive, m.Name)
					total += m.Checks
					ids[m.Name] = m.ID
				}
			}
			slices.Sort(alive)
			return slices.Equal(alive, names) && total >= n
		})
		return time.Now()
	}
	// owners tells which member runs each check when names are alive.
	owners := func(names ...string) map[string]string {
		var alive []string
		byID := map[string]string{}
		for _, name := range names {
			alive = append(alive, ids[name])
			byID[ids[name]] = name
		}
		slices.Sort(alive)
		out := map[string]string{}
		for i, key := range keys {
			out[fmt.Sprintf("%02d", i)] = byID[probe.OwnerOf(key, alive)]
		}
		return out
	}
	until := func(at time.Time) {
		t.Helper()
		waitFor(t, time.Until(at)+10*time.Second, "time passes", func() bool { return time.Now().After(at) })
	}

	// Two members.
	startProbe("p1")
	p2 := startProbe("p2")
	twoFrom := waitMembers("p1", "p2").Add(settle)
	until(twoFrom.Add(window))
	// A third joins.
	joinAt := time.Now()
	startProbe("p3")
	threeFrom := waitMembers("p1", "p2", "p3").Add(settle)
	// The CLI shows each member and its share.
	if r := vigie(t, dsn, "", "location", "list"); r.code != 0 || !strings.Contains(r.stdout, "LOCATION  MEMBER") ||
		strings.Count(r.stdout, " alive ") != 3 {
		t.Errorf("location list with three members:\n%s%s", r.stdout, r.stderr)
	}
	until(threeFrom.Add(window))
	// One is killed.
	killAt := time.Now()
	p2.signal(t, syscall.SIGKILL)
	afterFrom := waitMembers("p1", "p3").Add(settle)
	t.Logf("dead member noticed %s after the kill", afterFrom.Sub(killAt)-settle)
	end := afterFrom.Add(window)
	until(end)
	hits := sites.all()

	// Within each steady stretch, every check runs, from its owner only.
	stretches := []struct {
		name     string
		from, to time.Time
		ownerOf  map[string]string
	}{
		{"two members", twoFrom, joinAt, owners("p1", "p2")},
		{"three members", threeFrom, killAt, owners("p1", "p2", "p3")},
		{"after the kill", afterFrom, end, owners("p1", "p3")},
	}
	for _, s := range stretches {
		ran := map[string]int{}
		per := map[string]int{}
		for _, h := range hits {
			if h.at.Before(s.from) || !h.at.Before(s.to) {
				continue
			}
			ran[h.check]++
			per[h.member]++
			if want := s.ownerOf[h.check]; h.member != want {
				t.Errorf("%s: check %s run by %s at %s, want %s", s.name, h.check, h.member, h.at.Format("15:04:05.000"), want)
			}
		}
		for i := range n {
			if c := fmt.Sprintf("%02d", i); ran[c] == 0 {
				t.Errorf("%s: check %s never ran in %s", s.name, c, s.to.Sub(s.from))
			}
		}
		t.Logf("%s: runs by member %v", s.name, per)
	}

	// Across everything from the first steady stretch: no check runs twice
	// in an interval; none misses a run, but those of the member killed,
	// which miss one at most.
	threeOwners := owners("p1", "p2", "p3")
	byCheck := map[string][]time.Time{}
	for _, h := range hits {
		if !h.at.Before(twoFrom) {
			byCheck[h.check] = append(byCheck[h.check], h.at)
		}
	}
	for i := range n {
		c := fmt.Sprintf("%02d", i)
		times := byCheck[c]
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
		maxGap := every + tolerance
		if threeOwners[c] == "p2" {
			maxGap = 2*every + tolerance
		}
		last := twoFrom
		for _, at := range times {
			gap := at.Sub(last)
			if last != twoFrom && gap < every-tolerance {
				t.Errorf("check %s ran twice within an interval: %s apart, at %s", c, gap, at.Format("15:04:05.000"))
			}
			if gap > maxGap {
				t.Errorf("check %s (of %s while three) went %s without a run, until %s (kill at %s)", c, threeOwners[c], gap,
					at.Format("15:04:05.000"), killAt.Format("15:04:05.000"))
			}
			last = at
		}
		if gap := end.Sub(last); gap > maxGap {
			t.Errorf("check %s: no run in the last %s", c, gap)
		}
	}
}

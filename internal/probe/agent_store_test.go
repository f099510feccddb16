package probe

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/facts"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

const agentHost = `assets:
  - {name: hv03, kind: hypervisor}
  - {name: hv04, kind: hypervisor}
`

func TestAnAgentTokenIsBoundToItsAsset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		inv := importHost(t, db, agentHost)
		agents := NewAgentStore(db)
		if _, err := agents.Add(ctx, "hv99"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("agent of an asset missing from the inventory: %v, want ErrNotFound", err)
		}
		token, err := agents.Add(ctx, "hv03")
		if err != nil || !strings.HasPrefix(token, "vagt_") {
			t.Fatalf("Add: %q, %v", token, err)
		}
		if _, err := agents.Add(ctx, "hv03"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("second agent of hv03: %v, want ErrConflict", err)
		}
		if asset, err := agents.Authenticate(ctx, token); err != nil || asset != "hv03" {
			t.Fatalf("Authenticate: %q, %v; want hv03", asset, err)
		}
		list, err := agents.List(ctx)
		if err != nil || len(list) != 1 || list[0].Asset != "hv03" || list[0].LastSeenAt == nil {
			t.Fatalf("List: %+v, %v; want hv03, seen", list, err)
		}
		locToken, err := NewLocationStore(db).Add(ctx, "paris")
		if err != nil {
			t.Fatal(err)
		}
		// Another last character (one of those a strict 43-character
		// base64 secret may end with), never the token's own.
		last := "A"
		if strings.HasSuffix(token, last) {
			last = "E"
		}
		for _, bad := range []string{"", "vagt_", locToken, token[:len(token)-1] + last, strings.Replace(token, "vagt_", "vloc_", 1)} {
			if _, err := agents.Authenticate(ctx, bad); !errors.Is(err, ErrBadAgentToken) {
				t.Errorf("Authenticate(%q): %v, want ErrBadAgentToken", bad, err)
			}
		}

		fresh, err := agents.Rotate(ctx, "hv03")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := agents.Authenticate(ctx, token); !errors.Is(err, ErrBadAgentToken) {
			t.Errorf("the token rotated away: %v, want ErrBadAgentToken", err)
		}
		if asset, err := agents.Authenticate(ctx, fresh); err != nil || asset != "hv03" {
			t.Errorf("the rotated token: %q, %v", asset, err)
		}
		if err := agents.Remove(ctx, "hv03"); err != nil {
			t.Fatal(err)
		}
		if _, err := agents.Authenticate(ctx, fresh); !errors.Is(err, ErrBadAgentToken) {
			t.Errorf("a removed agent's token: %v, want ErrBadAgentToken", err)
		}
		for _, op := range []func(context.Context, string) (string, error){agents.Rotate,
			func(ctx context.Context, a string) (string, error) { return "", agents.Remove(ctx, a) }} {
			if _, err := op(ctx, "hv03"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("rotate or remove without an agent: %v, want ErrNotFound", err)
			}
		}

		// Deleting the asset deletes its agent.
		other, err := agents.Add(ctx, "hv04")
		if err != nil {
			t.Fatal(err)
		}
		if err := inv.DeleteAsset(ctx, "hv04"); err != nil {
			t.Fatal(err)
		}
		if _, err := agents.Authenticate(ctx, other); !errors.Is(err, ErrBadAgentToken) {
			t.Errorf("the agent of a deleted asset: %v, want ErrBadAgentToken", err)
		}
	})
}

func TestAnAgentReportsItsOwnAssetOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		inv := importHost(t, db, agentHost)
		c := NewCompliance(db, inv)
		f := facts.Facts{}
		if _, err := c.ReportAgent(ctx, "hv03", AgentFacts{Asset: "hv04", Facts: f}); !errors.Is(err, ErrOtherAsset) {
			t.Fatalf("hv03's agent reporting hv04: %v, want ErrOtherAsset", err)
		}
		if list, err := c.List(ctx); err != nil || len(list) != 0 {
			t.Fatalf("a refused report was recorded: %+v, %v", list, err)
		}
		for _, body := range []AgentFacts{{Facts: f}, {Asset: "hv03", Facts: f}} {
			if _, err := c.ReportAgent(ctx, "hv03", body); err != nil {
				t.Fatalf("hv03's own facts (asset %q): %v", body.Asset, err)
			}
		}
		list, err := c.List(ctx)
		if err != nil || len(list) != 1 || list[0].Asset != "hv03" || list[0].Location != AgentLocation {
			t.Fatalf("compliance: %+v, %v; want hv03's, from an agent", list, err)
		}
	})
}

// TestTheHostAgentPostsWithItsToken checks what the agent sends: its own
// token, to the agent path, and the facts with the asset it was given.
func TestTheHostAgentPostsWithItsToken(t *testing.T) {
	type seen struct {
		path, auth string
		body       AgentFacts
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var s seen
		s.path, s.auth = r.URL.Path, r.Header.Get("Authorization")
		if err := json.NewDecoder(r.Body).Decode(&s.body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got <- s
		_, _ = w.Write([]byte(`{"violations": [{"rule": "r", "message": "m"}]}`))
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := ReportFacts(ctx, AgentOptions{Server: srv.URL + "/", Token: "vagt_x", Asset: "hv03",
		Root: "../facts/testdata/hosts/hypervisor-ok"})
	if err != nil || n != 1 {
		t.Fatalf("ReportFacts: %d, %v; want the server's one violation", n, err)
	}
	s := <-got
	if s.path != AgentFactsPath || s.auth != "Bearer vagt_x" || s.body.Asset != "hv03" || len(s.body.Facts.Values()) == 0 {
		t.Fatalf("the agent sent %+v", s)
	}
}

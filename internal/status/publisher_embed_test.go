package status

import (
	"context"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// customersWithTokens adds the customers ids to a fresh database and
// gives each a status URL token.
func customersWithTokens(t *testing.T, ids ...string) (*TokenStore, map[string]string) {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	tokens := NewTokenStore(db)
	tok := map[string]string{}
	for _, id := range ids {
		if _, err := db.ExecContext(ctx, `INSERT INTO customers (id, name, email, language, timezone) VALUES ($1, $1, 'x@example.org', 'fr', 'Europe/Paris')`, id); err != nil {
			t.Fatal(err)
		}
		v, err := tokens.Issue(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		tok[id] = v
	}
	return tokens, tok
}

func TestCustomerPageIsTheCustomersOwnCachedBuild(t *testing.T) {
	ctx := context.Background()
	tokens, tok := customersWithTokens(t, "c1", "c2")
	c := &countingParts{builds: map[string]int{}, parts: map[Part]int{}}
	src := &fakeSource{fp: "a", in: Input{Zone: time.UTC}}
	p := NewPublisher(PublisherOptions{Source: src, Tokens: tokens, Build: c.build, RenderPart: c.render, Render: fakeRender})
	if _, ok, err := p.CustomerPage(ctx, tok["c1"]); ok || err != nil {
		t.Fatalf("before the first build: ok %v, %v", ok, err)
	}
	if err := p.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		page, ok, err := p.CustomerPage(ctx, tok["c1"])
		if err != nil || !ok || page.Customer == nil || page.Customer.ID != "c1" || page.Customer.Token != tok["c1"] || page.Version == "" {
			t.Fatalf("c1's page: %+v, %v, %v", page, ok, err)
		}
	}
	if c.builds["c1"] != 1 {
		t.Errorf("c1's page built %d times for three reads of one build", c.builds["c1"])
	}
	if page, ok, _ := p.CustomerPage(ctx, tok["c2"]); !ok || page.Customer.ID != "c2" {
		t.Errorf("c2's token gave %+v", page)
	}
	// The token of c1 with the secret of c2: its lookup finds c1, its
	// secret does not match.
	lookup1, _, _ := customerTokens.Parse(tok["c1"])
	_, secret2, _ := customerTokens.Parse(tok["c2"])
	forged := "vst_" + lookup1 + "_" + secret2
	for _, bad := range []string{"", "vst_nobody", forged, tok["c1"] + "x"} {
		if page, ok, err := p.CustomerPage(ctx, bad); ok || page != nil || err != nil {
			t.Errorf("CustomerPage(%q) = %+v, %v, %v; want not found", bad, page, ok, err)
		}
	}
	if err := tokens.Revoke(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if err := p.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := p.CustomerPage(ctx, tok["c1"]); ok {
		t.Error("a revoked token still gives its page")
	}
}

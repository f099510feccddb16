package status

import (
	"strings"
	"testing"
)

// internalNames are names only staff may read: assets, customers' ids,
// and the texts of the engine's events.
var internalNames = []string{"vm-web-01", "vm-web-02", "hv-02", "dc-par1", "svc-mail", "vps-alpha", "vm-mail-01",
	"failed: timeout", "ping failed", "failed: http-status", "recovered: monitoring", "quiet period", "scope:",
	"power loss", "kernel panic", "ana-staff-login"}

func TestNotesAndEventTextsNeverReachAnyDocument(t *testing.T) {
	b := bundle(t)
	for _, customer := range []string{"", alpha, bravo} {
		_, docs := render(t, fullInput(), customer, b)
		mustNotContain(t, "customer "+customer, docs, append(internalNames, secretWord)...)
	}
}

func TestThePublicPageNamesNoCustomerNorSite(t *testing.T) {
	p, docs := render(t, fullInput(), "", bundle(t))
	mustNotContain(t, "public", docs, alpha, bravo, "alpha-shop", "alpha-blog", bravoSite, bravoSecret, "returns 500")
	for _, in := range p.Incidents {
		if in.ID == 40 {
			t.Errorf("site problem %d on the public page", in.ID)
		}
		if len(in.Sites) != 0 {
			t.Errorf("incident %d names sites %v on the public page", in.ID, in.Sites)
		}
	}
	for _, m := range p.Maintenances {
		if len(m.Sites) != 0 {
			t.Errorf("window %s names sites %v on the public page", m.ID, m.Sites)
		}
	}
	if p.Customer != nil || p.Base() != "/" {
		t.Errorf("public page for customer %+v", p.Customer)
	}
}

func TestACustomersPageHoldsNothingOfAnother(t *testing.T) {
	b := bundle(t)
	for _, tt := range []struct {
		customer, other string
		own, others     []string
	}{
		{alpha, bravo, []string{"alpha-shop.example", "alpha-blog.example"}, []string{bravoSite, bravoSecret, "bravo"}},
		{bravo, alpha, []string{bravoSite, bravoSecret}, []string{"alpha-shop", "alpha-blog", "alpha"}},
	} {
		p, docs := render(t, fullInput(), tt.customer, b)
		mustNotContain(t, tt.customer, docs, append(tt.others, tt.customer, tt.other)...)
		all := strings.Join(mapValues(docs), "\n")
		for _, site := range tt.own {
			if !strings.Contains(all, site) {
				t.Errorf("%s: no document names their site %s", tt.customer, site)
			}
		}
		if p.Customer == nil || p.Customer.ID != tt.customer || strings.Contains(p.Version, tt.customer) {
			t.Errorf("%s: customer %+v version %q", tt.customer, p.Customer, p.Version)
		}
		if p.Version == fullInput().Version {
			t.Errorf("%s: the customer's page has the public page's version", tt.customer)
		}
	}
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

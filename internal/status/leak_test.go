package status

import (
	"encoding/json"
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
		if p.Customer == nil || p.Customer.ID != tt.customer {
			t.Errorf("%s: customer %+v", tt.customer, p.Customer)
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

// TestACustomersSummaryNamesTheirSitesInTheNewestUpdates proves that on a
// customer's summary.json, in each language, the newest update of each
// incident and window that reaches their sites ends with those sites, and
// only theirs; no other update, and nothing on the public one, names any.
func TestACustomersSummaryNamesTheirSitesInTheNewestUpdates(t *testing.T) {
	b := bundle(t)
	lines := map[string]string{"/api/v2/summary.json": "Vos sites concernés : ", "/en/api/v2/summary.json": "Your affected sites: "}
	for _, tt := range []struct {
		customer string
		sites    map[string]string // by incident or window id
		others   []string
	}{
		{alpha, map[string]string{"41": "alpha-shop.example", "mw-kernel": "alpha-shop.example", "mw-backup": "alpha-blog.example"},
			[]string{bravoSite, bravoSecret}},
		{bravo, map[string]string{"41": bravoSite, "40": bravoSecret, "mw-kernel": bravoSite, "mw-backup": bravoSecret},
			[]string{"alpha-shop", "alpha-blog"}},
		{"", map[string]string{}, []string{"alpha-shop", "alpha-blog", bravoSite, bravoSecret}},
	} {
		_, docs := render(t, fullInput(), tt.customer, b)
		for path, line := range lines {
			who := tt.customer + " " + path
			var doc apiSummary
			if err := json.Unmarshal([]byte(docs[path]), &doc); err != nil {
				t.Fatalf("%s: %v", who, err)
			}
			objects := doc.Incidents
			for _, m := range doc.ScheduledMaintenances {
				objects = append(objects, m.apiIncident)
			}
			named := map[string]bool{}
			for _, obj := range objects {
				for k, u := range obj.IncidentUpdates {
					site, ok := tt.sites[obj.ID]
					switch {
					case k == 0 && ok:
						named[obj.ID] = true
						if want := "\n\n" + line + site; !strings.HasSuffix(u.Body, want) {
							t.Errorf("%s: %s update %s %q, want it to end with %q", who, obj.ID, u.ID, u.Body, want)
						}
					case strings.Contains(u.Body, line):
						t.Errorf("%s: %s update %s names sites: %q", who, obj.ID, u.ID, u.Body)
					}
				}
			}
			if len(named) != len(tt.sites) {
				t.Errorf("%s: sites named on %v, want on every one of %v", who, named, tt.sites)
			}
			for _, other := range tt.others {
				if strings.Contains(docs[path], other) {
					t.Errorf("%s names %s", who, other)
				}
			}
		}
	}
}

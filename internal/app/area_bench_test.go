package app_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/simulate"
)

// BenchmarkCustomerArea serves the customer area of the biggest customer
// of an 11,000-site host while an incident is open on their hypervisor,
// page by page, through the whole server on loopback (session check,
// layout, SQLite on a file), against the public status page's home in the
// same run as the baseline: the pages a customer opens during an outage
// should cost about what the status page costs.
//
//	go test -run '^$' -bench CustomerArea -benchtime 200x ./internal/app
func BenchmarkCustomerArea(b *testing.B) {
	ctx := context.Background()
	h := benchOutage(b, ctx)
	owned := 0
	for _, x := range h.inv.Assets {
		if x.Owner == h.owner {
			owned++
		}
	}
	b.Logf("customer %s owns %d assets; the incident is on %s", h.owner, owned, h.hv)
	contact, err := h.a.Auth.AddContact(ctx, auth.Contact{Customer: h.owner, Email: "owner@customer.example", Name: "Owner"})
	if err != nil {
		b.Fatal(err)
	}
	session, _, err := h.a.Sessions.Start(ctx, auth.SubjectContact, auth.ContactSubject(contact.ID), auth.LevelPassword, "127.0.0.1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	month := time.Now().UTC().AddDate(0, -1, 0).Format("2006-01")
	benchPages(b, h.base, session, []benchPage{
		{"account", "/account", h.site},
		{"asset", "/account/assets/" + h.site, h.site},
		{"backups", "/account/backups", ""},
		{"report", "/account/reports/" + h.site + "/" + month, h.site},
		{"report-pdf", "/account/reports/" + h.site + "/" + month + ".pdf", "%PDF"},
	})
}

// benchHost is the 11,000-site host served with an incident open on the
// hypervisor most of its biggest customer's sites sit on.
type benchHost struct {
	a                     *app.App
	inv                   *inventory.Inventory
	base, owner, hv, site string
	admin                 auth.User
}

// benchOutage serves the host and opens the incident, through the API.
func benchOutage(b *testing.B, ctx context.Context) benchHost {
	b.Helper()
	h := benchHost{inv: simulate.Generate(simulate.Params{Sites: 11000})}
	h.a, h.base = benchArea(b, ctx, h.inv)
	h.owner, h.hv, h.site = biggestCustomer(h.inv)
	var err error
	if h.admin, err = h.a.Auth.AddUser(ctx, "ops@example.org", auth.RoleAdmin, "a long enough password"); err != nil {
		b.Fatal(err)
	}
	bearer, _, err := h.a.Auth.CreateToken(ctx, "ops@example.org", auth.TokenSpec{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	body := fmt.Sprintf(`{"root_assets":[%q],"title":"Hypervisor down","severity":"major"}`, h.hv)
	if code := benchCall(b, "POST", h.base+"/api/v1/incidents", "Bearer "+bearer, body); code != 201 {
		b.Fatalf("open the incident on %s: %d", h.hv, code)
	}
	return h
}

// benchPage is a page to time and a word it must hold.
type benchPage struct{ name, path, want string }

// benchPages times the public status page's home (the baseline, without
// the session), then each page with the session, each checked first.
func benchPages(b *testing.B, base, session string, pages []benchPage) {
	b.Helper()
	pages = append([]benchPage{{"status-page", "/en/", ""}}, pages...)
	for _, p := range pages {
		cookie := session
		if p.name == "status-page" {
			cookie = ""
		}
		// Each page is right before it is timed.
		if code, text := benchGet(b, base+p.path, cookie); code != 200 || !strings.Contains(text, p.want) {
			b.Fatalf("%s: %d, want 200 naming %q", p.path, code, p.want)
		}
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if code, _ := benchGet(b, base+p.path, cookie); code != 200 {
					b.Fatalf("%s: %d", p.path, code)
				}
			}
		})
	}
}

// benchArea opens a server on a SQLite file with the 11,000-site host
// imported, no probe, serving on loopback until the benchmark ends.
func benchArea(b *testing.B, ctx context.Context, inv *inventory.Inventory) (*app.App, string) {
	b.Helper()
	a, err := app.Open(ctx, app.Config{DB: "sqlite:" + filepath.Join(b.TempDir(), "vigie.db"), PublicURL: "https://status.example.org"})
	if err != nil {
		b.Fatal(err)
	}
	var yaml strings.Builder
	if err := inventory.WriteYAML(&yaml, inv); err != nil {
		b.Fatal(err)
	}
	if _, err := a.Inventory.ImportFiles(ctx, []inventory.File{{Name: "host.yaml", Data: []byte(yaml.String())}}, inventory.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Serve(sctx, ln) }()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("serve: %v", err)
		}
		_ = a.Close()
	})
	return a, "http://" + ln.Addr().String()
}

// biggestCustomer names the customer with the most sites, the hypervisor
// most of them depend on, and one of those sites.
func biggestCustomer(inv *inventory.Inventory) (owner, hv, site string) {
	byName := map[string]inventory.Asset{}
	for _, a := range inv.Assets {
		byName[a.Name] = a
	}
	// hypervisorOf follows the first dependency down to a hypervisor.
	hypervisorOf := func(name string) string {
		for range 8 {
			a := byName[name]
			if a.Kind == "hypervisor" {
				return name
			}
			if len(a.DependsOn) == 0 {
				return ""
			}
			name = a.DependsOn[0]
		}
		return ""
	}
	sites := map[string][]string{}
	for _, a := range inv.Assets {
		if a.Kind == "site" && a.Owner != "" {
			sites[a.Owner] = append(sites[a.Owner], a.Name)
		}
	}
	for o, list := range sites {
		if len(list) > len(sites[owner]) || len(list) == len(sites[owner]) && o < owner {
			owner = o
		}
	}
	count := map[string]int{}
	for _, s := range sites[owner] {
		if h := hypervisorOf(s); h != "" {
			count[h]++
			if count[h] > count[hv] || count[h] == count[hv] && h < hv {
				hv = h
			}
		}
	}
	for _, s := range sites[owner] {
		if hypervisorOf(s) == hv {
			return owner, hv, s
		}
	}
	return owner, hv, ""
}

var benchClient = &http.Client{Timeout: 30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// benchGet fetches a page, with a customer's session cookie when given.
func benchGet(b *testing.B, target, session string) (int, string) {
	b.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		b.Fatal(err)
	}
	if session != "" {
		req.AddCookie(&http.Cookie{Name: auth.SessionCookieName, Value: session})
	}
	resp, err := benchClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	return resp.StatusCode, string(raw)
}

// benchCall makes one staff API call and returns its status.
func benchCall(b *testing.B, method, target, authz, body string) int {
	b.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", authz)
	req.Header.Set("Content-Type", "application/json")
	resp, err := benchClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

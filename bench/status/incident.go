package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/inventory"
)

// The incident of the run: opened by staff on a hypervisor, with a public
// update whose texts carry marker, so that the run can tell when a
// document shows it.
const (
	incidentRoot  = "hv03"
	incidentTitle = "Panne d'un hyperviseur"
	marker        = "bench-marker-1"
)

// incidentState is what the run opened and what it took.
type incidentState struct {
	id, updateID int64
	customer     string // owns a site on incidentRoot
	sites        int    // of that customer
	token        string
	customerURL  string // base + "/c/TOKEN/"
	// published is from the update's answer to the public summary
	// showing it.
	published time.Duration
	// firstFeed is the first answered request of the customer's feed,
	// which built their site; secondFeed the next one, from memory.
	firstFeed, secondFeed time.Duration
	// feedsFile lists the feed URL of every customer, for the "feeds"
	// target.
	feedsFile string
	feeds     int
}

// openIncident opens the incident through the staff API, posts its
// public update, issues a status URL to a customer of incidentRoot and
// waits until the public page, the summary and that customer's feed show
// the update.
func openIncident(ctx context.Context, h *host) (*incidentState, error) {
	st := &incidentState{}
	st.customer, st.sites = customerOn(h.inv, incidentRoot)
	if st.customer == "" {
		return nil, fmt.Errorf("no customer has a site on %s", incidentRoot)
	}
	var inc struct{ ID int64 }
	body := fmt.Sprintf(`{"root_assets":[%q],"title":%q,"severity":"major"}`, incidentRoot, incidentTitle)
	if err := h.call(ctx, "POST", "/api/v1/incidents", body, &inc); err != nil {
		return nil, err
	}
	st.id = inc.ID
	var upd struct{ ID int64 }
	body = `{"status":"identified","message_fr":"Une alimentation a lâché (` + marker + `) ; remplacement en cours.",` +
		`"message_en":"A power supply failed (` + marker + `); replacing it."}`
	if err := h.call(ctx, "POST", fmt.Sprintf("/api/v1/incidents/%d/updates", st.id), body, &upd); err != nil {
		return nil, err
	}
	st.updateID = upd.ID
	posted := time.Now()
	if _, err := waitShown(ctx, h.base+"/api/v2/summary.json", marker); err != nil {
		return nil, err
	}
	st.published = time.Since(posted)
	if _, err := waitShown(ctx, h.base+"/", marker); err != nil {
		return nil, err
	}
	var issued struct{ URL, Token string }
	if err := h.call(ctx, "POST", "/api/v1/customers/"+st.customer+"/status-url", "", &issued); err != nil {
		return nil, err
	}
	st.token, st.customerURL = issued.Token, issued.URL
	if !strings.HasPrefix(st.customerURL, h.base+"/c/") {
		return nil, fmt.Errorf("status URL %q is not under %s", st.customerURL, h.base)
	}
	var err error
	if st.firstFeed, err = waitShown(ctx, st.customerURL+"feed.atom", marker); err != nil {
		return nil, err
	}
	if st.secondFeed, _, err = get(ctx, st.customerURL+"feed.atom"); err != nil {
		return nil, err
	}
	return st, nil
}

// customerOn returns the first customer, by site order, with a site on a
// web VM of hypervisor hv, and how many sites that customer owns.
func customerOn(inv *inventory.Inventory, hv string) (string, int) {
	onHV := map[string]bool{}
	for i := range inv.Assets {
		a := &inv.Assets[i]
		if a.Kind == "vm" && len(a.DependsOn) > 0 && a.DependsOn[0] == hv {
			onHV[a.Name] = true
		}
	}
	owner := ""
	for i := range inv.Assets {
		a := &inv.Assets[i]
		if a.Kind == inventory.KindSite && a.Owner != "" && len(a.DependsOn) > 0 && onHV[a.DependsOn[0]] {
			owner = a.Owner
			break
		}
	}
	return owner, sitesOf(inv)[owner]
}

// largestCustomer returns the customer with the most sites, and how many.
func largestCustomer(inv *inventory.Inventory) (string, int) {
	best, n := "", 0
	count := sitesOf(inv)
	for _, c := range inv.Customers {
		if k := count[c.ID]; k > n {
			best, n = c.ID, k
		}
	}
	return best, n
}

// sitesOf counts the sites of each customer.
func sitesOf(inv *inventory.Inventory) map[string]int {
	count := map[string]int{}
	for i := range inv.Assets {
		if a := &inv.Assets[i]; a.Kind == inventory.KindSite && a.Owner != "" {
			count[a.Owner]++
		}
	}
	return count
}

// call makes a staff API call and decodes its JSON answer into out.
func (h *host) call(ctx context.Context, method, path, body string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, h.base+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+h.bearer)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(raw))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return nil
}

// get fetches url uncompressed and returns how long it took, its status
// and body.
func get(ctx context.Context, url string) (time.Duration, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Accept-Encoding", "identity")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	took := time.Since(start)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return took, body, err
}

// waitShown polls url until it answers 200 with text in its body, for at
// most 30 s, and returns how long the request that showed it took.
func waitShown(ctx context.Context, url, text string) (time.Duration, error) {
	deadline := time.Now().Add(30 * time.Second)
	var last string
	for {
		took, body, err := get(ctx, url)
		if err == nil && bytes.Contains(body, []byte(text)) {
			return took, nil
		}
		last = fmt.Sprintf("%v %.200s", err, body)
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s never showed %q in 30s; last: %s", url, text, last)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// issueEveryURL gives every other customer a status URL too, straight
// through the token store as the API does, lists every customer's feed
// in a file, and waits until the publisher knows the last one.
func issueEveryURL(ctx context.Context, h *host, st *incidentState) error {
	progress("issuing a status URL to each of %d customers", len(h.inv.Customers))
	var list strings.Builder
	last := ""
	for _, c := range h.inv.Customers {
		feed := st.customerURL + "feed.atom"
		if c.ID != st.customer {
			token, err := h.app.StatusTokens.Issue(ctx, c.ID)
			if err != nil {
				return err
			}
			feed = h.base + "/c/" + token + "/feed.atom"
		}
		list.WriteString(feed + "\n")
		last = feed
	}
	st.feedsFile, st.feeds = filepath.Join(h.dir, "feeds.txt"), len(h.inv.Customers)
	if err := os.WriteFile(st.feedsFile, []byte(list.String()), 0o644); err != nil {
		return err
	}
	h.app.Status.Notify()
	_, err := waitShown(ctx, last, marker)
	return err
}

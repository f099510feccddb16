package web

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
)

// maintFormOf reads a window from a page's form or query: the assets
// from repeated asset= fields and from an assets= list (space or comma
// separated), each once.
func maintFormOf(r *http.Request) maintenanceForm {
	if err := r.ParseForm(); err != nil {
		return maintenanceForm{}
	}
	f := maintenanceForm{Title: r.Form.Get("title"), TitleEN: r.Form.Get("title_en"), Description: r.Form.Get("description"),
		DescriptionEN: r.Form.Get("description_en"), Start: strings.TrimSpace(r.Form.Get("start")),
		End: strings.TrimSpace(r.Form.Get("end")), Zone: strings.TrimSpace(r.Form.Get("zone")),
		Weekly: r.Form.Get("weekly") != "", Verify: strings.TrimSpace(r.Form.Get("verify"))}
	names := slices.Clone(r.Form["asset"])
	names = append(names, strings.Fields(strings.ReplaceAll(r.Form.Get("assets"), ",", " "))...)
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" && !slices.Contains(f.Assets, n) {
			f.Assets = append(f.Assets, n)
		}
	}
	return f
}

// maintFormOfWindow is a stored window as its edit form shows it.
func maintFormOfWindow(w *incident.Window) maintenanceForm {
	f := maintenanceForm{Title: w.Title, TitleEN: w.TitleEN, Description: w.Description, DescriptionEN: w.DescriptionEN,
		Assets: w.Assets, Start: w.Start, End: w.End, Zone: w.Zone, Weekly: w.Weekly}
	if f.Zone == "" {
		f.Zone = incident.DefaultZone
	}
	if w.Verify > 0 {
		f.Verify = w.Verify.String()
	}
	// datetime-local fields take minutes; seconds would be refused there.
	f.Start, f.End = trimSeconds(f.Start), trimSeconds(f.End)
	return f
}

func trimSeconds(v string) string {
	if len(v) == len("2006-01-02T15:04:05") {
		return v[:len("2006-01-02T15:04")]
	}
	return v
}

// values are the form's fields as a query, to carry them across links.
func (f *maintenanceForm) values() url.Values {
	q := url.Values{}
	for _, a := range f.Assets {
		q.Add("asset", a)
	}
	for k, v := range map[string]string{"title": f.Title, "title_en": f.TitleEN, "description": f.Description,
		"description_en": f.DescriptionEN, "start": f.Start, "end": f.End, "zone": f.Zone, "verify": f.Verify} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Weekly {
		q.Set("weekly", "1")
	}
	return q
}

// fieldProblems lists a window's problems by field, the assets' under
// "assets", for the form to show each by its input; nil for another
// error.
func fieldProblems(err error) (map[string]string, []incident.FieldError) {
	var bad *incident.WindowInvalidError
	if !errors.As(err, &bad) {
		return nil, nil
	}
	byField := map[string]string{}
	for _, f := range bad.Fields {
		key := f.Field
		if strings.HasPrefix(key, "assets[") {
			key = "assets"
		}
		if byField[key] != "" {
			byField[key] += "; "
		}
		byField[key] += f.Message
	}
	return byField, bad.Fields
}

// maintImpact is what a set of assets reaches: the assets themselves and
// everything depending on them, the sites among them and their owners.
type maintImpact struct {
	Assets, SiteCount, CustomerCount int
	Sites, Customers                 []string
	// MoreSites and MoreCustomers are how many the lists leave out.
	MoreSites, MoreCustomers int
}

// maintListMax is how many sites or customers an impact lists.
const maintListMax = 60

// impactOf computes what assets reach over the inventory graph, as the
// notices of a window on them count it.
func impactOf(g *inventory.Graph, assets []string) maintImpact {
	var imp maintImpact
	if g == nil || len(assets) == 0 {
		return imp
	}
	owners := map[string]bool{}
	for _, n := range g.Scope(assets) {
		if g.Kind(n) == "" {
			continue
		}
		imp.Assets++
		if g.Kind(n) == inventory.KindSite {
			imp.SiteCount++
			if len(imp.Sites) < maintListMax {
				imp.Sites = append(imp.Sites, n)
			}
		}
		if o := g.Owner(n); o != "" {
			owners[o] = true
		}
	}
	imp.CustomerCount = len(owners)
	for o := range owners {
		imp.Customers = append(imp.Customers, o)
	}
	slices.Sort(imp.Customers)
	imp.Customers = imp.Customers[:min(len(imp.Customers), maintListMax)]
	imp.MoreSites, imp.MoreCustomers = imp.SiteCount-len(imp.Sites), imp.CustomerCount-len(imp.Customers)
	return imp
}

// maintPreview is a channel's notice as the page shows it.
type maintPreview struct {
	Channel, Kind, Audience string
	Recipients              int
	Sample, Held            string
	FR, EN                  maintNotice
}

// maintNotice is a notice in one language: its subject and its body in
// the form the channel sends.
type maintNotice struct {
	Subject, Body string
}

func previewsOf(list []notify.Preview) []maintPreview {
	out := make([]maintPreview, 0, len(list))
	for _, p := range list {
		mp := maintPreview{Channel: p.Channel, Kind: string(p.Kind), Audience: string(p.Audience), Recipients: p.Recipients,
			Held: p.Held, FR: noticeOf(p.Kind, p.FR), EN: noticeOf(p.Kind, p.EN)}
		if p.Sample != nil {
			mp.Sample = strings.TrimSpace(p.Sample.Name + " <" + p.Sample.Address + ">")
		}
		out = append(out, mp)
	}
	return out
}

func noticeOf(kind notify.Kind, r notify.Rendered) maintNotice {
	body := r.Text
	switch {
	case kind == notify.KindMastodon && r.Short != "":
		body = r.Short
	case kind != notify.KindEmail && kind != notify.KindWebhook && r.Markdown != "":
		body = r.Markdown
	}
	if body == "" {
		body = cmp.Or(r.Short, r.Markdown)
	}
	return maintNotice{Subject: r.Subject, Body: body}
}

// whenRange is an occurrence for the pages.
type whenRange struct {
	From, To time.Time
}

package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/report"
	"github.com/vigie/vigie/internal/status"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// reportHost gives customer C1 three sites on a shared hypervisor (one
// never checked yet, one whose state the log lacks) and C2 one; blog
// also has a backup heartbeat.
const reportHost = `customers:
  - {id: C1, name: Café Crème, email: c1@example.org, timezone: Europe/Paris}
  - {id: C2, name: Other, email: c2@example.org}
assets:
  - {name: hv1, kind: hypervisor}
  - {name: vm1, kind: vm, depends_on: [hv1]}
  - {name: blog, kind: site, owner: C1, depends_on: [vm1], url: "https://blog.example/"}
  - {name: notes, kind: site, owner: C1, depends_on: [vm1], url: "https://notes.example/"}
  - {name: wiki, kind: site, owner: C1, depends_on: [vm1], url: "https://wiki.example/"}
  - {name: shop, kind: site, owner: C2, depends_on: [vm1], url: "https://shop.example/"}
checks:
  - {asset: blog, name: backup, kind: heartbeat, period: 24h}
`

type fixture struct {
	r      *report.Reader
	paris  *time.Location
	now    time.Time
	resolv int64 // the incident on hv1 on 20 November
	other  int64 // an incident of shop alone
}

func utc(d, hh, mm int) time.Time { return time.Date(2026, 11, d, hh, mm, 0, 0, time.UTC) }

func seed(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	inv := inventory.NewService(db, nil)
	doc, problems := inventory.Parse("host.yaml", []byte(reportHost))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if _, err := inv.Import(ctx, []*inventory.Document{doc}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	f := &fixture{paris: paris, now: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
	det := detect.NewStore(db)
	sig := func(asset, key string, kind detect.SignalKind, to detect.State, at time.Time) detect.Signal {
		return detect.Signal{Kind: kind, Check: key, Asset: asset, At: at, To: to, Source: detect.SourceProbe}
	}
	// blog/http: up since October; down 01:30–03:30 UTC on the 10th (the
	// window covers 01:00–03:00 UTC) and 11:00–12:00 UTC on the 20th.
	signals := []detect.Signal{
		sig("blog", "blog/http", detect.CheckUp, detect.Up, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)),
		sig("blog", "blog/http", detect.CheckDown, detect.Down, utc(10, 1, 30)),
		sig("blog", "blog/http", detect.CheckUp, detect.Up, utc(10, 3, 30)),
		sig("blog", "blog/http", detect.CheckDown, detect.Down, utc(20, 11, 0)),
		sig("blog", "blog/http", detect.CheckUp, detect.Up, utc(20, 12, 0)),
		// Neither the backup nor another customer's site count for blog.
		sig("blog", "blog/backup", detect.CheckDown, detect.Down, utc(2, 0, 0)),
		sig("shop", "shop/http", detect.CheckDown, detect.Down, utc(5, 0, 0)),
	}
	if err := det.Append(ctx, signals); err != nil {
		t.Fatal(err)
	}
	err := det.SaveStates(ctx, []detect.StateRow{
		{Check: "blog/http", State: detect.Up, Since: utc(20, 12, 0)},
		{Check: "blog/backup", State: detect.Down, Since: utc(2, 0, 0), Reason: check.ReasonMissed},
		{Check: "shop/http", State: detect.Down, Since: utc(5, 0, 0), Reason: check.ReasonTimeout},
		// Up since the 15th, a change the log does not hold.
		{Check: "wiki/http", State: detect.Up, Since: utc(15, 0, 0)},
	})
	if err != nil {
		t.Fatal(err)
	}
	ms := incident.NewMaintenanceStore(db)
	for _, w := range []struct {
		win     incident.Window
		created time.Time
		cancel  bool
	}{
		{incident.Window{Title: "Mémoire de hv1", Assets: []string{"hv1"}, Start: "2026-11-10T02:00", End: "2026-11-10T04:00", Zone: "Europe/Paris"}, utc(1, 9, 0), false},
		{incident.Window{Title: "Déclarée après coup", Assets: []string{"vm1"}, Start: "2026-11-20T12:00", End: "2026-11-20T13:00", Zone: "Europe/Paris"}, utc(20, 11, 30), false},
		{incident.Window{Title: "Annulée", Assets: []string{"hv1"}, Start: "2026-11-20T11:00", End: "2026-11-20T14:00", Zone: "Europe/Paris"}, utc(2, 9, 0), true},
		{incident.Window{Title: "Autre client", Assets: []string{"shop"}, Start: "2026-11-20T11:00", End: "2026-11-20T14:00", Zone: "Europe/Paris"}, utc(2, 9, 0), false},
	} {
		ms.Now = func() time.Time { return w.created }
		if err := ms.Create(ctx, &w.win, "ops@example.org"); err != nil {
			t.Fatal(err)
		}
		if w.cancel {
			if err := ms.Delete(ctx, w.win.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	incs := incident.NewStore(db)
	for _, in := range []struct {
		roots    []string
		from, to time.Time
		id       *int64
	}{{[]string{"hv1"}, utc(20, 11, 0), utc(20, 12, 0), &f.resolv}, {[]string{"shop"}, utc(5, 0, 0), utc(5, 2, 0), &f.other}} {
		inc := incident.Incident{Title: "down", Status: incident.Investigating, Severity: incident.Major, Cause: incident.CauseOutage,
			RootAssets: in.roots, ImpactStartedAt: in.from, DetectedAt: in.from}
		id, err := incs.Create(ctx, &inc, incident.Event{At: in.from, Type: incident.EventOpened, Text: "opened"})
		if err != nil {
			t.Fatal(err)
		}
		end := in.to
		inc.Status, inc.ResolvedAt = incident.Resolved, &end
		if err := incs.Update(ctx, &inc); err != nil {
			t.Fatal(err)
		}
		*in.id = id
	}
	f.r = &report.Reader{Inventory: inv, Detection: det, Maintenance: ms, Incidents: incs}
	if err := inv.LoadGraph(ctx); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) asset(t *testing.T, name string) report.AssetState {
	t.Helper()
	list, err := f.r.CustomerAssets(context.Background(), "C1")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("C1 has no asset %s", name)
	return report.AssetState{}
}

func TestCustomerAssetsHoldOnlyTheirOwn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := seed(t, db)
		list, err := f.r.CustomerAssets(context.Background(), "C1")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 || list[0].Name != "blog" || list[1].Name != "notes" || list[2].Name != "wiki" {
			t.Fatalf("C1's assets: %+v", list)
		}
		blog := list[0]
		if st, _ := blog.State(); st != detect.Down {
			t.Fatalf("blog folded over every check is %s, want down (its backup is late)", st)
		}
		if st, since, _ := blog.Service(); st != detect.Up || !since.Equal(utc(20, 12, 0)) {
			t.Fatalf("blog's service is %s since %v, want up since the 20th", st, since)
		}
		if st, _, _ := list[1].Service(); st != detect.Unknown {
			t.Fatalf("notes, never checked, is %s", st)
		}
	})
}

func TestMonthlyAvailabilityLeavesOutAnnouncedMaintenance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := seed(t, db)
		blog := f.asset(t, "blog")
		page := &status.Page{Incidents: []status.Incident{
			{ID: f.other, Name: status.Text{FR: "Autre"}, StartedAt: utc(5, 0, 0), ResolvedAt: ptr(utc(5, 2, 0))},
			{ID: f.resolv, Name: status.Text{FR: "Panne : Hébergement"}, StartedAt: utc(20, 11, 0), ResolvedAt: ptr(utc(20, 12, 0))},
		}}
		m, err := f.r.Monthly(context.Background(), &blog, page, 2026, time.November, f.paris, f.now)
		if err != nil {
			t.Fatal(err)
		}
		// 30 days of 1 440 min; the announced window removes 120 min, of
		// which 90 were down; 30 + 60 min down remain; the window declared
		// after its start and the cancelled one remove nothing.
		want := report.Availability{Up: 43200*time.Minute - 210*time.Minute, Down: 90 * time.Minute, Maintenance: 120 * time.Minute}
		got := m.Total
		got.Span = report.Span{}
		if got != want {
			t.Fatalf("total %+v, want %+v", got, want)
		}
		if len(m.Days) != 30 || m.Days[9].Down != 30*time.Minute || m.Days[9].Maintenance != 2*time.Hour || m.Days[19].Down != time.Hour {
			t.Fatalf("days 10 and 20: %+v, %+v", m.Days[9], m.Days[19])
		}
		if !m.Complete() {
			t.Fatal("November is over on 7 December")
		}
		if len(m.Windows) != 2 || m.Windows[0].Title != "Mémoire de hv1" || m.Windows[0].Excluded(m.Period) != 2*time.Hour ||
			m.Windows[1].Excluded(m.Period) != 0 {
			t.Fatalf("windows %+v: want the announced one, and the late one with nothing excluded", m.Windows)
		}
		if len(m.Incidents) != 1 || m.Incidents[0].ID != f.resolv || m.Incidents[0].Duration != time.Hour {
			t.Fatalf("incidents %+v: want the hypervisor's alone", m.Incidents)
		}
	})
}

func TestAvailabilityWindowsAndUnknownTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := seed(t, db)
		ctx := context.Background()
		windows, err := f.r.Windows(ctx)
		if err != nil {
			t.Fatal(err)
		}
		blog := f.asset(t, "blog")
		// Since 1 December nothing changed: the stored state alone says up.
		tl, _, err := f.r.Availability(ctx, &blog, windows, report.Span{From: utc(31, 0, 0), To: f.now})
		if err != nil {
			t.Fatal(err)
		}
		if a := tl.Sum(tl.Period); a.Up != tl.Period.Duration() {
			t.Fatalf("December so far: %+v", a)
		}
		// Thirty days to now: from 7 November, so both outages.
		period := report.Span{From: f.now.Add(-30 * 24 * time.Hour), To: f.now}
		tl, _, err = f.r.Availability(ctx, &blog, windows, period)
		if err != nil {
			t.Fatal(err)
		}
		if a := tl.Sum(period); a.Down != 90*time.Minute || a.Maintenance != 2*time.Hour || a.Unknown != 0 {
			t.Fatalf("30 days: %+v", a)
		}
		notes := f.asset(t, "notes")
		tl, _, err = f.r.Availability(ctx, &notes, windows, period)
		if err != nil {
			t.Fatal(err)
		}
		a := tl.Sum(period)
		if _, ok := a.Ratio(); ok || a.Unknown != period.Duration()-2*time.Hour {
			t.Fatalf("a site never checked: %+v, want no data but the maintenance", a)
		}
		wiki := f.asset(t, "wiki")
		if tl, _, err = f.r.Availability(ctx, &wiki, windows, period); err != nil {
			t.Fatal(err)
		}
		if a := tl.Sum(period); a.Up != f.now.Sub(utc(15, 0, 0)) || a.Unknown != utc(15, 0, 0).Sub(period.From)-2*time.Hour {
			t.Fatalf("a site up since the 15th by its stored state alone: %+v", a)
		}
	})
}

func ptr(t time.Time) *time.Time { return &t }

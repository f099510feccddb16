package incident_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// publishPostMortem drafts the post-mortem of incident id, writes the
// sections a publication needs and publishes it, public or not.
func publishPostMortem(t *testing.T, pms *incident.PostMortemStore, id int64, rootCause string, public bool) {
	t.Helper()
	ctx := context.Background()
	pm, err := pms.Get(ctx, id, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	pm.RootCause, pm.Resolution = rootCause, "Moved the VMs to another host."
	pm.Actions = []incident.ActionItem{{Title: "Dual power supplies", Owner: "carol@staff.example",
		Type: incident.ActionPrevent, Due: "2026-04-30", Status: incident.ActionOpen}}
	if err := pms.Save(ctx, pm); err != nil {
		t.Fatal(err)
	}
	if err := pms.Transition(ctx, id, incident.PMInReview); err != nil {
		t.Fatal(err)
	}
	if err := pms.Transition(ctx, id, incident.PMPublished); err != nil {
		t.Fatal(err)
	}
	if public {
		if err := pms.SetPublic(ctx, id, true); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPublicPostMortemLeavesOutDraftedInternalData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		incidents := incident.NewStore(db)
		pms := incident.NewPostMortemStore(db, incidents)
		inc := createIncident(t, incidents, "alice-vps", incident.Critical, true)
		note := incident.Event{IncidentID: inc.ID, At: inc.ImpactStartedAt.Add(5 * time.Minute),
			Type: incident.EventNote, Author: "bob@staff.example", Text: "the password is marmalade"}
		if err := incidents.AddEvent(ctx, &note); err != nil {
			t.Fatal(err)
		}
		draft, err := pms.Get(ctx, inc.ID, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		// The draft does carry the internal data the public text must drop.
		drafted := draft.Summary + draft.Timeline
		for _, s := range []string{"alice-vps", "bob@staff.example", "marmalade", "(internal)"} {
			if !strings.Contains(drafted, s) {
				t.Fatalf("draft lacks %q, the test proves nothing:\n%s", s, drafted)
			}
		}
		publishPostMortem(t, pms, inc.ID, "A single power supply failed.", true)

		got, err := pms.PublicHTML(ctx, []int64{inc.ID})
		if err != nil {
			t.Fatal(err)
		}
		html := got[inc.ID]
		for _, want := range []string{"A single power supply failed.", "Moved the VMs to another host.",
			"Dual power supplies", "2026-04-30"} {
			if !strings.Contains(html, want) {
				t.Errorf("public post-mortem lacks %q:\n%s", want, html)
			}
		}
		for _, leak := range []string{"alice-vps", "bob@staff.example", "marmalade", "(internal)",
			"carol@staff.example", "Customers", "Timeline", "Trigger", "raw HTML"} {
			if strings.Contains(html, leak) {
				t.Errorf("public post-mortem shows %q:\n%s", leak, html)
			}
		}
	})
}

func TestPublicPostMortemsOnlyPublicOnesInChunks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		incidents := incident.NewStore(db)
		pms := incident.NewPostMortemStore(db, incidents)
		first := createIncident(t, incidents, "hv01", incident.Critical, true)
		last := createIncident(t, incidents, "hv02", incident.Critical, true)
		hidden := createIncident(t, incidents, "hv03", incident.Critical, true)
		publishPostMortem(t, pms, first.ID, "First cause.", true)
		publishPostMortem(t, pms, last.ID, "Last cause.", true)
		publishPostMortem(t, pms, hidden.ID, "Hidden cause.", false)

		// 1200 ids, three chunks: the public ones in the first and the
		// last, the published but not public one in the middle.
		ids := []int64{first.ID}
		for i := range int64(1197) {
			ids = append(ids, hidden.ID+1000+i)
			if i == 600 {
				ids = append(ids, hidden.ID)
			}
		}
		ids = append(ids, last.ID)
		got, err := pms.PublicHTML(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || !strings.Contains(got[first.ID], "First cause.") || !strings.Contains(got[last.ID], "Last cause.") {
			t.Fatalf("public post-mortems %v", got)
		}
		if _, ok := got[hidden.ID]; ok {
			t.Fatalf("post-mortem of incident %d is not public, got %q", hidden.ID, got[hidden.ID])
		}
	})
}

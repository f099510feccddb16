package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/settings"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// TestTheSettingsAPIChangesWhatThePageChanges: PUT changes the settings
// named, by the token's owner; a refused one is named and nothing
// changes; GET shows values, defaults and who changed them.
func TestTheSettingsAPIChangesWhatThePageChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		set, err := settings.New(db, settings.Values{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		base := serveAPI(t, db, Deps{Settings: set}, "")
		status, body := callNotify(t, base, "PUT", "/api/v1/settings", `{"settle":"30s","night_zone":"Nowhere/Land","night_end":"01:00"}`)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"night_end"`) || !strings.Contains(body, `"night_zone"`) {
			t.Fatalf("bad settings: %d %s", status, body)
		}
		if v, _ := set.Get(ctx); v.Settle != time.Minute {
			t.Fatalf("a refused change changed %+v", v)
		}
		status, body = callNotify(t, base, "PUT", "/api/v1/settings", `{"settle":"30s","escalate_after":"20m"}`)
		if status != http.StatusOK || !strings.Contains(body, `"settle": "30s"`) || !strings.Contains(body, `"by": "ops@example.org (token test)"`) {
			t.Fatalf("change: %d %s", status, body)
		}
		if v, _ := set.Get(ctx); v.Settle != 30*time.Second || v.EscalateAfter != 20*time.Minute {
			t.Fatalf("stored %+v", v)
		}
		status, body = callNotify(t, base, "GET", "/api/v1/settings", "")
		if status != http.StatusOK || !strings.Contains(body, `"night_start": "02:00"`) || !strings.Contains(body, `"settle": "1m"`) {
			t.Fatalf("get: %d %s", status, body)
		}
		if status, _ := callNotify(t, base, "PUT", "/api/v1/settings", `{"colour":"blue"}`); status != http.StatusBadRequest {
			t.Fatalf("unknown field: %d", status)
		}
	})
}

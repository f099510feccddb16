package main

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// writeLoad creates assets through the API and posts alerts on them, one
// after the other, until stop is closed; it records when each asset's
// creation was answered 201.
type writeLoad struct {
	mu      sync.Mutex
	created map[string]time.Time
	failed  []string
}

func (l *writeLoad) run(p *proc, token string, stop <-chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		name := fmt.Sprintf("load-%04d", i)
		status, body, err := p.call("POST", "/api/v1/assets", token, fmt.Sprintf(`{"name":%q,"kind":"vm"}`, name))
		l.mu.Lock()
		if err == nil && status == http.StatusCreated {
			l.created[name] = time.Now()
		} else {
			l.failed = append(l.failed, fmt.Sprintf("%s: %d %s %v", name, status, body, err))
		}
		l.mu.Unlock()
		if i%2 == 0 {
			// An alert appends signals and alert state: writes to other
			// tables than the inventory's.
			status, body, err = p.call("POST", "/api/v1/alertmanager", token, alertmanagerBody(name, "fp-"+name, false))
			if err != nil || status != http.StatusOK {
				l.mu.Lock()
				l.failed = append(l.failed, fmt.Sprintf("alert on %s: %d %s %v", name, status, body, err))
				l.mu.Unlock()
			}
		}
	}
}

// createdBetween lists the assets created in [from, to).
func (l *writeLoad) createdBetween(from, to time.Time) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var names []string
	for name, at := range l.created {
		if !at.Before(from) && at.Before(to) {
			names = append(names, name)
		}
	}
	return names
}

// TestBackupUnderLoadRestoresToAServerThatAnswers backs up a SQLite
// database while a server writes to it, restores the snapshot to a new
// path and starts a server there: it answers, with every asset whose
// creation was answered before the backup began.
func TestBackupUnderLoadRestoresToAServerThatAnswers(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	token := staffToken(t, dsn)
	srv := startServe(t, "loaded server", dsn, "--probe=false", "--sweep", "200ms", "--settle", "1s")

	load := &writeLoad{created: map[string]time.Time{}}
	stop := make(chan struct{})
	loaded := make(chan struct{})
	go func() {
		defer close(loaded)
		load.run(srv, token, stop)
	}()
	stopLoad := sync.OnceFunc(func() { close(stop); <-loaded })
	defer stopLoad()
	waitFor(t, 15*time.Second, "the load has created 30 assets", func() bool {
		return len(load.createdBetween(time.Time{}, time.Now())) >= 30
	})

	snapshot := filepath.Join(t.TempDir(), "snapshot.db")
	began := time.Now()
	backup := startVigie(t, "backup", dsn, "backup", "--out", snapshot)
	backup.wait(t, 30*time.Second)
	ended := time.Now()
	if code := backup.exitCode(); code != 0 || !strings.Contains(backup.out.String(), "integrity ok") {
		t.Fatalf("backup exited with %d:\n%s", code, backup.out.String())
	}
	// Writes go on past the backup, then the server stops.
	waitFor(t, 15*time.Second, "the load goes on after the backup", func() bool {
		return len(load.createdBetween(ended, time.Now())) >= 5
	})
	stopLoad()
	srv.stop(t)
	before := load.createdBetween(time.Time{}, began)
	during := load.createdBetween(began, ended)
	t.Logf("backup took %s; %d assets created before it, %d during it, %d after", ended.Sub(began).Round(time.Millisecond),
		len(before), len(during), len(load.createdBetween(ended, time.Now().Add(time.Hour))))
	if len(load.failed) > 0 {
		t.Fatalf("%d writes failed under backup, the first: %s", len(load.failed), load.failed[0])
	}

	restored := storetest.DSN(t, store.SQLite)
	restore := startVigie(t, "restore", restored, "restore", "--from", snapshot)
	restore.wait(t, 30*time.Second)
	if code := restore.exitCode(); code != 0 {
		t.Fatalf("restore exited with %d:\n%s", code, restore.out.String())
	}
	again := startServe(t, "restored server", restored, "--probe=false")
	var list struct {
		Assets []inventory.Asset `json:"assets"`
	}
	if err := again.getJSON("/api/v1/assets", token, &list); err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, a := range list.Assets {
		have[a.Name] = true
	}
	for _, name := range before {
		if !have[name] {
			t.Errorf("asset %s, created before the backup, is not in the restored database", name)
		}
	}
	if len(have) < len(before) || len(have) > len(before)+len(during)+1 {
		t.Errorf("%d assets restored, want %d to %d", len(have), len(before), len(before)+len(during)+1)
	}
	if r, err := again.readyz(); err != nil || !r.Database.OK {
		t.Errorf("readyz of the restored server: %+v %v", r, err)
	}
	again.stop(t)
}

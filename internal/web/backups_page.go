package web

import (
	"net/http"
	"time"

	"github.com/vigie/vigie/internal/heartbeat"
)

// The states of a backup check, as the page says and colours them.
const (
	backupFresh   = "ok"      // a good run within period and grace
	backupStale   = "stale"   // none: the customer's copy is getting old
	backupWaiting = "waiting" // its job has its URL, no good run yet, not late
	backupOff     = "off"     // no URL given to a job yet
)

// backupsView is the page's data.
type backupsView struct {
	Assets []backupsAssetView
	// Counts of checks by state, for the summary at the top.
	Fresh, Stale, Waiting, Off int
}

// backupsAssetView is one server or site with its backup checks.
type backupsAssetView struct {
	Name, Kind string
	Checks     []backupCheckView
}

// backupCheckView is one backup check; times are shown in the viewer's
// zone by the template.
type backupCheckView struct {
	Name, State string
	LastGood    *backupRunView
	LastFailure *backupRunView
	// FailureOld is set when a good run came after the last failure.
	FailureOld bool
	DueBy      time.Time
	Points     []backupRunView
}

// backupRunView is a run with its size and duration in words.
type backupRunView struct {
	At                             time.Time
	Size, Duration, Point, Message string
}

func (h *backupsArea) show(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	list, err := customerBackups(r.Context(), h.inv, h.beats, v.Customer.ID, h.now())
	if err != nil {
		h.s.failPage(w, r, err)
		return
	}
	view := backupsView{Assets: []backupsAssetView{}}
	for _, a := range list {
		av := backupsAssetView{Name: a.Asset, Kind: a.Kind}
		for i := range a.Backups {
			c := backupCheck(&a.Backups[i], v.Lang)
			switch c.State {
			case backupFresh:
				view.Fresh++
			case backupStale:
				view.Stale++
			case backupWaiting:
				view.Waiting++
			default:
				view.Off++
			}
			av.Checks = append(av.Checks, c)
		}
		view.Assets = append(view.Assets, av)
	}
	h.s.renderPage(w, r, http.StatusOK, "backups", h.s.text(v.Lang, "BackupsTitle"), view)
}

// backupCheck makes the view of one backup check in lang.
func backupCheck(b *heartbeat.Backup, lang string) backupCheckView {
	c := backupCheckView{Name: b.Name, DueBy: b.DueBy}
	switch {
	case !b.Issued:
		c.State = backupOff
	case b.Stale:
		c.State = backupStale
	case b.LastGood == nil:
		c.State = backupWaiting
	default:
		c.State = backupFresh
	}
	if b.LastGood != nil {
		c.LastGood = backupRun(b.LastGood, lang)
	}
	if b.LastFailure != nil {
		c.LastFailure = backupRun(b.LastFailure, lang)
		c.FailureOld = b.LastGood != nil && b.LastGood.At.After(b.LastFailure.At)
	}
	for i := range b.RestorePoints {
		c.Points = append(c.Points, *backupRun(&b.RestorePoints[i], lang))
	}
	return c
}

// backupRun writes a run's size and duration for people.
func backupRun(r *heartbeat.Run, lang string) *backupRunView {
	out := &backupRunView{At: r.At, Point: r.RestorePoint, Message: r.Message}
	if r.Size != nil {
		out.Size = humanSize(*r.Size, lang)
	}
	if r.Duration != nil {
		out.Duration = humanDuration(time.Duration(*r.Duration), lang)
	}
	return out
}

package web

import (
	"time"

	"github.com/vigie/vigie/internal/heartbeat"
	"github.com/vigie/vigie/internal/inventory"
)

// backupsArea serves the customer's backups page: the backup checks of
// their own assets, their last good run, restore points and failures.
type backupsArea struct {
	s     *Server
	inv   *inventory.Service
	beats *heartbeat.Store
	now   func() time.Time
}

func (s *Server) backupsRoutes(rt *router) {
	d := s.d
	if d.Sessions == nil || d.Heartbeats == nil || d.Inventory == nil {
		return
	}
	h := &backupsArea{s: s, inv: d.Inventory, beats: d.Heartbeats, now: d.Now}
	rt.handle("GET /account/backups", customerArea, classAPI, doc{summary: "The customer's backups: per server or site, the last good backup, restore points, late ones and the last failure",
		query: []string{"lang: fr or en, remembered in a cookie"}}, h.show)
}
